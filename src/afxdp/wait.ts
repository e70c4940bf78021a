// Two ways to wait for frames.
//
// busy: a synchronous loop on the calling thread that never sleeps (maximum rate; it
//   blocks the event loop, so run it in a worker thread or a process of its own, as the
//   CLI's --busy does).
// event loop ("poll" in the CLI): reading the RX ring's producer index costs no syscall,
//   so while traffic flows the check is done in JavaScript, with setImmediate between
//   batches (other callbacks still run). After `spinChecks` empty checks it sleeps:
//   - via 'worker' (default): a helper thread blocks in poll(2) on the socket and wakes the
//     event loop with one message when frames arrive: no CPU at all when idle, and a
//     wake-up latency of one thread hop (tens of µs);
//   - via 'timers': timers backing off from 1 ms to `maxSleepMs`: no thread, but up to
//     1000/maxSleepMs wakeups per second when idle and up to maxSleepMs of latency on the
//     first frame after a pause, which the RX ring must absorb (2048 frames = 0.4 ms at
//     5 Mpps).
//   When the kernel asks for a wakeup (need-wakeup and an empty fill ring) it gets one.
import type { XskSocket } from './socket.js';

export interface BusyReceiveOptions {
  /** Stop after this many frames. */
  readonly count?: number;
  /** Stop when no frame came for this long after the first one (default 1000 ms). */
  readonly idleMs?: number;
  /** Stop when nothing at all came for this long (default: idleMs). */
  readonly startMs?: number;
  /** Hard limit on the whole run (default 60 s). */
  readonly maxMs?: number;
  /** Frames per peek (default 64). */
  readonly batch?: number;
  /** Called for each batch with its size, before the frames are released. */
  readonly onBatch?: (xsk: XskSocket, n: number) => void;
}

export interface ReceiveResult {
  readonly received: number;
  /** Seconds from the first to the last frame (0 with fewer than two batches). */
  readonly seconds: number;
  /** performance.now() of the first and last batch, in ns. */
  readonly firstNs: bigint;
  readonly lastNs: bigint;
  /** Process CPU time used between the first and last batch (µs, user + system). */
  readonly cpuMicros: number;
}

/** Receive on the calling thread without ever yielding, until count, idle or maxMs. */
export function receiveBusy(xsk: XskSocket, opts: BusyReceiveOptions = {}): ReceiveResult {
  const count = opts.count ?? Infinity;
  const batch = opts.batch ?? 64;
  const idleMs = opts.idleMs ?? 1000;
  const startMs = opts.startMs ?? idleMs;
  const maxMs = opts.maxMs ?? 60_000;
  const onBatch = opts.onBatch;
  // performance.now() returns a double: no allocation in the loop (hrtime.bigint() would
  // allocate a BigInt per batch and keep the GC busy at millions of frames per second).
  const t0 = performance.now();
  let first = -1;
  let last = -1;
  let cpuFirst: NodeJS.CpuUsage | undefined;
  // CPU use is read when an idle tail starts (2 ms without frames), as the C reference
  // does, so the final idle spin is not charged to the frames.
  let cpuEnd: NodeJS.CpuUsage | undefined;
  let got = 0;
  let spins = 0;
  while (got < count) {
    const n = xsk.peek(Math.min(batch, count - got));
    if (n === 0) {
      // The clock is read every 1024 empty polls only (it costs more than a ring check).
      if ((++spins & 0x3ff) !== 0) continue;
      if (xsk.needWakeup) xsk.wakeRx();
      const t = performance.now();
      if (first >= 0 && cpuEnd === undefined && t - last > 2) cpuEnd = process.cpuUsage(cpuFirst);
      if (first < 0 ? t - t0 > startMs : t - last > idleMs) break;
      if (t - t0 > maxMs) break;
      continue;
    }
    if (onBatch) onBatch(xsk, n);
    xsk.release();
    got += n;
    cpuEnd = undefined;
    last = performance.now();
    if (first < 0) {
      first = last;
      cpuFirst = process.cpuUsage();
    }
  }
  const cpu = cpuEnd ?? (cpuFirst ? process.cpuUsage(cpuFirst) : undefined);
  const toNs = (ms: number): bigint => BigInt(Math.round(ms * 1e6));
  return {
    received: got,
    seconds: first < 0 ? 0 : (last - first) / 1000,
    firstNs: first < 0 ? 0n : toNs(first),
    lastNs: last < 0 ? 0n : toNs(last),
    cpuMicros: cpu ? cpu.user + cpu.system : 0,
  };
}

export interface WaitOptions {
  /**
   * How to sleep once the ring stays empty: 'worker' (default) blocks in poll(2) in a helper
   * thread that wakes the event loop when frames arrive; 'timers' re-checks the ring with
   * timers backing off from 1 ms to maxSleepMs (no thread, but wakeups while idle).
   */
  readonly via?: 'worker' | 'timers';
  /** Empty checks done with setImmediate before sleeping (default 16). */
  readonly spinChecks?: number;
  /** 'timers': longest sleep between checks when idle (default 4 ms). */
  readonly maxSleepMs?: number;
  /** Give up (resolve false) after this long (default: never). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

let lastTurn = 0;
const immediate = (): Promise<void> =>
  new Promise((r) =>
    setImmediate(() => {
      lastTurn = performance.now();
      r();
    }),
  );
const sleep = (ms: number): Promise<void> =>
  new Promise((r) =>
    setTimeout(() => {
      lastTurn = performance.now();
      r();
    }, ms),
  );
/**
 * While frames keep coming the ring is never empty, and resolving promises alone would run
 * everything as microtasks: timers and I/O would starve. So the event loop gets a turn at
 * least once per YIELD_MS of continuous receiving.
 */
const YIELD_MS = 1;

/** Resolve true when the RX ring has frames, false on timeout, abort or close. Never blocks the event loop. */
export async function waitForFrames(xsk: XskSocket, opts: WaitOptions = {}): Promise<boolean> {
  const spin = opts.spinChecks ?? 16;
  const maxSleep = opts.maxSleepMs ?? 4;
  const viaWorker = (opts.via ?? 'worker') === 'worker';
  const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
  let empty = 0;
  let sleepMs = 1;
  for (;;) {
    if (xsk.closed || opts.signal?.aborted) return false;
    if (xsk.rxAvailable() > 0) {
      if (performance.now() - lastTurn > YIELD_MS) await immediate();
      return true;
    }
    if (xsk.needWakeup) xsk.wakeRx();
    const left = deadline - Date.now();
    if (left <= 0) return false;
    if (++empty <= spin) {
      await immediate();
    } else if (viaWorker) {
      // Slices of at most 250 ms so an abort signal is noticed.
      await xsk.readable(Math.min(left, 250));
      lastTurn = performance.now();
    } else {
      await sleep(Math.min(sleepMs, left));
      sleepMs = Math.min(sleepMs * 2, maxSleep);
    }
  }
}

export interface FramesOptions extends WaitOptions {
  /** Frames per batch (default 64). */
  readonly batch?: number;
  /** End the iteration after this long without frames (default: never). */
  readonly idleMs?: number;
}

/**
 * Received frames as views into the UMEM (no copy). Each view is valid until the iterator
 * is advanced past the end of its batch; copy what you keep (`frame.slice()`).
 */
export async function* frames(xsk: XskSocket, opts: FramesOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
  const batch = opts.batch ?? 64;
  const waitOpts: WaitOptions = { ...opts, ...(opts.idleMs !== undefined ? { timeoutMs: opts.idleMs } : {}) };
  try {
    for (;;) {
      if (!(await waitForFrames(xsk, waitOpts))) return;
      const n = xsk.peek(batch);
      try {
        for (let i = 0; i < n; i++) yield xsk.frame(i);
      } finally {
        if (!xsk.closed) xsk.release();
      }
    }
  } finally {
    if (!xsk.closed && xsk.batchSize > 0) xsk.release();
  }
}

/** Batches (the socket itself, with `n` frames peeked) for code that wants addr(i)/length(i). */
export async function* batches(xsk: XskSocket, opts: FramesOptions = {}): AsyncGenerator<number, void, undefined> {
  const batch = opts.batch ?? 64;
  const waitOpts: WaitOptions = { ...opts, ...(opts.idleMs !== undefined ? { timeoutMs: opts.idleMs } : {}) };
  for (;;) {
    if (!(await waitForFrames(xsk, waitOpts))) return;
    const n = xsk.peek(batch);
    try {
      yield n;
    } finally {
      if (!xsk.closed) xsk.release();
    }
  }
}
