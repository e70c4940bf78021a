// AF_XDP soak (issue 9), `npm run soak`, never part of `npm test`:
//
//   1. full rate: 10,000,000 frames from the C generator (xdp_gen from ../shared/bench/afxdp:
//      BPF_PROG_TEST_RUN live frames, XDP_TX out of the peer veth) into `bpf-ts xsk rx --busy`.
//      Every frame is accounted for: received + kernel-reported drops (the socket's
//      XDP_STATISTICS; the peer veth's tx_dropped, frames its ndo_xdp_xmit found no room for) == sent.
//   2. paced: the same generator in bursts (SOAK_BURST frames, then SOAK_GAP_MS of silence)
//      that the receiver's rings (8192 entries) absorb: every frame received, zero drops
//      (socket, peer tx and host rx counters all zero).
//
// Prints one JSON line; exits 1 when a phase does not add up, 2 when it could not run.
//   env: SOAK_FRAMES (10000000), SOAK_PACED_FRAMES (1000000), SOAK_BURST (2000),
//        SOAK_GAP_MS (20), GEN_CPU (0), RX_CPU (1)
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFrameSender, createVethPair, framesSent, type VethPair } from '../test/afxdp/topology.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const FRAMES = Number(process.env.SOAK_FRAMES ?? 10_000_000);
const PACED_FRAMES = Number(process.env.SOAK_PACED_FRAMES ?? 1_000_000);
const BURST = Number(process.env.SOAK_BURST ?? 2000);
const GAP_MS = Number(process.env.SOAK_GAP_MS ?? 20);
const GEN_CPU = process.env.GEN_CPU ?? '0';
const RX_CPU = process.env.RX_CPU ?? '1';
const PIN = cpus().length >= 2;

interface Proc {
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  output(): string;
  kill(): void;
}

/** A child with a hard timeout (SIGKILL), its output collected. */
function start(argv: readonly string[], timeoutMs: number): Proc {
  const p = spawn(argv[0]!, argv.slice(1), { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
  return { done, output: () => stdout + stderr, kill: () => void p.kill('SIGKILL') };
}

async function waitFor(p: Proc, re: RegExp, ms: number): Promise<boolean> {
  for (let t = 0; t < ms && !re.test(p.output()); t += 50) await new Promise((r) => setTimeout(r, 50));
  return re.test(p.output());
}

interface RxReport {
  received: number;
  dropped: number;
  seconds: number;
  pps: number;
  matched: number;
  kernel: Record<string, number>;
}

interface PhaseResult {
  sent: number;
  received: number;
  /** XDP_STATISTICS: rx_dropped + rx_ring_full + rx_invalid_descs. */
  xskDrops: number;
  /** Peer veth tx_dropped: ndo_xdp_xmit into the host's full ring (as test/afxdp/rx.test.ts). */
  vethDrops: number;
  /**
   * Host veth rx_dropped, reported, not added: veth counts there the XDP redirects the socket
   * refused, i.e. the same frames as XDP_STATISTICS (observed equal).
   */
  hostRxDropped: number;
  seconds: number;
  pps: number;
  ok: boolean;
}

/** Receive `count` frames with `bpf-ts xsk rx --busy` while `generate` runs; account for each. */
async function phase(pair: VethPair, count: number, rxArgs: readonly string[], generate: () => Promise<number>, exact: 'accounted' | 'no-drops'): Promise<PhaseResult> {
  const rxArgv = [
    ...(PIN ? ['taskset', '-c', RX_CPU] : []),
    process.execPath, '--import', 'tsx', join(REPO, 'cli/main.ts'),
    'xsk', 'rx', '--dev', pair.host, '--busy', '--copy', '--count', String(count), '--first-ms', '60000', '--idle-ms', '3000', ...rxArgs, '--json',
  ];
  const rx = start(rxArgv, 900_000);
  if (!(await waitFor(rx, /ready/, 60_000))) {
    rx.kill();
    throw new Error(`receiver not ready: ${rx.output().trim().split('\n').pop()}`);
  }
  const peer0 = pair.counters('peer');
  const host0 = pair.counters('host');
  let sent: number;
  try {
    sent = await generate();
  } catch (e) {
    rx.kill();
    throw e;
  }
  const r = await rx.done;
  if (r.code !== 0) throw new Error(`receiver exited ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
  const rep = JSON.parse(r.stdout) as RxReport;
  const peer1 = pair.counters('peer');
  const host1 = pair.counters('host');
  const vethDrops = peer1.txDropped - peer0.txDropped;
  const hostRxDropped = host1.rxDropped - host0.rxDropped;
  const ok = exact === 'accounted' ? rep.received + rep.dropped + vethDrops === sent : rep.received === sent && rep.dropped === 0 && vethDrops === 0 && hostRxDropped === 0;
  return { sent, received: rep.received, xskDrops: rep.dropped, vethDrops, hostRxDropped, seconds: rep.seconds, pps: rep.pps, ok };
}

async function main(): Promise<number> {
  let pair: VethPair | undefined;
  try {
    // xdp_gen, or on kernels that refuse live-frames test runs the reference AF_PACKET sender
    // (slower, same frame, same accounting).
    const sender = buildFrameSender();
    if (sender.reason !== undefined) process.stderr.write(`${sender.reason}: using afpkt_send\n`);
    const gen = sender.path;
    if (gen === undefined) throw new Error(`could not build ${sender.name} with gcc`);
    pair = createVethPair();
    const p = pair;
    const genArgv = (n: number, extra: string[] = []): string[] => p.inNs([gen, '-i', p.peer, '-n', String(n), ...(PIN ? ['-c', GEN_CPU] : []), '-m', p.hostMac, '-M', p.peerMac, ...extra]);

    // 1. Full rate: one generator run, as fast as the kernel makes frames.
    const full = await phase(p, FRAMES, [], async () => {
      const g = await start(genArgv(FRAMES), 600_000).done;
      if (g.code !== 0) throw new Error(`${gen} exited ${g.code}: ${g.stderr.trim()}`);
      return framesSent(g.stdout);
    }, 'accounted');

    // 2. Paced: bursts the rings hold (BURST ≤ RX ring) with gaps the receiver drains in.
    const bursts = Math.ceil(PACED_FRAMES / BURST);
    const loop = `i=0; while [ $i -lt ${bursts} ]; do ${genArgv(BURST).slice(4).map((a) => `'${a}'`).join(' ')} || exit 1; sleep ${GAP_MS / 1000}; i=$((i+1)); done`;
    const paced = await phase(p, bursts * BURST, ['--rx-size', '8192', '--fill-size', '8192', '--frames', '16384'], async () => {
      const g = await start(p.inNs(['sh', '-c', loop]), 1_800_000).done;
      if (g.code !== 0) throw new Error(`paced generator loop exited ${g.code}: ${g.stderr.trim()}`);
      return framesSent(g.stdout);
    }, 'no-drops');
    const pacedRate = Math.round(paced.sent / Math.max(paced.seconds, 1e-9));

    const ok = full.ok && paced.ok;
    process.stdout.write(`${JSON.stringify({ ok, fullRate: full, paced: { ...paced, burst: BURST, gapMs: GAP_MS, offeredPps: pacedRate } })}\n`);
    return ok ? 0 : 1;
  } finally {
    pair?.destroy();
  }
}

try {
  process.exitCode = await main();
} catch (e) {
  process.stdout.write(`${JSON.stringify({ ok: false, error: (e as Error).message })}\n`);
  process.exitCode = 2;
}
