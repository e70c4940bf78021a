// The shared memory of a BPF_MAP_TYPE_RINGBUF map, mapped the way libbpf's ring_buffer does
// (kernel/bpf/ringbuf.c, ringbuf_map_mmap_kern):
//   offset 0, one page, read-write: the consumer page; consumer_pos (u64) at its start is the
//     only thing userspace writes.
//   offset 1 page, read-only (the kernel refuses PROT_WRITE there): the producer page with
//     producer_pos (u64), then the data area mapped twice in a row (2 × max_entries bytes), so
//     a record that wraps around the end is contiguous in memory.
// Both parts are MappedRegions (xsk-memory.ts), the producer part read-only. Views never leave
// the owner (the loader's RingBuffer copies records out), so unmap() really unmaps.
//
// fcntl (to give the reader its own fd) and sysconf (the page size) are bound in libc.ts.
import { SystemError } from './errors.js';
import { c, errno } from './libc.js';
import { MappedRegion, RegionUnmappedError } from './xsk-memory.js';

const F_DUPFD_CLOEXEC = 1030;
const SC_PAGESIZE = 30;


/** A new close-on-exec fd referring to the same open file (fcntl F_DUPFD_CLOEXEC). */
export function dupFd(fd: number): number {
  const r = c().fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (r < 0) throw new SystemError('fcntl', errno(), `F_DUPFD_CLOEXEC of fd ${fd}`);
  return r;
}

let pageBytes: number | undefined;
/** The system page size (sysconf(_SC_PAGESIZE)); ring buffer offsets are in pages. */
export function systemPageSize(): number {
  if (pageBytes !== undefined) return pageBytes;
  const p = Number(c().sysconf(SC_PAGESIZE));
  pageBytes = Number.isInteger(p) && p > 0 ? p : 4096;
  return pageBytes;
}

interface Views {
  readonly consumerPos: BigUint64Array;
  readonly producerPos: BigUint64Array;
  readonly data: Uint8Array;
  readonly words: Uint32Array;
}

export class RingbufMemory {
  /** Data area size (the map's max_entries, a power of two multiple of the page size). */
  readonly size: number;
  readonly #consumer: MappedRegion;
  readonly #producer: MappedRegion;
  #views: Views | undefined;

  private constructor(size: number, consumer: MappedRegion, producer: MappedRegion, page: number) {
    this.size = size;
    this.#consumer = consumer;
    this.#producer = producer;
    this.#views = {
      consumerPos: new BigUint64Array(consumer.buffer, 0, 1),
      producerPos: new BigUint64Array(producer.buffer, 0, 1),
      data: new Uint8Array(producer.buffer, page, 2 * size),
      words: new Uint32Array(producer.buffer, page, (2 * size) / 4),
    };
  }

  /** Map the ring buffer map open as `fd`, whose max_entries is `size`. */
  static map(fd: number, size: number): RingbufMemory {
    const page = systemPageSize();
    if (!Number.isSafeInteger(size) || size < page || (size & (size - 1)) !== 0 || size > 2 ** 34) {
      throw new RangeError(`ring buffer size ${size} is not a power of two multiple of the page size`);
    }
    const consumer = MappedRegion.ofFd(fd, page, 0n);
    let producer: MappedRegion;
    try {
      producer = MappedRegion.ofFd(fd, page + 2 * size, BigInt(page), { readOnly: true, populate: false });
    } catch (e) {
      consumer.unmap();
      throw e;
    }
    return new RingbufMemory(size, consumer, producer, page);
  }

  get mapped(): boolean {
    return this.#views !== undefined;
  }

  /** Start addresses and lengths of the two mappings (empty once unmapped). */
  get ranges(): readonly { readonly address: bigint; readonly length: number }[] {
    if (!this.#views) return [];
    return [
      { address: this.#consumer.address, length: this.#consumer.length },
      { address: this.#producer.address, length: this.#producer.length },
    ];
  }

  #v(): Views {
    const v = this.#views;
    if (!v) throw new RegionUnmappedError('ring buffer memory was unmapped');
    return v;
  }

  /** consumer_pos (one u64 element, read-write; store with Atomics.store). */
  get consumerPos(): BigUint64Array {
    return this.#v().consumerPos;
  }

  /** producer_pos (one u64 element, read-only; load with Atomics.load). */
  get producerPos(): BigUint64Array {
    return this.#v().producerPos;
  }

  /** The doubly mapped data area, 2 × size bytes (read-only). */
  get data(): Uint8Array {
    return this.#v().data;
  }

  /** The data area as u32 words, for acquire loads of record headers (read-only). */
  get words(): Uint32Array {
    return this.#v().words;
  }

  /** Release both mappings. Idempotent. */
  unmap(): void {
    if (!this.#views) return;
    this.#views = undefined;
    this.#producer.unmap();
    this.#consumer.unmap();
  }
}
