// An AF_XDP socket: RX and TX rings over a UMEM, bound to one queue of one device.
//
// RX:  const n = xsk.peek(64); for (i < n) use xsk.frame(i) (a view, no copy); xsk.release();
//      frames go straight back to the fill ring unless take(i) kept them (echo/forward).
// TX:  const a = xsk.alloc(); write umem.view(a, len); xsk.send(a, len); xsk.flush();
//      sent frames come back to the free pool through complete() (done by alloc() too).
import { closeFd, ifIndexToName, ifNameToIndex, MSG_DONTWAIT, recvfrom, sendto, SystemError } from '../sys/index.js';
import { type XdpStatistics, XdpBindFlags, XdpPgoff, XdpSockOpt, XDP_DESC_SIZE, xskBind, xskIsZeroCopy, xskMmapOffsets, xskSetRingSize, xskSocket, xskStatistics } from '../sys/xsk-abi.js';
import { MappedRegion } from '../sys/xsk-memory.js';
import { FdReadinessWaiter } from '../sys/xsk-poll-worker.js';
import { FrameOwnershipError, XskClosedError, XskError, ZeroCopyUnsupportedError } from './errors.js';
import type { FillCompletion } from './fill-completion.js';
import { FrameState, type FrameTable } from './frames.js';
import { ConsumerRing, ProducerRing } from './ring.js';
import { checkRingSize, type Umem } from './umem.js';
import { frames } from './wait.js';

/** copy: XDP_COPY. zerocopy: XDP_ZEROCOPY (fails on drivers without it). auto: the kernel tries zero-copy, then copy. */
export type BindMode = 'copy' | 'zerocopy' | 'auto';

export interface XskSocketOptions {
  readonly umem: Umem;
  /** Interface name or index. */
  readonly dev: string | number;
  /** Queue id (default 0). */
  readonly queue?: number;
  /** RX ring entries (power of two; 0 for a TX-only socket). Default 2048. */
  readonly rxSize?: number;
  /** TX ring entries (power of two; 0 for an RX-only socket). Default 2048. */
  readonly txSize?: number;
  /** Default 'auto'. Ignored (inherited) for a socket sharing an already-bound UMEM. */
  readonly bind?: BindMode;
  /** XDP_USE_NEED_WAKEUP (default true): syscalls only when the kernel asks for them. */
  readonly needWakeup?: boolean;
  /** Frames given to the fill ring at start (default: the fill ring's size, or half the free frames when there is a TX ring). */
  readonly prefill?: number;
}

const MAX_BATCH = 4096;
const EAGAIN = 11;

export class XskSocket {
  readonly umem: Umem;
  readonly ifindex: number;
  readonly ifname: string;
  readonly queue: number;
  /** Bound in zero-copy mode (XDP_OPTIONS). */
  readonly zeroCopy: boolean;
  readonly needWakeup: boolean;
  /** Bound with XDP_SHARED_UMEM (not the UMEM's first socket). */
  readonly sharedUmem: boolean;
  readonly #fd: number;
  readonly #ownsFd: boolean;
  readonly #pair: FillCompletion;
  readonly #frames: FrameTable;
  readonly #rx: ConsumerRing | undefined;
  readonly #tx: ProducerRing | undefined;
  readonly #onClose: (() => void)[] = [];
  #closed = false;
  #waiter: FdReadinessWaiter | undefined;
  /** Per peeked-batch index: 1 when take() kept the frame. */
  readonly #taken = new Uint8Array(MAX_BATCH);
  #takenCount = 0;
  #bytes: Uint8Array | undefined;

  private constructor(init: {
    umem: Umem; ifindex: number; ifname: string; queue: number; fd: number; ownsFd: boolean; pair: FillCompletion;
    rx: ConsumerRing | undefined; tx: ProducerRing | undefined; zeroCopy: boolean; needWakeup: boolean; shared: boolean;
  }) {
    this.umem = init.umem;
    this.ifindex = init.ifindex;
    this.ifname = init.ifname;
    this.queue = init.queue;
    this.#fd = init.fd;
    this.#ownsFd = init.ownsFd;
    this.#pair = init.pair;
    this.#frames = init.umem.frames;
    this.#rx = init.rx;
    this.#tx = init.tx;
    this.zeroCopy = init.zeroCopy;
    this.needWakeup = init.needWakeup;
    this.sharedUmem = init.shared;
    init.umem.addUser(this);
  }

  static create(opts: XskSocketOptions): XskSocket {
    const umem = opts.umem;
    if (umem.closed) throw new XskClosedError('UMEM is closed');
    const ifindex = typeof opts.dev === 'number' ? opts.dev : ifNameToIndex(opts.dev);
    const ifname = typeof opts.dev === 'string' ? opts.dev : ifIndexToName(opts.dev) ?? `ifindex ${opts.dev}`;
    const queue = opts.queue ?? 0;
    if (!Number.isInteger(queue) || queue < 0 || queue > 0xffff) throw new XskError(`queue ${queue} must be an integer from 0 to 65535`);
    const rxSize = opts.rxSize ?? 2048;
    const txSize = opts.txSize ?? 2048;
    if (rxSize === 0 && txSize === 0) throw new XskError('a socket needs an RX ring, a TX ring or both');
    if (rxSize !== 0) checkRingSize('RX ring size', rxSize);
    if (txSize !== 0) checkRingSize('TX ring size', txSize);
    const mode = opts.bind ?? 'auto';

    const shared = umem.primaryTaken;
    const fd = shared ? xskSocket() : umem.fd;
    const cleanup: (() => void)[] = [];
    try {
      const p = umem.pairFor(ifindex, queue, fd, umem.primary.fill.size, umem.primary.completion.size);
      cleanup.push(() => umem.forgetPair(ifindex, queue, p.pair));
      // A failed bind leaves the rings on the UMEM fd: reuse them when the sizes agree.
      const made = shared ? {} : umem.primaryRings;
      for (const [what, size, opt] of [['rx', rxSize, XdpSockOpt.RX_RING], ['tx', txSize, XdpSockOpt.TX_RING]] as const) {
        const prev = made[what];
        if (prev !== undefined && prev !== size) throw new XskError(`the UMEM's socket already has a ${what.toUpperCase()} ring of ${prev} entries from a failed bind: ask for the same size or use a new UMEM`);
        if (size && prev === undefined) {
          xskSetRingSize(fd, opt, size);
          if (!shared) umem.primaryRings[what] = size;
        }
      }
      const off = xskMmapOffsets(fd);
      let rx: ConsumerRing | undefined;
      let tx: ProducerRing | undefined;
      if (rxSize) {
        const r = MappedRegion.ofFd(fd, ConsumerRing.mapLength(off.rx, rxSize, XDP_DESC_SIZE), XdpPgoff.RX_RING);
        rx = new ConsumerRing(r, off.rx, rxSize, XDP_DESC_SIZE);
        cleanup.push(() => rx!.close());
      }
      if (txSize) {
        const r = MappedRegion.ofFd(fd, ProducerRing.mapLength(off.tx, txSize, XDP_DESC_SIZE), XdpPgoff.TX_RING);
        tx = new ProducerRing(r, off.tx, txSize, XDP_DESC_SIZE);
        cleanup.push(() => tx!.close());
      }
      let flags: number;
      let needWakeup: boolean;
      if (shared) {
        // The kernel refuses copy/zero-copy/need-wakeup flags here: they come from the UMEM's first socket.
        flags = XdpBindFlags.SHARED_UMEM;
        needWakeup = umemNeedWakeup.get(umem) ?? false;
      } else {
        needWakeup = opts.needWakeup ?? true;
        flags = (mode === 'copy' ? XdpBindFlags.COPY : mode === 'zerocopy' ? XdpBindFlags.ZEROCOPY : 0) | (needWakeup ? XdpBindFlags.USE_NEED_WAKEUP : 0);
      }
      try {
        bindRetryingBusy(fd, ifindex, queue, flags, shared ? umem.fd : 0);
      } catch (e) {
        if (e instanceof SystemError && mode === 'zerocopy' && !shared && (e.errnoName === 'EOPNOTSUPP' || e.errnoName === 'ENOTSUP')) {
          throw new ZeroCopyUnsupportedError(ifname, e.errnoName);
        }
        if (e instanceof SystemError) throw new SystemError('bind', e.errno, `AF_XDP socket to ${ifname} queue ${queue}${shared ? ', shared UMEM' : ''}`, bindHint(e.errnoName));
        throw e;
      }
      if (!shared) umemNeedWakeup.set(umem, needWakeup);
      const zeroCopy = xskIsZeroCopy(fd);
      const sock = new XskSocket({ umem, ifindex, ifname, queue, fd, ownsFd: shared, pair: p.pair, rx, tx, zeroCopy, needWakeup, shared });
      if (rx) {
        const frames = umem.frames;
        const dflt = tx ? Math.floor(frames.freeCount / 2) : frames.freeCount;
        sock.refill(opts.prefill ?? dflt);
      }
      return sock;
    } catch (e) {
      for (const f of cleanup.reverse()) f();
      if (shared) closeFd(fd);
      throw e;
    }
  }

  /** The socket fd (for poll, for an XSKMAP entry). */
  get fd(): number {
    if (this.#closed) throw new XskClosedError('AF_XDP socket is closed');
    return this.#fd;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get hasRx(): boolean {
    return this.#rx !== undefined;
  }

  get hasTx(): boolean {
    return this.#tx !== undefined;
  }

  #closedError(): never {
    throw new XskClosedError('AF_XDP socket is closed');
  }

  #rxRing(): ConsumerRing {
    if (this.#closed) this.#closedError();
    const r = this.#rx;
    if (r === undefined) throw new XskError('this socket has no RX ring');
    return r;
  }

  #txRing(): ProducerRing {
    if (this.#closed) this.#closedError();
    const t = this.#tx;
    if (t === undefined) throw new XskError('this socket has no TX ring');
    return t;
  }

  // ---- RX -------------------------------------------------------------------------------

  /** Frames waiting in the RX ring (without taking them). */
  rxAvailable(): number {
    return this.#rxRing().available();
  }

  /**
   * Take up to `max` received frames as the current batch (release the previous one
   * first). Frame i of the batch is at addr(i) with length(i), or frame(i) as a view.
   */
  peek(max = 64): number {
    countArg('peek', max, false);
    const rx = this.#rxRing();
    if (rx.peeked !== 0) throw new FrameOwnershipError('release() the previous batch before peek()');
    return rx.peek(Math.min(max, MAX_BATCH));
  }

  /** Frames in the current batch. */
  get batchSize(): number {
    return this.#rx?.peeked ?? 0;
  }

  /** UMEM address of frame i of the batch (where the packet starts). */
  addr(i: number): number {
    const rx = this.#rxRing();
    if (i >= rx.peeked || i < 0) throw new RangeError(`frame ${i} is not in the current batch of ${rx.peeked}`);
    return rx.addr(rx.peekIndex + i);
  }

  /** Length of frame i of the batch. */
  length(i: number): number {
    const rx = this.#rxRing();
    if (i >= rx.peeked || i < 0) throw new RangeError(`frame ${i} is not in the current batch of ${rx.peeked}`);
    return rx.len(rx.peekIndex + i);
  }

  /** Frame i of the batch as a view into the UMEM (no copy): valid until release(). */
  frame(i: number): Uint8Array {
    const a = this.addr(i);
    return (this.#bytes ?? this.bytes).subarray(a, a + this.length(i));
  }

  /** The UMEM's bytes (what addr(i) indexes); see Umem.bytes for its life after close. */
  get bytes(): Uint8Array {
    if (this.#closed) this.#closedError();
    // Taken on first use: a UMEM whose bytes were never handed out is unmapped at once on close.
    this.#bytes ??= this.umem.bytes;
    return this.#bytes;
  }

  /** Keep frame i past release() (to transmit it, or free it later); returns its address. */
  take(i: number): number {
    const a = this.addr(i);
    if (this.#taken[i] === 1) throw new FrameOwnershipError(`frame ${i} of the batch was already taken`);
    this.#frames.move(this.#frames.frameOf(a), FrameState.FILL, FrameState.USER);
    this.#taken[i] = 1;
    this.#takenCount++;
    this.#pair.held--;
    return a;
  }

  /** End the batch: frames not taken go straight back to the fill ring. Returns the batch size. */
  release(): number {
    const rx = this.#rxRing();
    const n = rx.peeked;
    if (n === 0) return 0;
    const start = rx.peekIndex;
    const frames = this.#frames;
    const fill = this.#pair.fill;
    const back = n - this.#takenCount;
    const got = back > 0 ? fill.reserve(back) : 0;
    const fidx = fill.reserveIndex;
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (this.#takenCount !== 0 && this.#taken[i] === 1) {
        this.#taken[i] = 0;
        continue;
      }
      const f = frames.frameOf(rx.addr(start + i));
      if (k < got) fill.setAddr(fidx + k++, f * frames.frameSize);
      else {
        // Cannot happen while at most fill.size frames are in the FILL state; never lose one.
        frames.release(f, FrameState.FILL);
        this.#pair.held--;
      }
    }
    this.#takenCount = 0;
    fill.submit();
    rx.release();
    return n;
  }

  /** Give free frames to the fill ring (up to `max`, never more than it holds); returns how many. */
  refill(max = Infinity): number {
    if (this.#closed) this.#closedError();
    countArg('refill', max, true);
    return this.#pair.refill(this.#frames, max);
  }

  /** With need-wakeup, the kernel may ask to be woken to refill (zero-copy drivers): do so. */
  wakeRx(): void {
    if (this.#closed) this.#closedError();
    if (this.needWakeup && this.#pair.fill.needsWakeup()) recvfrom(this.#fd, null, 0, MSG_DONTWAIT);
  }

  /**
   * Resolve true when the RX ring has frames (poll(2) in a helper thread, so neither the
   * event loop nor a core is held), false after `timeoutMs` or when the socket closes.
   */
  async readable(timeoutMs = Infinity): Promise<boolean> {
    if (this.#closed) return false;
    if (this.#rxRing().available() > 0) return true;
    this.#waiter ??= new FdReadinessWaiter(this.#fd);
    return this.#waiter.wait(timeoutMs);
  }

  /**
   * `for await (const frame of xsk)`: received frames as views into the UMEM, each valid
   * until the loop moves past its batch (see frames() for options such as idleMs).
   */
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    return frames(this);
  }

  // ---- TX -------------------------------------------------------------------------------

  /** A free frame's address for building a packet, or -1 when every frame is in use. */
  alloc(): number {
    if (this.#closed) this.#closedError();
    let f = this.#frames.alloc();
    if (f < 0) {
      this.complete();
      f = this.#frames.alloc();
    }
    return f < 0 ? -1 : f * this.#frames.frameSize;
  }

  /** Return a frame you hold (from alloc() or take()) to the free pool without sending it. */
  freeFrame(addr: number): void {
    if (this.#closed) this.#closedError();
    this.#frames.release(this.#frames.frameOf(addr), FrameState.USER);
  }

  /** Queue the frame you hold at `addr` for transmission; false when the TX ring is full. */
  send(addr: number, len: number): boolean {
    const tx = this.#txRing();
    const frames = this.#frames;
    const f = frames.frameOf(addr);
    const inFrame = addr - f * frames.frameSize;
    if (!Number.isInteger(len) || len <= 0 || inFrame + len > frames.frameSize) throw new RangeError(`a ${len}-byte packet at offset ${inFrame} does not fit a ${frames.frameSize}-byte frame`);
    if (tx.reserve(1) === 0) return false;
    frames.move(f, FrameState.USER, FrameState.TX);
    tx.setDesc(tx.reserveIndex + tx.pending - 1, addr, len);
    return true;
  }

  /** Free slots in the TX ring. */
  txFree(): number {
    return this.#txRing().free(this.#tx!.size);
  }

  /**
   * Publish queued frames and wake the kernel when it needs it; returns how many were
   * published. In copy mode one sendto() transmits at most 32 frames (the kernel's
   * per-call budget, reported as EAGAIN), so the kick is repeated until the ring is drained,
   * bounded by the number of frames outstanding.
   */
  flush(): number {
    const tx = this.#txRing();
    const n = tx.submit();
    if (this.needWakeup && !tx.needsWakeup()) return n;
    if (this.zeroCopy) {
      this.kickTx();
      return n;
    }
    const limit = Math.ceil(tx.outstanding() / 32) + 1;
    for (let k = 0; k < limit; k++) if (this.kickTx() !== -EAGAIN) break;
    return n;
  }

  /**
   * sendto(MSG_DONTWAIT): make the kernel process the TX ring. Returns 0, or -EAGAIN (more
   * to send), -EBUSY/-ENOBUFS (reap completions first), -ENETDOWN.
   */
  kickTx(): number {
    if (this.#closed) this.#closedError(); // the fd number may belong to something else by now
    const r = sendto(this.#fd, null, 0, MSG_DONTWAIT);
    return r < 0 ? r : 0;
  }

  /** Sent frames still held by the kernel (published and not completed). */
  txOutstanding(): number {
    return this.#txRing().outstanding();
  }

  /** Move completed TX frames back to the free pool; returns how many. */
  complete(): number {
    if (this.#closed) this.#closedError();
    return this.#pair.reap(this.#frames);
  }

  // ---- state ----------------------------------------------------------------------------

  /** The kernel's counters for this socket. */
  statistics(): XdpStatistics {
    return xskStatistics(this.fd);
  }

  /** @internal run `f` when the socket closes (e.g. remove its XSKMAP entry). */
  onClose(f: () => void): void {
    this.#onClose.push(f);
  }

  /** Unmap the rings and close the fd (the UMEM stays; close it separately). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const f of this.#onClose.splice(0)) {
      try {
        f();
      } catch {
        // best effort: the fd close below ends the kernel side anyway
      }
    }
    // The poll helper must let go of the fd before it is closed (fd numbers are reused).
    this.#waiter?.close();
    this.#rx?.close();
    this.#tx?.close();
    if (this.#ownsFd) closeFd(this.#fd);
    this.#bytes = undefined;
    this.umem.removeUser(this);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** need-wakeup of a UMEM's first socket (shared sockets inherit it). */
const umemNeedWakeup = new WeakMap<Umem, boolean>();
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * bind, retrying EBUSY for up to ~200 ms: the kernel frees a closed socket's claim on its
 * queue in a deferred work item, so closing and re-binding the same queue can race with it.
 */
function bindRetryingBusy(fd: number, ifindex: number, queue: number, flags: number, sharedFd: number): void {
  for (let attempt = 0; ; attempt++) {
    try {
      xskBind(fd, ifindex, queue, flags, sharedFd);
      return;
    } catch (e) {
      if (!(e instanceof SystemError) || e.errnoName !== 'EBUSY' || attempt >= 100) throw e;
      Atomics.wait(sleeper, 0, 0, 2);
    }
  }
}

function bindHint(errnoName: string): string | undefined {
  switch (errnoName) {
    case 'EBUSY':
      return 'another AF_XDP socket is bound to this queue already';
    case 'EINVAL':
      return 'no such queue on this device, or flags the kernel refuses (shared sockets take no mode flags)';
    case 'ENETDOWN':
      return 'the interface is down: ip link set dev IF up';
    default:
      return undefined;
  }
}

/** A batch size argument: a non-negative integer (or Infinity where `unbounded`); XskError otherwise. */
function countArg(what: string, n: number, unbounded: boolean): void {
  if (!(Number.isInteger(n) && n >= 0) && !(unbounded && n === Number.POSITIVE_INFINITY)) {
    throw new XskError(`${what}(${n}): the count must be a non-negative integer`);
  }
}
