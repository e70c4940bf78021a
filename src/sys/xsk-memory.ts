// Mapped memory seen from JavaScript without the risk of a segfault after munmap.
//
// An ArrayBuffer over mmap'ed memory (koffi's external view) cannot be detached on Node 20,
// so a typed array that outlives munmap would touch unmapped memory and kill the process.
// MappedRegion keeps the buffer private. Code that never lets views escape (the rings)
// reads `buffer` and unmap() really unmaps. Code that hands views out (UMEM frames) calls
// `exposedBuffer()`: unmap() then replaces the range, in one mmap(MAP_FIXED), by a private
// zero-filled anonymous mapping (no swap reserved), so a stale view reads zeros instead of
// faulting, and the placeholder is unmapped once the garbage collector has dropped every
// view (FinalizationRegistry on the ArrayBuffer).
import { SystemError } from './errors.js';
import { MAP_ANONYMOUS, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, mmap, munmap, PROT_READ, PROT_WRITE, viewOf } from './posix.js';

export const MAP_FIXED = 0x10;
export const MAP_NORESERVE = 0x4000;
export const MAP_HUGETLB = 0x40000;
/** Size of a huge page assumed for MAP_HUGETLB (the x86-64/arm64 default). */
export const HUGE_PAGE_SIZE = 2 * 1024 * 1024;
export const PAGE_SIZE = 4096;

/** Access to a region after unmap(). */
export class RegionUnmappedError extends Error {
  override readonly name = 'RegionUnmappedError';
}

interface Held {
  readonly address: bigint;
  readonly length: number;
  /** Something (the region or its placeholder) is still mapped at address. */
  mapped: boolean;
}

// A region whose buffer became unreachable without unmap() (a leak in the caller) is unmapped
// here; a placeholder left by unmap() is unmapped here once its stale views are gone.
const registry = new FinalizationRegistry<Held>((held) => {
  if (!held.mapped) return;
  held.mapped = false;
  try {
    munmap(held.address, held.length);
  } catch {
    // nothing to do in a finalizer
  }
});

export interface AnonymousOptions {
  /** Back the region with 2 MiB huge pages (MAP_HUGETLB); falls back to 4 KiB pages with a note. */
  readonly hugePages?: boolean;
  /** Fault every page in now (MAP_POPULATE), as libxdp's examples do. Default true. */
  readonly populate?: boolean;
}

export class MappedRegion {
  readonly address: bigint;
  readonly length: number;
  /** Backed by huge pages. */
  readonly hugePages: boolean;
  /** Why huge pages were not used when they were asked for. */
  readonly note: string | undefined;
  #buffer: ArrayBuffer | undefined;
  #exposed = false;
  readonly #held: Held;

  private constructor(address: bigint, length: number, hugePages: boolean, note?: string) {
    this.address = address;
    this.length = length;
    this.hugePages = hugePages;
    this.note = note;
    this.#buffer = viewOf(address, length);
    this.#held = { address, length, mapped: true };
    registry.register(this.#buffer, this.#held, this.#held);
  }

  /** Private anonymous read-write memory (a UMEM). */
  static anonymous(length: number, opts: AnonymousOptions = {}): MappedRegion {
    checkLength(length);
    const base = MAP_PRIVATE | MAP_ANONYMOUS | (opts.populate === false ? 0 : MAP_POPULATE);
    let note: string | undefined;
    if (opts.hugePages) {
      const hugeLen = Math.ceil(length / HUGE_PAGE_SIZE) * HUGE_PAGE_SIZE;
      try {
        const addr = mmap(hugeLen, PROT_READ | PROT_WRITE, base | MAP_HUGETLB, -1, 0);
        return new MappedRegion(addr, hugeLen, true);
      } catch (e) {
        if (!(e instanceof SystemError)) throw e;
        note = `huge pages unavailable (mmap MAP_HUGETLB: ${e.errnoName}; reserve some with sysctl vm.nr_hugepages=N): using 4 KiB pages`;
      }
    }
    const addr = mmap(length, PROT_READ | PROT_WRITE, base, -1, 0);
    return new MappedRegion(addr, length, false, note);
  }

  /**
   * A shared mapping of `fd` at byte `offset` (an XSK ring, a ring buffer map's pages).
   * `readOnly` for ranges the kernel refuses to map writable (a ring buffer's producer pages);
   * `populate` (default true) faults the pages in now.
   */
  static ofFd(fd: number, length: number, offset: bigint, opts: { readonly readOnly?: boolean; readonly populate?: boolean } = {}): MappedRegion {
    checkLength(length);
    const prot = opts.readOnly === true ? PROT_READ : PROT_READ | PROT_WRITE;
    const addr = mmap(length, prot, MAP_SHARED | (opts.populate === false ? 0 : MAP_POPULATE), fd, offset);
    return new MappedRegion(addr, length, false);
  }

  get mapped(): boolean {
    return this.#buffer !== undefined;
  }

  /** The bytes, for code that never keeps a view past unmap(). Throws once unmapped. */
  get buffer(): ArrayBuffer {
    const b = this.#buffer;
    if (b === undefined) throw new RegionUnmappedError('memory region was unmapped (its socket or UMEM is closed)');
    return b;
  }

  /** The bytes, for views handed to users that may outlive unmap() (see the file comment). */
  exposedBuffer(): ArrayBuffer {
    const b = this.buffer;
    this.#exposed = true;
    return b;
  }

  /** Release the region. Idempotent. */
  unmap(): void {
    const b = this.#buffer;
    if (b === undefined) return;
    this.#buffer = undefined;
    if (!this.#exposed) {
      registry.unregister(this.#held);
      this.#held.mapped = false;
      munmap(this.address, this.length);
      return;
    }
    // Swap in zero pages at the same address; the registry unmaps them when `b` is collected.
    try {
      mmap(this.length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0, this.address);
    } catch (e) {
      // Should not happen (same range, no reservation); leaving the old mapping in place is
      // the only safe choice, since views may still point at it.
      this.#held.mapped = true;
      throw e;
    }
  }
}

function checkLength(length: number): void {
  if (!Number.isSafeInteger(length) || length <= 0 || length > 2 ** 40) throw new RangeError(`bad mapping length ${length}`);
}
