// bpf-ts xsk rx|tx|echo: AF_XDP receive, transmit and echo on one queue of a device.
import { readFileSync } from 'node:fs';
import type { Command } from '../args.js';
import { type BindMode, isUdpTo, openXsk, type OpenXsk, parseMac, receiveBusy, swapMacs, waitForFrames, writeUdpFrame, type XdpStatistics, XskError } from '../../src/afxdp/index.js';
import { UsageError } from '../errors.js';
import { interfaceIndex } from '../interface.js';
import { printError, printJson, printLine } from '../output.js';

interface CommonOpts {
  dev: string;
  queue: string;
  copy?: boolean;
  zerocopy?: boolean;
  xdpMode: string;
  json?: boolean;
}

function int(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} ${v}: expected an integer from ${min} to ${max}`);
  return n;
}

function bindMode(o: CommonOpts): BindMode {
  if (o.copy && o.zerocopy) throw new UsageError('--copy and --zerocopy exclude each other');
  return o.copy ? 'copy' : o.zerocopy ? 'zerocopy' : 'auto';
}

function xdpMode(v: string): 'native' | 'skb' | 'auto' {
  if (v !== 'native' && v !== 'skb' && v !== 'auto') throw new UsageError(`--xdp-mode ${v}: expected native, skb or auto`);
  return v;
}

/** Frames the kernel dropped for this socket: ring full, no fill buffer, invalid descriptors. */
function dropped(s: XdpStatistics): number {
  return Number(s.rxDropped + s.rxRingFull + s.rxInvalidDescs);
}

function kernelStats(s: XdpStatistics): Record<string, number> {
  return {
    rxDropped: Number(s.rxDropped),
    rxInvalidDescs: Number(s.rxInvalidDescs),
    txInvalidDescs: Number(s.txInvalidDescs),
    rxRingFull: Number(s.rxRingFull),
    rxFillRingEmptyDescs: Number(s.rxFillRingEmptyDescs),
    txRingEmptyDescs: Number(s.txRingEmptyDescs),
  };
}

function ready(x: OpenXsk, what: string): void {
  const mode = x.xsk.zeroCopy ? 'zero-copy' : 'copy';
  const note = x.umem.note ? `; ${x.umem.note}` : '';
  printError(`xsk ${what}: ready on ${x.xsk.ifname} queue ${x.xsk.queue} (${mode} mode${x.redirect ? `, XDP ${x.redirect.attachment?.mode ?? ''}` : ''})${note}`);
}

function common(cmd: Command): Command {
  return cmd
    .requiredOption('--dev <if>', 'network interface')
    .option('--queue <q>', 'queue id', '0')
    .option('--copy', 'bind in copy mode (XDP_COPY)')
    .option('--zerocopy', 'bind in zero-copy mode (XDP_ZEROCOPY; fails on drivers without it, e.g. veth)')
    .option('--xdp-mode <m>', 'redirect program attach mode: native, skb or auto', 'native')
    .option('--json', 'print one JSON document');
}

interface RxOpts extends CommonOpts {
  count?: string;
  busy?: boolean;
  poll?: boolean;
  idleMs: string;
  firstMs?: string;
  frames: string;
  rxSize: string;
  fillSize: string;
  batch: string;
  hugePages?: boolean;
  wait: string;
}

async function rx(o: RxOpts): Promise<void> {
  if (o.busy && o.poll) throw new UsageError('--busy and --poll exclude each other');
  const count = o.count === undefined ? Infinity : int('count', o.count, 1, 1e12);
  const idleMs = int('idle-ms', o.idleMs, 1, 3_600_000);
  const firstMs = o.firstMs === undefined ? idleMs : int('first-ms', o.firstMs, 1, 3_600_000);
  const batch = int('batch', o.batch, 1, 4096);
  if (o.wait !== 'worker' && o.wait !== 'timers') throw new UsageError(`--wait ${o.wait}: expected worker or timers`);
  const via = o.wait;
  interfaceIndex(o.dev); // a missing interface is bad input, before anything is opened
  const x = openXsk({
    dev: o.dev,
    queue: int('queue', o.queue, 0, 65535),
    bind: bindMode(o),
    xdpMode: xdpMode(o.xdpMode),
    frameCount: int('frames', o.frames, 64, 1 << 20),
    fillSize: int('fill-size', o.fillSize, 64, 1 << 20),
    rxSize: int('rx-size', o.rxSize, 64, 1 << 20),
    txSize: 0,
    ...(o.hugePages ? { hugePages: true } : {}),
  });
  try {
    ready(x, 'rx');
    const xsk = x.xsk;
    const bytes = xsk.bytes;
    let matched = 0;
    // Touch each frame's headers, as the C reference receiver does (IPv4/UDP to port 9).
    const onBatch = (s: typeof xsk, n: number): void => {
      for (let i = 0; i < n; i++) if (isUdpTo(bytes, s.addr(i), s.length(i), 9)) matched++;
    };
    let received: number;
    let seconds: number;
    let cpuMicros: number;
    if (o.poll) {
      received = 0;
      let first = 0n;
      let last = 0n;
      let cpu0: NodeJS.CpuUsage | undefined;
      const t0 = Date.now();
      while (received < count) {
        const left = (first === 0n ? firstMs : idleMs) - (first === 0n ? Date.now() - t0 : Number(process.hrtime.bigint() - last) / 1e6);
        if (left <= 0 || !(await waitForFrames(xsk, { timeoutMs: left, via }))) break;
        // Drain what is there, then give the event loop a turn.
        for (let k = 0; k < 64 && received < count; k++) {
          const n = xsk.peek(Math.min(batch, count - received));
          if (n === 0) break;
          onBatch(xsk, n);
          xsk.release();
          received += n;
        }
        last = process.hrtime.bigint();
        if (first === 0n) {
          first = last;
          cpu0 = process.cpuUsage();
        }
      }
      const c = process.cpuUsage(cpu0);
      seconds = Number(last - first) / 1e9;
      cpuMicros = cpu0 ? c.user + c.system : 0;
    } else {
      const r = receiveBusy(xsk, { count, idleMs, startMs: firstMs, batch, onBatch, maxMs: 3_600_000 });
      received = r.received;
      seconds = r.seconds;
      cpuMicros = r.cpuMicros;
    }
    const st = xsk.statistics();
    const result = {
      received,
      dropped: dropped(st),
      seconds: Number(seconds.toFixed(6)),
      pps: seconds > 0 ? Math.round(received / seconds) : 0,
      matched,
      mode: o.poll ? 'poll' : 'busy',
      bind: xsk.zeroCopy ? 'zerocopy' : 'copy',
      cpuNsPerPacket: received > 0 ? Number(((cpuMicros * 1000) / received).toFixed(1)) : 0,
      kernel: kernelStats(st),
    };
    if (o.json) printJson(result);
    else printLine(`received ${result.received} frames in ${result.seconds} s (${(result.pps / 1e6).toFixed(3)} Mpps, ${result.cpuNsPerPacket} ns CPU/frame), ${result.dropped} dropped by the kernel`);
  } finally {
    x.close();
  }
}

interface TxOpts extends CommonOpts {
  count: string;
  size: string;
  dstMac: string;
  srcMac?: string;
  srcIp: string;
  dstIp: string;
  dstPort: string;
  frames: string;
  txSize: string;
}

function macOf(dev: string): string {
  try {
    return readFileSync(`/sys/class/net/${dev}/address`, 'utf8').trim();
  } catch {
    return '02:00:00:00:00:00';
  }
}

async function tx(o: TxOpts): Promise<void> {
  const count = int('count', o.count, 1, 100_000_000);
  const size = int('size', o.size, 46, 1514);
  const frameSize = 4096;
  const template = new Uint8Array(size);
  writeUdpFrame(template, {
    dstMac: parseMac(o.dstMac),
    srcMac: parseMac(o.srcMac ?? macOf(o.dev)),
    srcIp: o.srcIp,
    dstIp: o.dstIp,
    dstPort: int('dst-port', o.dstPort, 1, 65535),
    size,
  });
  interfaceIndex(o.dev); // a missing interface is bad input, before anything is opened
  const x = openXsk({
    dev: o.dev,
    queue: int('queue', o.queue, 0, 65535),
    bind: bindMode(o),
    redirect: false,
    frameCount: int('frames', o.frames, 64, 1 << 20),
    frameSize,
    rxSize: 0,
    txSize: int('tx-size', o.txSize, 64, 1 << 20),
  });
  try {
    ready(x, 'tx');
    const xsk = x.xsk;
    const bytes = xsk.bytes;
    let sent = 0;
    let completed = 0;
    const t0 = process.hrtime.bigint();
    const deadline = Date.now() + 60_000;
    let spins = 0;
    while (completed < count) {
      // Queue a batch: the payload starts with the frame's sequence number (big-endian u32).
      let queued = 0;
      while (sent < count && queued < 64) {
        const a = xsk.alloc();
        if (a < 0) break;
        bytes.set(template, a);
        bytes[a + 42] = sent >>> 24;
        bytes[a + 43] = (sent >>> 16) & 0xff;
        bytes[a + 44] = (sent >>> 8) & 0xff;
        bytes[a + 45] = sent & 0xff;
        if (!xsk.send(a, size)) {
          xsk.freeFrame(a);
          break;
        }
        sent++;
        queued++;
      }
      xsk.flush();
      completed += xsk.complete();
      if (queued === 0 && (++spins & 0xff) === 0) {
        if (Date.now() > deadline) throw new XskError(`TX stalled: ${completed} of ${count} frames completed in 60 s`, 3);
        xsk.kickTx();
        await new Promise((r) => setImmediate(r));
      }
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const st = xsk.statistics();
    const result = { sent, completed, seconds: Number(seconds.toFixed(6)), pps: Math.round(sent / seconds), size, bind: xsk.zeroCopy ? 'zerocopy' : 'copy', kernel: kernelStats(st) };
    if (o.json) printJson(result);
    else printLine(`sent ${sent} frames of ${size} bytes in ${result.seconds} s (${(result.pps / 1e6).toFixed(3)} Mpps)`);
  } finally {
    x.close();
  }
}

interface EchoOpts extends CommonOpts {
  count?: string;
  idleMs: string;
  firstMs?: string;
  frames: string;
}

async function echo(o: EchoOpts): Promise<void> {
  const count = o.count === undefined ? Infinity : int('count', o.count, 1, 1e12);
  const idleMs = int('idle-ms', o.idleMs, 1, 3_600_000);
  const firstMs = o.firstMs === undefined ? idleMs : int('first-ms', o.firstMs, 1, 3_600_000);
  interfaceIndex(o.dev); // a missing interface is bad input, before anything is opened
  const x = openXsk({
    dev: o.dev,
    queue: int('queue', o.queue, 0, 65535),
    bind: bindMode(o),
    xdpMode: xdpMode(o.xdpMode),
    frameCount: int('frames', o.frames, 128, 1 << 20),
  });
  try {
    ready(x, 'echo');
    const xsk = x.xsk;
    const bytes = xsk.bytes;
    let received = 0;
    let echoed = 0;
    let notSent = 0;
    let first = 0;
    let last = 0;
    const t0 = Date.now();
    while (received < count) {
      const now = Date.now();
      const left = first === 0 ? firstMs - (now - t0) : idleMs - (now - last);
      if (left <= 0 || !(await waitForFrames(xsk, { timeoutMs: left }))) break;
      const n = xsk.peek(Math.min(64, count - received));
      for (let i = 0; i < n; i++) {
        // Swap the MACs in place and send the same frame back: RX → TX without a copy.
        const a = xsk.take(i);
        const len = xsk.length(i);
        swapMacs(bytes.subarray(a, a + 12));
        if (xsk.send(a, len)) echoed++;
        else {
          xsk.freeFrame(a);
          notSent++;
        }
      }
      xsk.release();
      xsk.flush();
      xsk.complete();
      xsk.refill();
      received += n;
      last = Date.now();
      if (first === 0) first = last;
    }
    // Let the last frames leave before the socket closes (bounded).
    for (let i = 0; i < 1000 && xsk.txOutstanding() > 0; i++) {
      xsk.kickTx();
      xsk.complete();
      await new Promise((r) => setTimeout(r, 1));
    }
    xsk.complete();
    const st = xsk.statistics();
    const result = { received, echoed, notSent, dropped: dropped(st), seconds: (last - first) / 1000, bind: xsk.zeroCopy ? 'zerocopy' : 'copy', kernel: kernelStats(st) };
    if (o.json) printJson(result);
    else printLine(`echoed ${echoed} of ${received} frames, ${result.dropped} dropped by the kernel`);
  } finally {
    x.close();
  }
}

export function registerXsk(program: Command): void {
  const xsk = program.command('xsk').description('AF_XDP sockets: receive, transmit, echo (UMEM and rings in TypeScript)');
  common(xsk.command('rx').description('receive until --count frames or --idle-ms without traffic; print {received, dropped, seconds, pps}'))
    .option('--count <n>', 'stop after this many frames')
    .option('--busy', 'spin on the RX ring (default; fastest, uses a whole core)')
    .option('--poll', 'wait through the event loop (no core burnt when idle)')
    .option('--idle-ms <ms>', 'stop after this long without a frame', '1000')
    .option('--first-ms <ms>', 'how long to wait for the first frame (default: --idle-ms)')
    .option('--frames <n>', 'UMEM frames', '8192')
    .option('--rx-size <n>', 'RX ring entries', '2048')
    .option('--fill-size <n>', 'fill ring entries', '4096')
    .option('--batch <n>', 'frames per peek', '64')
    .option('--huge-pages', 'back the UMEM with huge pages if any are reserved')
    .option('--wait <how>', '--poll: sleep in poll(2) on a helper thread (worker) or re-check with backing-off timers (timers)', 'worker')
    .action(async (o: RxOpts) => rx(o));
  common(xsk.command('tx').description('send --count Ethernet/IPv4/UDP frames to an address in 198.18.0.0/15'))
    .requiredOption('--count <n>', 'frames to send')
    .option('--size <bytes>', 'frame length (46..1514)', '64')
    .option('--dst-mac <mac>', 'destination MAC', 'ff:ff:ff:ff:ff:ff')
    .option('--src-mac <mac>', "source MAC (default: the device's)")
    .option('--src-ip <ip>', 'source IPv4 (in 198.18.0.0/15)', '198.18.0.1')
    .option('--dst-ip <ip>', 'destination IPv4 (in 198.18.0.0/15)', '198.18.0.2')
    .option('--dst-port <port>', 'UDP destination port', '9')
    .option('--frames <n>', 'UMEM frames', '4096')
    .option('--tx-size <n>', 'TX ring entries', '2048')
    .action(async (o: TxOpts) => tx(o));
  common(xsk.command('echo').description('send every received frame back with its MACs swapped (RX and TX on one UMEM)'))
    .option('--count <n>', 'stop after this many frames')
    .option('--idle-ms <ms>', 'stop after this long without a frame', '1000')
    .option('--first-ms <ms>', 'how long to wait for the first frame (default: --idle-ms)')
    .option('--frames <n>', 'UMEM frames', '4096')
    .action(async (o: EchoOpts) => echo(o));
}
