// The userspace half of a map declaration: the same schemas encode keys and decode values,
// so `map.get(key)` and the BPF program agree on every byte. Wraps any raw map with the
// loader's BpfMap shape (structural: this folder stays free of effects).
import { decode, encode, sumValues } from '../schema/codec.js';
import type { MapDef } from '../declarations.js';
import type { Schema, ValueOf } from '../schema/types.js';

/** The raw operations typed maps need: what src/loader's BpfMap provides. */
export interface RawMap {
  lookup(key: Uint8Array): Uint8Array | undefined;
  lookupPerCpu?(key: Uint8Array): Uint8Array[] | undefined;
  update(key: Uint8Array, value: Uint8Array, mode?: 'any' | 'noexist' | 'exist'): void;
  updatePerCpu?(key: Uint8Array, values: readonly Uint8Array[], mode?: 'any' | 'noexist' | 'exist'): void;
  delete(key: Uint8Array): boolean;
  nextKey(key?: Uint8Array): Uint8Array | undefined;
}

export class TypedMap<K extends Schema, V extends Schema> {
  constructor(
    readonly def: MapDef<K, V>,
    readonly raw: RawMap,
  ) {}

  /** The value (summed over CPUs for per-CPU maps), or undefined. */
  get(key: ValueOf<K>): ValueOf<V> | undefined {
    const k = encode(this.def.key, key);
    if (this.def.perCpu) {
      const all = this.perCpu(key);
      if (all === undefined) return undefined;
      return all.reduce((a, b) => sumValues(this.def.value, a, b));
    }
    const v = this.raw.lookup(k);
    return v === undefined ? undefined : decode(this.def.value, v);
  }

  /** One value per possible CPU (per-CPU maps only). */
  perCpu(key: ValueOf<K>): ValueOf<V>[] | undefined {
    if (this.raw.lookupPerCpu === undefined) throw new TypeError('this raw map has no per-CPU lookup');
    const vs = this.raw.lookupPerCpu(encode(this.def.key, key));
    return vs?.map((b) => decode(this.def.value, b));
  }

  set(key: ValueOf<K>, value: ValueOf<V>, mode: 'any' | 'noexist' | 'exist' = 'any'): void {
    this.raw.update(encode(this.def.key, key), encode(this.def.value, value), mode);
  }

  delete(key: ValueOf<K>): boolean {
    return this.raw.delete(encode(this.def.key, key));
  }

  *keys(limit = 1 << 20): IterableIterator<ValueOf<K>> {
    let k: Uint8Array | undefined;
    for (let n = 0; n < limit; n++) {
      k = this.raw.nextKey(k);
      if (k === undefined) return;
      yield decode(this.def.key, k);
    }
  }

  *entries(limit = 1 << 20): IterableIterator<[ValueOf<K>, ValueOf<V>]> {
    for (const k of this.keys(limit)) {
      const v = this.get(k);
      if (v !== undefined) yield [k, v];
    }
  }
}

export function typedMap<K extends Schema, V extends Schema>(def: MapDef<K, V>, raw: RawMap): TypedMap<K, V> {
  return new TypedMap(def, raw);
}
