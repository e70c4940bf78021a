// Reading BPF ring buffer records from its shared memory (pure: the views come from whoever
// mapped it). Layout (kernel/bpf/ringbuf.c): a consumer page holding consumer_pos (u64,
// written by userspace), a producer page holding producer_pos (u64), then the data area,
// mapped twice in a row so a record that wraps is contiguous. Each record: u32 length with
// BUSY (bit 31: being written) and DISCARD (bit 30) flags, u32 page offset, then the data,
// padded to 8 bytes.

export const RINGBUF_BUSY_BIT = 0x80000000;
export const RINGBUF_DISCARD_BIT = 0x40000000;
export const RINGBUF_HDR_SIZE = 8;

export interface RingbufViews {
  /** The consumer page (read-write mapping at offset 0). */
  readonly consumer: DataView;
  /** The producer page (read-only mapping at page offset). */
  readonly producer: DataView;
  /** The data area, 2 × size bytes (the double mapping). */
  readonly data: Uint8Array;
  /** Data area size: the map's max_entries (a power of two). */
  readonly size: number;
}

/**
 * Take the committed records (copies), advance consumer_pos past them (and past discarded
 * ones), stop at a record still being written. At most `max` records per call.
 */
export function takeRecords(v: RingbufViews, max = 4096): Uint8Array[] {
  const out: Uint8Array[] = [];
  const mask = v.size - 1;
  let cons = v.consumer.getBigUint64(0, true);
  const prod = v.producer.getBigUint64(0, true);
  const dv = new DataView(v.data.buffer, v.data.byteOffset, v.data.byteLength);
  while (cons < prod && out.length < max) {
    const at = Number(cons & BigInt(mask));
    const len = dv.getUint32(at, true);
    if ((len & RINGBUF_BUSY_BIT) !== 0) break;
    const n = len & ~(RINGBUF_BUSY_BIT | RINGBUF_DISCARD_BIT);
    if (n > v.size) break; // corrupted view: never read past the double mapping
    if ((len & RINGBUF_DISCARD_BIT) === 0) out.push(v.data.slice(at + RINGBUF_HDR_SIZE, at + RINGBUF_HDR_SIZE + n));
    cons += BigInt((n + RINGBUF_HDR_SIZE + 7) & ~7);
  }
  v.consumer.setBigUint64(0, cons, true);
  return out;
}
