// Decoding ring buffer records with the event schema. The loader's ring buffer reader (when it
// exists) yields raw records; this turns them into typed events.
import { decode } from '../schema/codec.js';
import type { RingbufDef } from '../declarations.js';
import type { Schema, ValueOf } from '../schema/types.js';

export function decodeEvent<E extends Schema>(rb: RingbufDef<E>, record: Uint8Array): ValueOf<E> {
  return decode(rb.event, record);
}

export function* decodeEvents<E extends Schema>(rb: RingbufDef<E>, records: Iterable<Uint8Array>): IterableIterator<ValueOf<E>> {
  for (const r of records) yield decode(rb.event, r);
}
