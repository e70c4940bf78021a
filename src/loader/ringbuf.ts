// Userspace reader of a BPF_MAP_TYPE_RINGBUF map (what libbpf's ring_buffer__consume and
// ring_buffer__poll do). The map's memory is shared with the kernel:
//   consumer_pos (u64, ours to write), producer_pos (u64, the kernel's), and a data area of
//   `size` bytes mapped twice so records that wrap are contiguous.
// Each record starts at an 8-byte aligned position with a u32 length whose bit 31 (BUSY) says
// the producer has reserved but not yet committed it and bit 30 (DISCARD) says it was thrown
// away, then a u32 page offset (kernel use), then the data, padded to 8 bytes.
//
// Memory ordering (the kernel pairs these with smp_store_release): producer_pos and each header
// are read with Atomics.load (acquire: a record's bytes are visible once its header says it
// is committed), and consumer_pos is written with Atomics.store (release: we are done with the
// bytes before the producer may reuse them). Records are copied out: the region is reused.
import { closeFd, POLLIN, poll as sysPoll } from '../sys/index.js';
import { MapType } from '../elf/bpf-enums.js';
import { dupFd, RingbufMemory } from '../sys/ringbuf-memory.js';
import { FdObject } from './fd-object.js';
import type { BpfMap } from './map.js';

export const RINGBUF_BUSY_BIT = 0x80000000;
export const RINGBUF_DISCARD_BIT = 0x40000000;
export const RINGBUF_HDR_SIZE = 8;
const LEN_MASK = 0x3fffffff;

/** A map that is not a ring buffer, or memory that does not look like one. */
export class RingBufferError extends Error {
  override readonly name = 'RingBufferError';
}

export class RingBuffer extends FdObject {
  /** Data area size in bytes (the map's max_entries). */
  readonly size: number;
  /** Name of the map read. */
  readonly mapName: string;
  readonly #mem: RingbufMemory;
  readonly #mask: bigint;
  readonly #pollfd = new Uint8Array(8);

  private constructor(fd: number, mem: RingbufMemory, mapName: string) {
    super(fd);
    this.#mem = mem;
    this.size = mem.size;
    this.#mask = BigInt(mem.size - 1);
    this.mapName = mapName;
  }

  /**
   * Map `map`'s ring for reading. The reader holds its own fd (a dup) and mappings, so it
   * outlives `map.close()` until it is closed itself.
   */
  static open(map: BpfMap): RingBuffer {
    if (map.type !== MapType.RINGBUF) throw new RingBufferError(`map ${map.name || '(unnamed)'} is a ${map.typeName} map, not a ringbuf`);
    const fd = dupFd(map.fd);
    try {
      return new RingBuffer(fd, RingbufMemory.map(fd, map.maxEntries), map.name);
    } catch (e) {
      closeFd(fd);
      throw e;
    }
  }

  /** Bytes between consumer_pos and producer_pos (committed, busy and discarded records). */
  get available(): number {
    void this.fd; // throws once closed
    const m = this.#mem;
    return Number(Atomics.load(m.producerPos, 0) - Atomics.load(m.consumerPos, 0));
  }

  /**
   * Hand every committed record to `cb` (a copy), in order, skipping discarded ones, and
   * advance consumer_pos past each. Stops at a record still being written, after `max`
   * records, or after one ring's worth of bytes (so a producer that never pauses cannot keep
   * the call going forever). Returns the number of records delivered. If `cb` throws, its
   * record counts as consumed and the error propagates.
   */
  consume(cb: (record: Uint8Array) => void, max = Number.POSITIVE_INFINITY): number {
    void this.fd;
    const m = this.#mem;
    const consumerPos = m.consumerPos;
    const producerPos = m.producerPos;
    const words = m.words;
    const data = m.data;
    let pos = Atomics.load(consumerPos, 0);
    const limit = pos + BigInt(this.size);
    let end = Atomics.load(producerPos, 0);
    let n = 0;
    while (n < max && pos < limit) {
      if (pos >= end) {
        end = Atomics.load(producerPos, 0); // more may have arrived meanwhile
        if (pos >= end) break;
      }
      const at = Number(pos & this.#mask);
      const hdr = Atomics.load(words, at >>> 2);
      if ((hdr & RINGBUF_BUSY_BIT) !== 0) break;
      const len = hdr & LEN_MASK;
      if (len > this.size - RINGBUF_HDR_SIZE) {
        throw new RingBufferError(`ring buffer ${this.mapName || '(unnamed)'}: record at position ${pos} claims ${len} bytes (ring is ${this.size})`);
      }
      pos += BigInt((len + RINGBUF_HDR_SIZE + 7) & ~7);
      const discarded = (hdr & RINGBUF_DISCARD_BIT) !== 0;
      const record = discarded ? undefined : data.slice(at + RINGBUF_HDR_SIZE, at + RINGBUF_HDR_SIZE + len);
      Atomics.store(consumerPos, 0, pos);
      if (record) {
        n++;
        cb(record);
      }
    }
    return n;
  }

  /** The committed records available now (copies, in order); see consume(). */
  poll(max = Number.POSITIVE_INFINITY): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.consume((r) => out.push(r), max);
    return out;
  }

  /**
   * Wait until data is available or `timeoutMs` passes (0: just check; -1: no limit — this
   * blocks the event loop, so prefer short timeouts). poll(2) on the map fd says readable
   * when producer_pos is ahead of consumer_pos (the kernel's own check, so it also counts
   * busy and discarded records). Returns whether data is available.
   */
  wait(timeoutMs: number): boolean {
    const fd = this.fd;
    if (!Number.isInteger(timeoutMs) || timeoutMs < -1 || timeoutMs > 0x7fffffff) throw new RangeError(`bad timeout ${timeoutMs} ms`);
    const dv = new DataView(this.#pollfd.buffer);
    dv.setInt32(0, fd, true);
    dv.setInt16(4, POLLIN, true);
    dv.setInt16(6, 0, true);
    const r = sysPoll(this.#pollfd, 1, timeoutMs);
    return r > 0 && (dv.getInt16(6, true) & POLLIN) !== 0;
  }

  /** Address and length of each mapping (consumer page, producer page + data); empty once closed. */
  get mappings(): readonly { readonly address: bigint; readonly length: number }[] {
    return this.#mem.ranges;
  }

  protected override onClose(): void {
    this.#mem.unmap();
  }
}
