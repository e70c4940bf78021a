// Whole-process attach + detach of one XDP program, as an operator runs it: `bpf-ts attach` /
// `bpf-ts detach` against `xdp-loader load/unload` and `ip link set … xdpgeneric obj/off`, on a
// veth pair in a throwaway namespace, skb (generic) mode, same object, same run. Medians of N.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const N = Number(process.env.N ?? 7);
const ns = `bpfts-attach-bench-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'bpfts-attach-bench-'));
const obj = join(dir, 'filter.o');

function sh(cmd: string[], opts: { ns?: boolean } = {}): void {
  const argv = opts.ns ? ['ip', 'netns', 'exec', ns, ...cmd] : cmd;
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000, cwd: ROOT });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr || r.stdout}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeIt(attach: string[], detach: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = process.hrtime.bigint();
    sh(attach, { ns: true });
    sh(detach, { ns: true });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

try {
  sh(['ip', 'netns', 'add', ns]);
  sh(['ip', 'link', 'add', 'bva', 'type', 'veth', 'peer', 'name', 'bvb'], { ns: true });
  sh(['ip', 'link', 'set', 'bva', 'up'], { ns: true });
  sh(['ip', 'link', 'set', 'bvb', 'up'], { ns: true });
  sh([process.execPath, 'bin/bpf-ts.cjs', 'build', 'examples/drop-udp-port.ts', '-o', obj]);
  const bpfts = timeIt(
    [process.execPath, join(ROOT, 'bin/bpf-ts.cjs'), 'attach', '--dev', 'bva', obj, '--prog', 'drop_udp', '--mode', 'skb'],
    [process.execPath, join(ROOT, 'bin/bpf-ts.cjs'), 'detach', '--dev', 'bva'],
  );
  const xdpLoader = timeIt(['xdp-loader', 'load', '-m', 'skb', '-s', 'xdp', 'bva', obj], ['xdp-loader', 'unload', 'bva', '--all']);
  const ip = timeIt(['ip', 'link', 'set', 'dev', 'bva', 'xdpgeneric', 'obj', obj, 'sec', 'xdp'], ['ip', 'link', 'set', 'dev', 'bva', 'xdpgeneric', 'off']);
  console.log(`attach + detach, two processes each, skb mode, median of ${N}`);
  console.log(`bpf-ts attach/detach   ${bpfts.toFixed(0)} ms`);
  console.log(`xdp-loader load/unload ${xdpLoader.toFixed(0)} ms   ratio bpf-ts/xdp-loader ${(bpfts / xdpLoader).toFixed(2)}x`);
  console.log(`ip link xdpgeneric     ${ip.toFixed(0)} ms   ratio bpf-ts/ip ${(bpfts / ip).toFixed(2)}x`);
} finally {
  spawnSync('ip', ['netns', 'del', ns]);
  rmSync(dir, { recursive: true, force: true });
}
