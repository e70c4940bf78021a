// The four AF_XDP rings: single-producer/single-consumer queues shared with the kernel.
//
// Each ring is one mapping of the socket fd: a producer word, a consumer word, a flags word
// and a power-of-two array of entries (u64 UMEM addresses for fill/completion, 16-byte
// xdp_desc for RX/TX). Indices are free-running u32 counters; entry i lives at i & mask.
//
// Memory ordering (what the kernel's xsk_queue.h expects of the other side):
//  - producer: write entries, then publish with a release store of `producer`;
//  - consumer: acquire-load `producer`, read entries, then release-store `consumer` so the
//    producer may reuse the slots.
// Atomics.load/Atomics.store on the Uint32Array index words are sequentially consistent
// (V8 emits them as atomic instructions, x86 xchg / arm64 ldar/stlr, and never moves
// ordinary typed-array accesses across them), which is at least acquire/release.
// Like libxdp, each side caches the other side's index and re-reads it only when the cache
// says the ring is full/empty, so the shared cache line is touched once per batch.
import { type RingOffsets, XDP_RING_NEED_WAKEUP } from '../sys/xsk-abi.js';
import type { MappedRegion } from '../sys/xsk-memory.js';

const TWO32 = 4294967296;
const EMPTY = new Uint32Array(1);

abstract class Ring {
  readonly size: number;
  protected readonly mask: number;
  /** u32 words per entry: 2 (u64 address) or 4 (xdp_desc). */
  protected readonly stride: number;
  protected prodWord: Uint32Array;
  protected consWord: Uint32Array;
  protected flagsWord: Uint32Array;
  protected entries: Uint32Array;
  readonly #region: MappedRegion;

  protected constructor(region: MappedRegion, off: RingOffsets, size: number, entryBytes: number) {
    this.#region = region;
    this.size = size;
    this.mask = size - 1;
    this.stride = entryBytes / 4;
    const buf = region.buffer;
    this.prodWord = new Uint32Array(buf, off.producer, 1);
    this.consWord = new Uint32Array(buf, off.consumer, 1);
    this.flagsWord = new Uint32Array(buf, off.flags, 1);
    this.entries = new Uint32Array(buf, off.desc, size * this.stride);
  }

  /** Bytes to map for a ring of `size` entries with these offsets. */
  static mapLength(off: RingOffsets, size: number, entryBytes: number): number {
    return off.desc + size * entryBytes;
  }

  /** The kernel asks to be woken with a syscall (XDP_USE_NEED_WAKEUP). */
  needsWakeup(): boolean {
    return (Atomics.load(this.flagsWord, 0) & XDP_RING_NEED_WAKEUP) !== 0;
  }

  /** Unmap; every view is swapped for a private dummy so no later access can fault. */
  close(): void {
    if (!this.#region.mapped) return;
    this.prodWord = this.consWord = this.flagsWord = new Uint32Array(1);
    this.entries = EMPTY;
    this.#region.unmap();
  }

  get closed(): boolean {
    return !this.#region.mapped;
  }
}

/** A ring user space produces into: fill (addresses) and TX (descriptors). */
export class ProducerRing extends Ring {
  #cachedProd: number;
  #cachedCons: number;
  /** Slots reserved but not yet submitted start at #cachedProd - #reserved. */
  #reserved = 0;

  constructor(region: MappedRegion, off: RingOffsets, size: number, entryBytes: number) {
    super(region, off, size, entryBytes);
    this.#cachedProd = Atomics.load(this.prodWord, 0);
    this.#cachedCons = Atomics.load(this.consWord, 0);
  }

  /** Free slots (re-reading the consumer index only when fewer than `want` are known free). */
  free(want = 1): number {
    let free = this.size - ((this.#cachedProd - this.#cachedCons) >>> 0);
    if (free >= want) return free;
    this.#cachedCons = Atomics.load(this.consWord, 0);
    free = this.size - ((this.#cachedProd - this.#cachedCons) >>> 0);
    return free;
  }

  /** Reserve up to `n` slots; returns how many, starting at index `reserveIndex`. */
  reserve(n: number): number {
    const got = Math.min(n, this.free(n));
    if (!(got > 0)) return 0; // NaN too: it would move the producer index to 0
    this.#cachedProd = (this.#cachedProd + got) >>> 0;
    this.#reserved += got;
    return got;
  }

  /** Index of the first slot of what reserve() just returned. */
  get reserveIndex(): number {
    return (this.#cachedProd - this.#reserved) >>> 0;
  }

  /** Entries reserved and not yet submitted. */
  get pending(): number {
    return this.#reserved;
  }

  /** Fill/completion rings: the address at ring index `idx`. */
  setAddr(idx: number, addr: number): void {
    const w = (idx & this.mask) << 1;
    if (addr < TWO32) {
      this.entries[w] = addr;
      this.entries[w + 1] = 0;
    } else {
      this.entries[w] = addr % TWO32;
      this.entries[w + 1] = Math.floor(addr / TWO32);
    }
  }

  /** RX/TX rings: the descriptor at ring index `idx`. */
  setDesc(idx: number, addr: number, len: number, options = 0): void {
    const w = (idx & this.mask) << 2;
    const e = this.entries;
    if (addr < TWO32) {
      e[w] = addr;
      e[w + 1] = 0;
    } else {
      e[w] = addr % TWO32;
      e[w + 1] = Math.floor(addr / TWO32);
    }
    e[w + 2] = len;
    e[w + 3] = options;
  }

  /** Publish every reserved entry to the kernel (release store of the producer index). */
  submit(): number {
    const n = this.#reserved;
    if (n === 0) return 0;
    this.#reserved = 0;
    Atomics.store(this.prodWord, 0, this.#cachedProd);
    return n;
  }

  /** Entries published and not yet consumed by the kernel. */
  outstanding(): number {
    return (Atomics.load(this.prodWord, 0) - Atomics.load(this.consWord, 0)) >>> 0;
  }
}

/** A ring user space consumes from: RX (descriptors) and completion (addresses). */
export class ConsumerRing extends Ring {
  #cachedProd: number;
  #cachedCons: number;
  /** Entries peeked and not yet released start at #cachedCons - #peeked. */
  #peeked = 0;

  constructor(region: MappedRegion, off: RingOffsets, size: number, entryBytes: number) {
    super(region, off, size, entryBytes);
    this.#cachedProd = Atomics.load(this.prodWord, 0);
    this.#cachedCons = Atomics.load(this.consWord, 0);
  }

  /** Entries ready (re-reading the producer index when the cache holds fewer than `want`). */
  available(want = 1): number {
    let n = (this.#cachedProd - this.#cachedCons) >>> 0;
    if (n < want) {
      this.#cachedProd = Atomics.load(this.prodWord, 0);
      n = (this.#cachedProd - this.#cachedCons) >>> 0;
    }
    return n;
  }

  /** Take up to `max` entries; they start at `peekIndex` and stay valid until release(). */
  peek(max: number): number {
    const n = Math.min(max, this.available(max));
    if (!(n > 0)) return 0; // NaN too: it would move the consumer index to 0
    this.#cachedCons = (this.#cachedCons + n) >>> 0;
    this.#peeked += n;
    return n;
  }

  /** Index of the first entry of the peeked batch. */
  get peekIndex(): number {
    return (this.#cachedCons - this.#peeked) >>> 0;
  }

  get peeked(): number {
    return this.#peeked;
  }

  addr(idx: number): number {
    const w = (idx & this.mask) * this.stride;
    const hi = this.entries[w + 1]!;
    // UMEMs under 4 GiB (the usual case) stay in integer arithmetic.
    return hi === 0 ? this.entries[w]! : this.entries[w]! + hi * TWO32;
  }

  /** RX: the frame length of the descriptor at `idx`. */
  len(idx: number): number {
    return this.entries[((idx & this.mask) << 2) + 2]!;
  }

  /** RX: the options word (XDP_PKT_CONTD for multi-buffer frames). */
  options(idx: number): number {
    return this.entries[((idx & this.mask) << 2) + 3]!;
  }

  /** Hand every peeked slot back to the kernel (release store of the consumer index). */
  release(): number {
    const n = this.#peeked;
    if (n === 0) return 0;
    this.#peeked = 0;
    Atomics.store(this.consWord, 0, this.#cachedCons);
    return n;
  }
}
