// AF_XDP transmit rate: `bpf-ts xsk tx --copy` (the built CLI, node bin/bpf-ts.cjs) against the C
// reference sender afpkt_send (AF_PACKET + sendmmsg, PACKET_QDISC_BYPASS) from
// ../shared/bench/afxdp, same veth pair, same 64-byte Ethernet/IPv4/UDP frame, same count, same run.
//
//   npx tsx bench/afxdp-tx-bench.ts         env: N (frames per run, default 2000000), RUNS (3),
//                                            TX_CPU (1), QUIET_PCT (15), BATCH (C sendmmsg batch, 256)
//
// Method: each sender runs pinned to TX_CPU on the root-namespace end of a veth pair; the frames
// are counted where they arrive, as the peer veth's rx_packets (`ip -s -j link` in the peer netns),
// read before and after each run. pps = peer rx delta / the sender's own send window (the time
// both tools measure around their send loop: process and socket set-up are excluded; for bpf-ts
// the window ends when the last TX completion has been reaped). Runs are interleaved (the order
// alternates per round) and each waits for the machine to be quiet first.
//
// Needs a built CLI (`npx tsc -p tsconfig.json`). The reference folder is copied to a temp dir and
// built there (gcc); nothing is written into the repository. The topology has unique names, uses
// 198.18.0.0/15 only, and is removed on exit.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sh, waitQuiet } from './support/machine.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const N = Number(process.env.N ?? 2_000_000);
const RUNS = Number(process.env.RUNS ?? 3);
const TX_CPU = process.env.TX_CPU ?? '1';
const QUIET_PCT = Number(process.env.QUIET_PCT ?? 15);
const BATCH = process.env.BATCH ?? '256';
const SIZE = 64;
const id = String(process.pid % 100000);
const NS = `bpfts-txb-${id}`;
const TX_IF = `btx${id}`;
const PEER_IF = `bpeer${id}`;
const TX_MAC = '02:00:c6:12:00:01';
const PEER_MAC = '02:00:c6:12:00:02';

if (!Number.isSafeInteger(N) || N < 1 || N > 100_000_000) throw new Error(`N=${process.env.N}: expected 1..100000000`);
if (!Number.isSafeInteger(RUNS) || RUNS < 1 || RUNS > 50) throw new Error(`RUNS=${process.env.RUNS}: expected 1..50`);


interface PeerCounters {
  rx: number;
  dropped: number;
}

/** The peer veth's rx counters, read in its netns. */
function peerCounters(): PeerCounters {
  const j = JSON.parse(sh('ip', ['-n', NS, '-s', '-j', 'link', 'show', 'dev', PEER_IF])) as Array<{ stats64: { rx: { packets: number; dropped: number } } }>;
  const rx = j[0]!.stats64.rx;
  return { rx: rx.packets, dropped: rx.dropped };
}

interface Run {
  /** Frames counted at the peer per second of the sender's send window. */
  pps: number;
  received: number;
  peerDropped: number;
  /** What the sender says it sent (C: sendmmsg accepted; bpf-ts: frames queued and completed). */
  senderSent: number;
  seconds: number;
  /** Wall time of the whole process, start-up included. */
  wallSeconds: number;
  busyBefore: number;
}

function field(s: string, name: string): number {
  const m = new RegExp(`${name}=([0-9.]+)`).exec(s);
  return m ? Number(m[1]) : NaN;
}

/** Run one sender to completion and measure what reached the peer. */
async function measure(argv: string[], parse: (stdout: string) => { sent: number; seconds: number }): Promise<Run> {
  const busyBefore = await waitQuiet(QUIET_PCT);
  const before = peerCounters();
  const t0 = process.hrtime.bigint();
  const r = spawnSync('taskset', ['-c', TX_CPU, ...argv], { cwd: REPO, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' });
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').trim().split('\n').pop()}`);
  // The peer counts a frame when veth hands it to the peer's receive path, i.e. during the send.
  await new Promise((res) => setTimeout(res, 100));
  const after = peerCounters();
  const p = parse(r.stdout);
  const received = after.rx - before.rx;
  return { pps: p.seconds > 0 ? received / p.seconds : NaN, received, peerDropped: after.dropped - before.dropped, senderSent: p.sent, seconds: p.seconds, wallSeconds, busyBefore };
}

function cRun(): Promise<Run> {
  return measure([afpktSend, '-i', TX_IF, '-n', String(N), '-s', String(SIZE), '-b', BATCH, '-c', TX_CPU, '-m', PEER_MAC, '-M', TX_MAC], (out) => {
    const line = out.split('\n').find((l) => l.startsWith('afpkt_send:')) ?? '';
    return { sent: field(line, 'frames_sent'), seconds: field(line, 'elapsed_s') };
  });
}

function tsRun(): Promise<Run> {
  return measure(
    [process.execPath, join(REPO, 'bin/bpf-ts.cjs'), 'xsk', 'tx', '--dev', TX_IF, '--copy', '--count', String(N), '--size', String(SIZE), '--dst-mac', PEER_MAC, '--src-mac', TX_MAC, '--json'],
    (out) => {
      const r = JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1)) as { sent: number; completed: number; seconds: number };
      return { sent: Math.min(r.sent, r.completed), seconds: r.seconds };
    },
  );
}

const median = (v: number[]): number => {
  const s = v.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

let afpktSend = '';
const work = mkdtempSync(join(tmpdir(), 'bpfts-afxdp-tx-bench-'));

function topoDown(): void {
  spawnSync('ip', ['link', 'del', TX_IF]);
  spawnSync('ip', ['netns', 'del', NS]);
}

function checkBuilt(): void {
  const built = join(REPO, 'dist/cli/commands/xsk.js');
  if (!existsSync(built)) throw new Error('the CLI is not built: run `npx tsc -p tsconfig.json` first');
  const src = join(REPO, 'cli/commands/xsk.ts');
  if (statSync(src).mtimeMs > statSync(built).mtimeMs) console.warn('warning: dist/ is older than cli/commands/xsk.ts; rebuild with `npx tsc -p tsconfig.json`');
}

async function main(): Promise<void> {
  checkBuilt();
  const ref = join(work, 'afxdp');
  cpSync(fileURLToPath(new URL('../../shared/bench/afxdp', import.meta.url)), ref, { recursive: true });
  afpktSend = join(work, 'afpkt_send');
  sh('gcc', ['-O2', '-o', afpktSend, join(ref, 'src/afpkt_send.c')]);

  topoDown();
  sh('ip', ['netns', 'add', NS]);
  sh('ip', ['link', 'add', TX_IF, 'numtxqueues', '1', 'numrxqueues', '1', 'type', 'veth', 'peer', 'name', PEER_IF, 'numtxqueues', '1', 'numrxqueues', '1']);
  sh('ip', ['link', 'set', PEER_IF, 'netns', NS]);
  sh('ip', ['link', 'set', 'dev', TX_IF, 'address', TX_MAC]);
  sh('ip', ['-n', NS, 'link', 'set', 'dev', PEER_IF, 'address', PEER_MAC]);
  // No IPv6 (no router solicitations etc. in the counters); the peer has no address, so the
  // stack drops the UDP frames after IP input: the same receive cost for both senders.
  spawnSync('sysctl', ['-qw', `net.ipv6.conf.${TX_IF}.disable_ipv6=1`]);
  spawnSync('ip', ['netns', 'exec', NS, 'sysctl', '-qw', `net.ipv6.conf.${PEER_IF}.disable_ipv6=1`]);
  sh('ip', ['-n', NS, 'link', 'set', 'dev', 'lo', 'up']);
  sh('ip', ['-n', NS, 'link', 'set', 'dev', PEER_IF, 'up']);
  sh('ip', ['link', 'set', 'dev', TX_IF, 'up']);
  await new Promise((r) => setTimeout(r, 500));

  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`TX, veth ${TX_IF} -> ${PEER_IF} (netns ${NS}), ${N} frames of ${SIZE} bytes per run, ${RUNS} runs per case, senders pinned to CPU ${TX_CPU}; load average ${load}`);
  const c: Run[] = [];
  const ts: Run[] = [];
  const cases = [
    ['C afpkt_send (AF_PACKET sendmmsg, qdisc bypass)', c, cRun],
    ['bpf-ts xsk tx --copy (AF_XDP copy mode)', ts, tsRun],
  ] as const;
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, order alternating, so drifts in machine load hit both cases alike.
    const order = i % 2 === 0 ? cases : [cases[1], cases[0]];
    for (const [name, list, f] of order) {
      const r = await f();
      list.push(r);
      console.log(
        `  #${i + 1} ${name}: ${(r.pps / 1e6).toFixed(3)} Mpps at the peer; peer rx ${r.received}, peer rx_dropped ${r.peerDropped}, sender reports ${r.senderSent} in ${r.seconds.toFixed(4)} s (process ${r.wallSeconds.toFixed(2)} s); machine ${r.busyBefore}% busy before`,
      );
    }
  }
  const mc = median(c.map((r) => r.pps));
  const mt = median(ts.map((r) => r.pps));
  const fmt = (v: number[]): string => v.map((x) => (x / 1e6).toFixed(3)).join(', ');
  console.log('');
  console.log('| sender | median Mpps (at peer) | runs (Mpps) | frames at peer / N (median) | vs C |');
  console.log('|---|---|---|---|---|');
  console.log(`| C afpkt_send, AF_PACKET sendmmsg (batch ${BATCH}), qdisc bypass | ${(mc / 1e6).toFixed(3)} | ${fmt(c.map((r) => r.pps))} | ${(median(c.map((r) => r.received)) / N).toFixed(3)} | 1.00 |`);
  console.log(`| bpf-ts xsk tx --copy (AF_XDP, copy mode) | ${(mt / 1e6).toFixed(3)} | ${fmt(ts.map((r) => r.pps))} | ${(median(ts.map((r) => r.received)) / N).toFixed(3)} | ${(mt / mc).toFixed(2)} |`);
  console.log('');
  console.log(`ratio bpf-ts/C = ${(mt / mc).toFixed(2)}; load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

try {
  await main();
} finally {
  topoDown();
  rmSync(work, { recursive: true, force: true });
}
