// What a program module exports besides programs: maps (with typed key and value schemas)
// and load-time constants (`.rodata`, like libbpf's `volatile const`).
import { SchemaError } from './errors.js';
import { u32, type ScalarSchema, type Schema, type ValueOf } from './schema/types.js';

export type MapType =
  | 'hash' | 'array' | 'percpu_hash' | 'percpu_array' | 'lru_hash' | 'lru_percpu_hash' | 'lpm_trie'
  | 'ringbuf' | 'devmap' | 'devmap_hash' | 'cpumap' | 'xskmap';

/** BPF_MAP_TYPE_* numbers (include/uapi/linux/bpf.h). */
export const MAP_TYPE_IDS: Readonly<Record<MapType, number>> = {
  hash: 1, array: 2, percpu_hash: 5, percpu_array: 6, lru_hash: 9, lru_percpu_hash: 10, lpm_trie: 11,
  devmap: 14, cpumap: 16, xskmap: 17, devmap_hash: 25, ringbuf: 27,
};

/** BPF_F_NO_PREALLOC: required by LPM tries. */
export const BPF_F_NO_PREALLOC = 1;

export interface MapOptions<K extends Schema, V extends Schema> {
  readonly type: MapType;
  readonly key: K;
  readonly value: V;
  readonly maxEntries: number;
  /** map_flags; BPF_F_NO_PREALLOC is added for lpm_trie. */
  readonly flags?: number;
}

export interface MapDef<K extends Schema = Schema, V extends Schema = Schema> {
  readonly kind: 'xdp-map';
  readonly name: string;
  readonly type: MapType;
  readonly key: K;
  readonly value: V;
  readonly maxEntries: number;
  readonly flags: number;
  /** Per-CPU maps hold one value per possible CPU; updates in the program need no atomics. */
  readonly perCpu: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function checkName(name: string, what: string): void {
  if (!NAME.test(name)) throw new SchemaError(`${what} name '${name}' must be a C identifier of at most 63 characters`);
}

/** Declare a map: `export const counts = map('counts', { type: 'percpu_array', key: u32, value: u64, maxEntries: 4 })`. */
export function map<K extends Schema, V extends Schema>(name: string, opts: MapOptions<K, V>): MapDef<K, V> {
  checkName(name, 'map');
  if (!(opts.type in MAP_TYPE_IDS)) throw new SchemaError(`map '${name}': unknown type '${String(opts.type)}'`);
  if (!Number.isInteger(opts.maxEntries) || opts.maxEntries < 1 || opts.maxEntries > 0x7fffffff) {
    throw new SchemaError(`map '${name}': maxEntries must be a positive integer`);
  }
  if (opts.type === 'lpm_trie' && (opts.key.kind !== 'struct' || opts.key.layout[0]?.schema.size !== 4)) {
    throw new SchemaError(`map '${name}': an LPM trie key is a struct starting with a u32 prefix length`);
  }
  let flags = opts.flags ?? 0;
  if (opts.type === 'lpm_trie') flags |= BPF_F_NO_PREALLOC;
  return Object.freeze({
    kind: 'xdp-map', name, type: opts.type, key: opts.key, value: opts.value, maxEntries: opts.maxEntries, flags,
    perCpu: opts.type === 'percpu_array' || opts.type === 'percpu_hash' || opts.type === 'lru_percpu_hash',
  });
}

/** A ring buffer carrying events of one schema; `size` is in bytes (a power of two ≥ 4096). */
export interface RingbufDef<E extends Schema = Schema> extends MapDef<typeof u32, typeof u32> {
  readonly event: E;
}

export function ringbuf<E extends Schema>(name: string, opts: { readonly event: E; readonly size: number }): RingbufDef<E> {
  checkName(name, 'map');
  const { size } = opts;
  if (!Number.isInteger(size) || size < 4096 || (size & (size - 1)) !== 0) throw new SchemaError(`ringbuf '${name}': size must be a power of two ≥ 4096`);
  return Object.freeze({ kind: 'xdp-map', name, type: 'ringbuf', key: u32, value: u32, maxEntries: size, flags: 0, perCpu: false, event: opts.event });
}

/** A redirect target map: devmap/devmap_hash (ifindex), cpumap (queue size), xskmap (socket fd). */
export function redirectMap(name: string, type: 'devmap' | 'devmap_hash' | 'cpumap' | 'xskmap', maxEntries: number): MapDef<typeof u32, typeof u32> {
  return map(name, { type, key: u32, value: u32, maxEntries });
}

export function isMapDef(x: unknown): x is MapDef {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'xdp-map';
}

/** A load-time constant in `.rodata`: the verifier sees its value, userspace sets it before load. */
export interface ConstDef<S extends ScalarSchema = ScalarSchema> {
  readonly kind: 'xdp-const';
  readonly name: string;
  readonly schema: S;
  readonly initial: ValueOf<S>;
}

export function constant<S extends ScalarSchema>(name: string, schema: S, initial: ValueOf<S>): ConstDef<S> {
  checkName(name, 'constant');
  return Object.freeze({ kind: 'xdp-const', name, schema, initial });
}

export function isConstDef(x: unknown): x is ConstDef {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'xdp-const';
}
