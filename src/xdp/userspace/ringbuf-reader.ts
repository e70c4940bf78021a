// Decoding ring buffer records with the event schema. The loader's RingBuffer (src/loader/
// ringbuf.ts) maps the ring and yields raw records; this turns them into typed events. It is
// typed structurally so this folder stays pure (no loader import).
import { decode } from '../schema/codec.js';
import type { RingbufDef } from '../declarations.js';
import type { Schema, ValueOf } from '../schema/types.js';

/** Anything that hands out ring buffer records in order (the loader's RingBuffer). */
export interface RecordSource {
  poll(max?: number): Uint8Array[];
}

export function decodeEvent<E extends Schema>(rb: RingbufDef<E>, record: Uint8Array): ValueOf<E> {
  return decode(rb.event, record);
}

export function* decodeEvents<E extends Schema>(rb: RingbufDef<E>, records: Iterable<Uint8Array>): IterableIterator<ValueOf<E>> {
  for (const r of records) yield decode(rb.event, r);
}

/** Take the events available now from `source` (at most `max`), decoded with `rb`'s schema. */
export function readEvents<E extends Schema>(rb: RingbufDef<E>, source: RecordSource, max?: number): ValueOf<E>[] {
  return source.poll(max).map((r) => decode(rb.event, r));
}
