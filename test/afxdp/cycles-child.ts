// Child process of the open/close cycle test: a plain Node process (no test runner
// threads), so /proc/self/maps moves only with what AF_XDP maps. Prints one JSON line.
import { readdirSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Umem, XskRedirect, XskSocket } from '../../src/afxdp/index.js';
import { ifNameToIndex } from '../../src/sys/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const dev = process.argv[2]!;
const cycles = Number(process.argv[3] ?? 1000);
const ifindex = ifNameToIndex(dev);
// An odd frame count gives the UMEM a size (67 × 4 KiB) no V8 or malloc mapping has.
const UMEM_FRAMES = 67;
const umemSized = (lines: string[]): number =>
  lines.filter((l) => {
    const m = /^([0-9a-f]+)-([0-9a-f]+) /.exec(l);
    return m !== null && parseInt(m[2]!, 16) - parseInt(m[1]!, 16) === UMEM_FRAMES * 4096;
  }).length;
const fds = (): number => readdirSync('/proc/self/fd').length;
const maps = (): string[] => readFileSync('/proc/self/maps', 'utf8').split('\n');

function cycle(i: number): void {
  const umem = Umem.create({ frameCount: UMEM_FRAMES, fillSize: 64, completionSize: 64 });
  const xsk = XskSocket.create({ umem, dev: ifindex, rxSize: 64, txSize: 64 });
  if (i % 100 === 0) {
    const r = XskRedirect.attach(ifindex);
    r.register(xsk);
    r.close();
  }
  xsk.close();
  umem.close();
}

for (let i = 0; i < 300; i++) cycle(i % 100 === 0 ? 0 : 1); // every path run before counting: bindings loaded, JIT warm
gc();
const beforeLines = new Set(maps());
const before = { fds: fds(), maps: maps().length, socketMaps: maps().filter((l) => l.includes('socket:[')).length, umemMaps: umemSized(maps()) };
const t0 = Date.now();
let done = 0;
let error: string | undefined;
try {
  for (let i = 0; i < cycles && Date.now() - t0 < 150_000; i++, done++) cycle(i);
} catch (e) {
  error = `cycle ${done}: ${(e as Error).message}`;
}
gc();
const after = { fds: fds(), maps: maps().length, socketMaps: maps().filter((l) => l.includes('socket:[')).length, umemMaps: umemSized(maps()) };
const added = maps().filter((l) => !beforeLines.has(l));
process.stdout.write(`${JSON.stringify({ done, error, before, after, ms: Date.now() - t0, added })}\n`);
