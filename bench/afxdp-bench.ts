// AF_XDP receive rate: `bpf-ts xsk rx` (busy and poll modes) against the C libxdp receiver
// (xsk_rx from ../shared/bench/afxdp), same veth pair, same in-kernel generator (xdp_gen,
// BPF_PROG_TEST_RUN live frames), same run. Prints medians and the TS/C ratio. On kernels that
// refuse live-frames test runs the generator is the reference AF_PACKET sender (afpkt_send),
// which is slower: the rates are then the sender's, for every receiver alike.
//
//   npx tsx bench/afxdp-bench.ts            env: N (frames per run, default 3000000), RUNS (3),
//                                            GEN_CPU (0), RX_CPU (1), QUIET_PCT (15)
//
// The reference folder is copied to a temp dir and built there (gcc -lxdp -lbpf); nothing is
// written into the repository. The topology has unique names and is removed on exit.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFrameSender } from '../test/afxdp/topology.js';
import { sh, waitQuiet } from './support/machine.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const N = Number(process.env.N ?? 3_000_000);
const RUNS = Number(process.env.RUNS ?? 3);
const GEN_CPU = process.env.GEN_CPU ?? '0';
const RX_CPU = process.env.RX_CPU ?? '1';
const QUIET_PCT = Number(process.env.QUIET_PCT ?? 15);
const id = String(process.pid % 100000);
const NS = `bpfts-bench-${id}`;
const RX_IF = `brx${id}`;
const GEN_IF = `bgen${id}`;
const RX_MAC = '02:00:c6:12:00:02';
const GEN_MAC = '02:00:c6:12:00:01';


interface Run {
  pps: number;
  cpuNsPerPkt: number;
  received: number;
  dropped: number;
  busyBefore: number;
}

/** Start `argv`, wait for `ready` on stdout/stderr, run the generator, collect the receiver's output. */
async function runCase(argv: string[], ready: RegExp): Promise<string> {
  const p = spawn(argv[0]!, argv.slice(1), { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
  const done = new Promise<void>((r) => p.on('close', () => r()));
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 400 && !ready.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  if (!ready.test(out)) {
    p.kill('SIGKILL');
    await done;
    throw new Error(`receiver did not get ready: ${out.trim().split('\n').pop()}`);
  }
  await new Promise((r) => setTimeout(r, 200));
  spawnSync('ip', ['netns', 'exec', NS, gen, '-i', GEN_IF, '-n', String(N), '-c', GEN_CPU, '-m', RX_MAC, '-M', GEN_MAC], { timeout: 60_000 });
  await done;
  clearTimeout(timer);
  return out;
}

function field(s: string, name: string): number {
  const m = new RegExp(`${name}=([0-9.]+)`).exec(s);
  return m ? Number(m[1]) : NaN;
}

async function cRun(): Promise<Run> {
  const busyBefore = await waitQuiet(QUIET_PCT);
  const out = await runCase(['taskset', '-c', RX_CPU, xskRx, '-i', RX_IF, '-q', '0', '-m', 'native', '-c', '-n', String(N), '-C', RX_CPU], /READY/);
  const line = out.split('\n').find((l) => l.startsWith('xsk_rx:')) ?? '';
  return {
    pps: field(line, 'rx_pps'),
    cpuNsPerPkt: field(line, 'cpu_ns_per_pkt'),
    received: field(line, ' rx'),
    dropped: field(line, 'k_rx_dropped') + field(line, 'k_rx_ring_full'),
    busyBefore,
  };
}

async function tsRun(mode: 'busy' | 'poll'): Promise<Run> {
  const busyBefore = await waitQuiet(QUIET_PCT);
  const out = await runCase(
    ['taskset', '-c', RX_CPU, process.execPath, '--import', 'tsx', join(REPO, 'cli/main.ts'), 'xsk', 'rx', '--dev', RX_IF, `--${mode}`, '--copy', '--count', String(N), '--first-ms', '20000', '--idle-ms', '500', '--json'],
    /ready/,
  );
  const json = out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1);
  const r = JSON.parse(json) as { pps: number; cpuNsPerPacket: number; received: number; dropped: number };
  return { pps: r.pps, cpuNsPerPkt: r.cpuNsPerPacket, received: r.received, dropped: r.dropped, busyBefore };
}

/** CPU used by an idle `xsk rx --poll --wait W` over `ms` (percent of one core). */
async function idlePollCpu(ms: number, wait: 'worker' | 'timers'): Promise<number> {
  const p = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'cli/main.ts'), 'xsk', 'rx', '--dev', RX_IF, '--poll', '--wait', wait, '--copy', '--first-ms', String(ms + 3000), '--json'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<void>((r) => p.on('close', () => r()));
  for (let i = 0; i < 400 && !/ready/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 1000));
  const ticks = (): number => {
    const f = readFileSync(`/proc/${p.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]);
  };
  const a = ticks();
  await new Promise((r) => setTimeout(r, ms));
  const b = ticks();
  p.kill('SIGKILL');
  await done;
  return ((b - a) * 10 * 100) / ms; // USER_HZ = 100
}

const median = (v: number[]): number => {
  const s = v.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

let gen = '';
let xskRx = '';
const work = mkdtempSync(join(tmpdir(), 'bpfts-afxdp-bench-'));

function topoDown(): void {
  spawnSync('ip', ['link', 'del', RX_IF]);
  spawnSync('ip', ['netns', 'del', NS]);
}

async function main(): Promise<void> {
  const ref = join(work, 'afxdp');
  cpSync(fileURLToPath(new URL('../../shared/bench/afxdp', import.meta.url)), ref, { recursive: true });
  xskRx = join(work, 'xsk_rx');
  sh('gcc', ['-O2', '-o', xskRx, join(ref, 'src/xsk_rx.c'), '-lxdp', '-lbpf']);
  const sender = buildFrameSender();
  if (sender.path === undefined) throw new Error(`could not build ${sender.name} with gcc`);
  gen = sender.path;
  const genName = sender.reason === undefined ? 'xdp_gen (live-frames test runs)' : `afpkt_send (AF_PACKET; ${sender.reason})`;

  topoDown();
  sh('ip', ['netns', 'add', NS]);
  sh('ip', ['link', 'add', RX_IF, 'numtxqueues', '1', 'numrxqueues', '1', 'type', 'veth', 'peer', 'name', GEN_IF, 'numtxqueues', '1', 'numrxqueues', '1']);
  sh('ip', ['link', 'set', GEN_IF, 'netns', NS]);
  sh('ip', ['link', 'set', 'dev', RX_IF, 'address', RX_MAC]);
  sh('ip', ['-n', NS, 'link', 'set', 'dev', GEN_IF, 'address', GEN_MAC]);
  spawnSync('sysctl', ['-qw', `net.ipv6.conf.${RX_IF}.disable_ipv6=1`]);
  spawnSync('ip', ['netns', 'exec', NS, 'sysctl', '-qw', `net.ipv6.conf.${GEN_IF}.disable_ipv6=1`]);
  sh('ip', ['link', 'set', 'dev', RX_IF, 'up']);
  sh('ip', ['-n', NS, 'link', 'set', 'dev', 'lo', 'up']);
  sh('ip', ['-n', NS, 'link', 'set', 'dev', GEN_IF, 'up']);

  console.log(`AF_XDP RX, copy mode, native XDP, veth, ${N} frames of 64 bytes per run, ${RUNS} runs per case; generator ${genName} on CPU ${GEN_CPU}, receiver on CPU ${RX_CPU}`);
  const c: Run[] = [];
  const busy: Run[] = [];
  const poll: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so drifts in machine load hit every case alike.
    for (const [name, list, f] of [['C libxdp xsk_rx (busy-spin)', c, cRun], ['bpf-ts xsk rx --busy', busy, () => tsRun('busy')], ['bpf-ts xsk rx --poll', poll, () => tsRun('poll')]] as const) {
      const r = await f();
      list.push(r);
      console.log(`  #${i + 1} ${name}: ${(r.pps / 1e6).toFixed(3)} Mpps, ${r.cpuNsPerPkt} ns CPU/pkt, received ${r.received}, kernel drops ${r.dropped}, machine ${r.busyBefore}% busy before`);
    }
  }
  const idleWorker = await idlePollCpu(6000, 'worker');
  const idleTimers = await idlePollCpu(6000, 'timers');
  const mc = median(c.map((r) => r.pps));
  const mb = median(busy.map((r) => r.pps));
  const mp = median(poll.map((r) => r.pps));
  console.log('');
  console.log('| receiver | median Mpps | CPU ns/pkt (median) | vs C |');
  console.log('|---|---|---|---|');
  console.log(`| C libxdp xsk_rx, busy-spin | ${(mc / 1e6).toFixed(3)} | ${median(c.map((r) => r.cpuNsPerPkt))} | 1.00 |`);
  console.log(`| bpf-ts xsk rx --busy | ${(mb / 1e6).toFixed(3)} | ${median(busy.map((r) => r.cpuNsPerPkt))} | ${(mb / mc).toFixed(2)} |`);
  console.log(`| bpf-ts xsk rx --poll | ${(mp / 1e6).toFixed(3)} | ${median(poll.map((r) => r.cpuNsPerPkt))} | ${(mp / mc).toFixed(2)} |`);
  console.log('');
  console.log(`ratio busy/C = ${(mb / mc).toFixed(2)} (goal >= 0.80); poll/C = ${(mp / mc).toFixed(2)}; idle --poll receiver: ${idleWorker.toFixed(1)}% of a core (--wait worker), ${idleTimers.toFixed(1)}% (--wait timers)`);
}

try {
  await main();
} finally {
  topoDown();
  rmSync(work, { recursive: true, force: true });
}
