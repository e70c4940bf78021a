// A UMEM: one mmap'ed region cut into equal frames, registered with the kernel through
// XDP_UMEM_REG on an AF_XDP socket fd, with the fill and completion rings of that fd.
import { closeFd } from '../sys/index.js';
import { xskRegisterUmem, xskSocket } from '../sys/xsk-abi.js';
import { MappedRegion } from '../sys/xsk-memory.js';
import { XskClosedError, XskError } from './errors.js';
import { FillCompletion } from './fill-completion.js';
import { FrameTable } from './frames.js';

export interface UmemOptions {
  /** Number of frames (default 4096). */
  readonly frameCount?: number;
  /** Bytes per frame: a power of two from 2048 to 4096 (default 4096). */
  readonly frameSize?: number;
  /** Bytes kept free before each received packet, after the kernel's own 256 (default 0). */
  readonly headroom?: number;
  /** Entries of the fill ring (power of two, default 2048). */
  readonly fillSize?: number;
  /** Entries of the completion ring (power of two, default 2048). */
  readonly completionSize?: number;
  /** Use 2 MiB huge pages when the system has them reserved (falls back with `note`). */
  readonly hugePages?: boolean;
}

/** Anything that closes with the UMEM (its sockets). */
export interface UmemUser {
  close(): void;
}

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

export function checkRingSize(what: string, n: number): number {
  if (!isPow2(n) || n > 1 << 20) throw new XskError(`${what} ${n} must be a power of two no larger than 1048576`);
  return n;
}

export class Umem {
  readonly frameCount: number;
  readonly frameSize: number;
  readonly headroom: number;
  /** Bytes registered (frameCount × frameSize). */
  readonly length: number;
  readonly hugePages: boolean;
  /** Why huge pages were not used, when they were asked for. */
  readonly note: string | undefined;
  readonly frames: FrameTable;
  readonly #region: MappedRegion;
  #fd: number;
  #bytes: Uint8Array | undefined;
  /** Fill/completion pairs by "ifindex:queue"; the UMEM fd's own pair is `primary`. */
  readonly primary: FillCompletion;
  #primaryBound: string | undefined;
  readonly #pairs = new Map<string, FillCompletion>();
  readonly #users = new Set<UmemUser>();
  /** RX/TX ring sizes already created on the UMEM fd (they survive a failed bind). */
  readonly primaryRings: { rx?: number; tx?: number } = {};

  private constructor(opts: Required<Omit<UmemOptions, 'hugePages' | 'fillSize' | 'completionSize'>>, region: MappedRegion, fd: number, primary: FillCompletion) {
    this.frameCount = opts.frameCount;
    this.frameSize = opts.frameSize;
    this.headroom = opts.headroom;
    this.length = opts.frameCount * opts.frameSize;
    this.hugePages = region.hugePages;
    this.note = region.note;
    this.frames = new FrameTable(opts.frameCount, opts.frameSize);
    this.#region = region;
    this.#fd = fd;
    this.primary = primary;
  }

  static create(opts: UmemOptions = {}): Umem {
    const frameCount = opts.frameCount ?? 4096;
    const frameSize = opts.frameSize ?? 4096;
    const headroom = opts.headroom ?? 0;
    if (!Number.isInteger(frameCount) || frameCount < 1 || frameCount > 1 << 20) throw new XskError(`frame count ${frameCount} must be an integer from 1 to 1048576`);
    if (!isPow2(frameSize) || frameSize < 2048 || frameSize > 4096) throw new XskError(`frame size ${frameSize} must be 2048 or 4096 (aligned UMEM chunks are powers of two up to the page size)`);
    if (!Number.isInteger(headroom) || headroom < 0 || headroom > frameSize - 256 - 128) throw new XskError(`headroom ${headroom} leaves no room for a packet in a ${frameSize}-byte frame`);
    const fillSize = checkRingSize('fill ring size', opts.fillSize ?? 2048);
    const completionSize = checkRingSize('completion ring size', opts.completionSize ?? 2048);

    const region = MappedRegion.anonymous(frameCount * frameSize, { hugePages: opts.hugePages ?? false });
    let fd = -1;
    try {
      fd = xskSocket();
      xskRegisterUmem(fd, { address: region.address, length: frameCount * frameSize, chunkSize: frameSize, headroom, flags: 0 });
      const primary = FillCompletion.create(fd, fillSize, completionSize);
      return new Umem({ frameCount, frameSize, headroom }, region, fd, primary);
    } catch (e) {
      closeFd(fd);
      region.unmap();
      throw e;
    }
  }

  /** The fd the UMEM is registered on (sockets that share the UMEM name it at bind). */
  get fd(): number {
    if (this.#fd < 0) throw new XskClosedError('UMEM is closed');
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /**
   * The whole UMEM as bytes (frame data lives at the addresses the rings carry). After
   * close() this array reads zeros and no longer aliases packet memory; use the socket's
   * accessors, which throw XskClosedError, rather than keeping it.
   */
  get bytes(): Uint8Array {
    if (this.#fd < 0) throw new XskClosedError('UMEM is closed');
    this.#bytes ??= new Uint8Array(this.#region.exposedBuffer(), 0, this.length);
    return this.#bytes;
  }

  /** A view of `length` bytes at UMEM address `addr` (no copy). */
  view(addr: number, length: number): Uint8Array {
    const b = this.bytes;
    if (!Number.isInteger(addr) || !Number.isInteger(length) || addr < 0 || length < 0 || addr + length > this.length) throw new RangeError(`UMEM range ${addr}+${length} is outside 0..${this.length}`);
    return b.subarray(addr, addr + length);
  }

  /**
   * The fill/completion pair for a socket on (ifindex, queue). The first socket takes the
   * UMEM fd itself (`useUmemFd`); later ones on the same queue share that pair; on another
   * queue or device they bring their own rings on their own fd (`fdForNewPair`).
   */
  pairFor(ifindex: number, queue: number, fdForNewPair: number, fillSize: number, completionSize: number): { pair: FillCompletion; useUmemFd: boolean; shared: boolean } {
    const key = `${ifindex}:${queue}`;
    if (this.#primaryBound === undefined) {
      this.#primaryBound = key;
      this.#pairs.set(key, this.primary);
      return { pair: this.primary, useUmemFd: true, shared: false };
    }
    const existing = this.#pairs.get(key);
    if (existing) return { pair: existing, useUmemFd: false, shared: true };
    const pair = FillCompletion.create(fdForNewPair, fillSize, completionSize);
    this.#pairs.set(key, pair);
    return { pair, useUmemFd: false, shared: true };
  }

  /** Whether the primary fd is already bound (the next socket must share). */
  get primaryTaken(): boolean {
    return this.#primaryBound !== undefined;
  }

  /** Undo pairFor() when the bind that followed it failed. */
  forgetPair(ifindex: number, queue: number, pair: FillCompletion): void {
    const key = `${ifindex}:${queue}`;
    if (this.#pairs.get(key) !== pair) return;
    this.#pairs.delete(key);
    if (pair === this.primary) this.#primaryBound = undefined;
    else pair.close();
  }

  /** @internal sockets register so that closing the UMEM closes them first. */
  addUser(u: UmemUser): void {
    this.#users.add(u);
  }

  /** @internal */
  removeUser(u: UmemUser): void {
    this.#users.delete(u);
  }

  /** Close every socket on this UMEM, unmap the rings and the frames, close the fd. */
  close(): void {
    if (this.#fd < 0) return;
    for (const u of [...this.#users]) u.close();
    this.#users.clear();
    const fd = this.#fd;
    this.#fd = -1;
    for (const p of this.#pairs.values()) if (p !== this.primary) p.close();
    this.#pairs.clear();
    this.primary.close();
    // Close before unmapping: the kernel keeps the pages pinned until the last socket on
    // the UMEM is gone, so the order only matters for our own views.
    closeFd(fd);
    this.#bytes = undefined;
    this.#region.unmap();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
