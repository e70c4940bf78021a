// bpf-ts demo: an XDP filter written in TypeScript, end to end, without a network card.
// As root: a throwaway network namespace and veth pair (198.18.0.0/30), the example filter
// (examples/demo-filter.ts) built from TypeScript, linted, loaded and attached to the host
// end; bounded traffic from the peer; live per-protocol counters; then everything removed.
// Without root: the same filter runs in the userspace VM on generated packets.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../args.js';
import { attachXdp, type XdpAttachment } from '../../src/loader/index.js';
import { ifNameToIndex } from '../../src/sys/index.js';
import { createMap, runXdp, type VmMap } from '../../src/vm/index.js';
import { Umem, XskSocket } from '../../src/afxdp/index.js';
import { craftPacket, decode, sumValues, type CompiledModule, type MapDef, type Schema, type ValueOf } from '../../src/xdp/index.js';
import { UsageError } from '../errors.js';
import { printError, printJson, printLine } from '../output.js';
import { buildFromFile, describeLint, lintCompiled, LintRejectedError, loadModuleObject } from './run.js';

const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp' };
const HOST_ADDR = '198.18.0.1';
const PEER_ADDR = '198.18.0.2';

interface DemoOpts {
  seconds: string;
  json?: boolean;
  vm?: boolean;
}

type Verdict = { passed: bigint; dropped: bigint; to_xsk: bigint; bytes: bigint };
type Verdicts = Record<string, { passed: number; dropped: number; toXsk: number; bytes: number }>;

/** examples/demo-filter.ts, found from this file (source tree or dist/). */
export function demoFilterPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'examples', 'demo-filter.ts');
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  throw new UsageError('examples/demo-filter.ts not found next to the bpf-ts installation');
}

function verdictsFrom(entries: Iterable<[number, Verdict]>): Verdicts {
  const out: Verdicts = {};
  for (const [proto, v] of entries) {
    if (v.passed === 0n && v.dropped === 0n && v.to_xsk === 0n) continue;
    out[PROTO_NAMES[proto] ?? `proto ${proto}`] = { passed: Number(v.passed), dropped: Number(v.dropped), toXsk: Number(v.to_xsk), bytes: Number(v.bytes) };
  }
  return out;
}

function table(v: Verdicts): string {
  const rows = Object.entries(v);
  if (rows.length === 0) return '  (no IPv4 packets yet)';
  const n = (x: number, w: number): string => String(x).padStart(w);
  return [
    '  protocol    passed   dropped   AF_XDP       bytes',
    ...rows.map(([p, c]) => `  ${p.padEnd(8)} ${n(c.passed, 9)} ${n(c.dropped, 9)} ${n(c.toXsk, 8)} ${n(c.bytes, 11)}`),
  ].join('\n');
}

/** An AF_XDP socket on queue 0 of `dev`, registered in the filter's XSKMAP; drained by the demo loop. */
interface Receiver {
  drain(): number;
  close(): void;
}

function openReceiver(dev: string, register: (fd: number) => void): Receiver {
  const umem = Umem.create({ frameCount: 4096, fillSize: 2048 });
  try {
    const xsk = XskSocket.create({ umem, dev, queue: 0, rxSize: 2048, txSize: 0, bind: 'copy' });
    register(xsk.fd);
    return {
      drain: () => {
        let got = 0;
        for (let i = 0; i < 1024; i++) {
          const n = xsk.peek(256);
          if (n === 0) break;
          got += xsk.release();
        }
        return got;
      },
      close: () => {
        xsk.close();
        umem.close();
      },
    };
  } catch (e) {
    umem.close();
    throw e;
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw Object.assign(new Error(`ip ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`), { name: 'SystemError', exitCode: 3 });
}

// The traffic generator, run inside the namespace: UDP to the dropped port and to a passed
// port, TCP connection attempts; bounded by count and time.
const SENDER = `
const dgram = require('dgram'), net = require('net');
const [dst, seconds, dropPort, xskPort] = process.argv.slice(1);
const end = Date.now() + Number(seconds) * 1000;
const s = dgram.createSocket('udp4'); const buf = Buffer.alloc(64, 0x61);
const sent = { udpDropPort: 0, udpXskPort: 0, udpOther: 0, tcp: 0 };
const iv = setInterval(() => {
  if (Date.now() >= end || sent.udpOther > 100000) { clearInterval(iv); setTimeout(() => { s.close(); process.stdout.write(JSON.stringify(sent)); }, 200); return; }
  for (let i = 0; i < 10; i++) { s.send(buf, Number(dropPort), dst); s.send(buf, Number(xskPort), dst); s.send(buf, 7, dst); sent.udpDropPort++; sent.udpXskPort++; sent.udpOther++; }
  const c = net.connect({ host: dst, port: 80 }); c.on('error', () => {}); c.setTimeout(200, () => c.destroy()); sent.tcp++;
}, 20);
`;

async function kernelDemo(mod: CompiledModule, seconds: number, json: boolean): Promise<Record<string, unknown>> {
  const tag = `${process.pid % 100000}`;
  const ns = `bpftsdemo${tag}`;
  const host = `bdh${tag}`;
  const peer = `bdp${tag}`;
  const loaded = loadModuleObject(mod, 'demo');
  let attachment: XdpAttachment | undefined;
  let nsMade = false;
  let child: ReturnType<typeof spawn> | undefined;
  let receiver: Receiver | undefined;
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    ip(['netns', 'add', ns]);
    nsMade = true;
    ip(['link', 'add', host, 'type', 'veth', 'peer', 'name', peer, 'netns', ns]);
    ip(['addr', 'add', `${HOST_ADDR}/30`, 'dev', host]);
    ip(['link', 'set', host, 'up']);
    ip(['-n', ns, 'addr', 'add', `${PEER_ADDR}/30`, 'dev', peer]);
    ip(['-n', ns, 'link', 'set', peer, 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    const ifindex = ifNameToIndex(host);
    const prog = loaded.programs.demo_filter!;
    try {
      attachment = attachXdp(prog.fd, ifindex, { mode: 'native' });
    } catch {
      attachment = attachXdp(prog.fd, ifindex, { mode: 'skb' });
    }
    if (!json) printLine(`demo: namespace ${ns}, veth ${host} (${HOST_ADDR}) <-> ${peer} (${PEER_ADDR}); demo_filter attached (${attachment.mode === 'native' ? 'native' : 'generic/skb'} XDP)`);
    const constant = (name: string, dflt: number): string => {
      const v = mod.rodata.vars.find((x) => x.name === name);
      return String(v === undefined ? dflt : decode(v.def.schema, mod.rodata.bytes, v.offset));
    };
    const dropPort = constant('drop_port', 9);
    const xskPort = constant('xsk_port', 4242);
    const xskMap = mod.maps.find((m) => m.type === 'xskmap');
    let afxdpNote = '';
    if (xskMap !== undefined) {
      try {
        receiver = openReceiver(host, (fd) => loaded.typed(xskMap).set(0, fd));
      } catch (e) {
        afxdpNote = `AF_XDP receiver unavailable: ${(e as Error).message}`;
      }
    }
    let xskReceived = 0;
    const xskRates: number[] = [];
    let sentJson = '';
    const done = new Promise<void>((res) => {
      child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SENDER, HOST_ADDR, String(seconds), dropPort, xskPort], { stdio: ['ignore', 'pipe', 'ignore'] });
      child.stdout?.on('data', (d: Buffer) => {
        sentJson += d.toString();
      });
      child.on('exit', () => res());
      child.on('error', () => res());
    });
    // ICMP: UDP from the host to a closed port in the namespace draws port-unreachable replies.
    const probe = spawn(process.execPath, ['-e', `const s=require('dgram').createSocket('udp4');let n=0;const t=setInterval(()=>{s.send(Buffer.alloc(8),33434,'${PEER_ADDR}');if(++n>=${seconds * 2}){clearInterval(t);s.close();}},500);`], { stdio: 'ignore' });
    const typed = loaded.typed(mod.maps.find((m) => m.name === 'by_proto') as MapDef<Schema, Schema>);
    const read = (): Verdicts => verdictsFrom(typed.entries(256) as Iterable<[number, Verdict]>);
    const deadline = Date.now() + (seconds + 3) * 1000;
    let finished = false;
    void done.then(() => {
      finished = true;
    });
    for (let t = 1; !finished && !interrupted && Date.now() < deadline; t++) {
      const tickStart = Date.now();
      let tickGot = 0;
      // Drain the AF_XDP ring a few times a second (the event loop stays free for the timer).
      while (Date.now() - tickStart < 1000) {
        await new Promise((r) => setTimeout(r, 100));
        if (receiver) tickGot += receiver.drain();
      }
      xskReceived += tickGot;
      if (receiver) xskRates.push(tickGot);
      if (!json) printLine(`— ${t}s —\n${table(read())}${receiver ? `\n  AF_XDP receiver (queue 0): ${tickGot} packets/s, ${xskReceived} in all` : ''}`);
    }
    if (receiver) xskReceived += receiver.drain();
    probe.kill();
    const verdicts = read();
    let sent: unknown = undefined;
    try {
      sent = JSON.parse(sentJson);
    } catch {
      sent = undefined;
    }
    const afxdp = receiver ? { received: xskReceived, perSecond: xskRates } : { note: afxdpNote || 'the filter has no XSKMAP' };
    return { mode: 'kernel', namespace: ns, attach: attachment.mode, seconds, sent, verdicts, afxdp };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (child && child.exitCode === null) child.kill();
    receiver?.close();
    try {
      if (attachment?.kind === 'link') attachment.link.close();
    } finally {
      loaded.close();
      if (nsMade) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
      spawnSync('ip', ['link', 'del', host], { timeout: 10_000, stdio: 'ignore' });
    }
  }
}

function decodeVm<V extends Schema>(def: MapDef<Schema, V>, raw: Uint8Array): ValueOf<V> {
  const stride = Math.ceil(def.value.size / 8) * 8;
  let acc = decode(def.value, raw, 0);
  for (let off = stride; def.perCpu && off + def.value.size <= raw.length; off += stride) acc = sumValues(def.value, acc, decode(def.value, raw, off));
  return acc;
}

function vmDemo(mod: CompiledModule, seconds: number): Record<string, unknown> {
  const maps: Record<string, VmMap> = {};
  for (const m of mod.maps) maps[m.name] = createMap({ type: m.type, keySize: m.key.size, valueSize: m.value.size, maxEntries: m.maxEntries, flags: m.flags, name: m.name });
  if (mod.rodata.bytes.length > 0) {
    const ro = createMap({ type: 'array', keySize: 4, valueSize: mod.rodata.bytes.length, maxEntries: 1, name: '.rodata' });
    ro.set(new Uint8Array(4), mod.rodata.bytes);
    maps['.rodata'] = ro;
  }
  const prog = mod.programs[0]!;
  const packets = [
    craftPacket({ src: PEER_ADDR, dst: HOST_ADDR, proto: 'udp', dport: 9, payload: new Uint8Array(64) }),
    craftPacket({ src: PEER_ADDR, dst: HOST_ADDR, proto: 'udp', dport: 7, payload: new Uint8Array(64) }),
    craftPacket({ src: PEER_ADDR, dst: HOST_ADDR, proto: 'udp', dport: 4242, payload: new Uint8Array(64) }),
    craftPacket({ src: PEER_ADDR, dst: HOST_ADDR, proto: 'tcp', dport: 80 }),
    craftPacket({ src: HOST_ADDR, dst: PEER_ADDR, proto: 'icmp' }),
  ];
  const n = Math.min(1000 * seconds, 20_000);
  const actions: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = runXdp(prog.insns, packets[i % packets.length]!, { maps, diffMaps: false });
    actions[r.action] = (actions[r.action] ?? 0) + 1;
  }
  const def = mod.maps.find((m) => m.name === 'by_proto')!;
  const entries: [number, Verdict][] = [];
  for (const e of maps.by_proto!.entries()) {
    const key = new DataView(e.key.buffer, e.key.byteOffset).getUint32(0, true);
    entries.push([key, decodeVm(def, e.value) as unknown as Verdict]);
  }
  return { mode: 'vm', packets: n, actions, verdicts: verdictsFrom(entries) };
}

export async function demoCommand(o: DemoOpts): Promise<void> {
  const seconds = Number(o.seconds);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600) throw new UsageError(`--seconds ${o.seconds}: expected 1..600`);
  const json = o.json === true;
  const file = demoFilterPath();
  if (!json) printLine(`demo: building ${file}`);
  const mod = await buildFromFile(file);
  const reports = lintCompiled(mod);
  for (const r of reports) for (const line of describeLint(r)) printError(line);
  if (reports.some((r) => r.verdict === 'reject')) throw new LintRejectedError('the lint rejects the demo filter');
  if (!json) printLine(`demo: lint: ${reports.map((r) => `${r.name} ${r.verdict}`).join(', ')} (${mod.programs[0]!.insns.length} instructions)`);
  const root = isRoot() && o.vm !== true;
  const summary = root ? await kernelDemo(mod, seconds, json) : vmDemo(mod, seconds);
  if (json) {
    printJson({ ...summary, lint: reports.map((r) => ({ program: r.name, verdict: r.verdict })) });
    return;
  }
  if (!root) {
    printLine(`demo: ${o.vm === true ? '--vm' : 'not root'}: ran demo_filter in the userspace VM on ${String(summary.packets)} generated packets`);
    printLine(table(summary.verdicts as Verdicts));
    printLine('demo: as root, the same filter is loaded into the kernel, attached to a veth pair in a throwaway namespace, counts real traffic, and steers UDP 4242 to an AF_XDP socket read from TypeScript (here the XSKMAP is empty, so those packets pass)');
  } else {
    printLine(`demo: done; sent from the peer: ${JSON.stringify(summary.sent)}`);
    printLine(table(summary.verdicts as Verdicts));
    printLine(`demo: AF_XDP: ${JSON.stringify(summary.afxdp)}`);
    printLine('demo: namespace and veth pair removed');
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('an XDP filter written in TypeScript on a throwaway veth pair (root), or in the userspace VM')
    .option('--seconds <n>', 'how long to send traffic', '5')
    .option('--vm', 'run in the userspace VM even as root')
    .option('--json', 'print a JSON summary')
    .action(async (o: DemoOpts) => {
      await demoCommand(o);
    });
}
