// Schema → BTF types, for the map definition in `.maps` (libbpf reads key and value types
// from there) and for `.rodata` variables. Types are appended through `add`, which returns
// the new type id, so any BTF builder can receive them.
import type { BtfType } from '../../btf/btf-types.js';
import { BtfIntEncoding } from '../../btf/btf-kind.js';
import type { Schema } from './types.js';

export type AddBtfType = (type: BtfType) => number;

/** Adds the types of `schema` (deduplicating scalars per `cache`) and returns its type id. */
export function schemaToBtf(schema: Schema, add: AddBtfType, cache: Map<string, number> = new Map()): number {
  switch (schema.kind) {
    case 'scalar': {
      const cname = C_NAME[schema.type];
      const hit = cache.get(cname);
      if (hit !== undefined) return hit;
      const int = intType(schema.size, schema.signed, cache, add);
      // Network-order fields are typedefs (__be16, __be32) as in the kernel headers.
      const id = schema.bigEndian ? add({ kind: 'typedef', name: cname, type: int }) : int;
      cache.set(cname, id);
      return id;
    }
    case 'array': {
      const el = schemaToBtf(schema.element, add, cache);
      const index = intType(4, false, cache, add, 'unsigned int');
      return add({ kind: 'array', name: '', type: el, indexType: index, nelems: schema.length });
    }
    case 'struct': {
      const hit = cache.get(`struct ${schema.name}`);
      if (hit !== undefined) return hit;
      const members = schema.layout.map((f) => ({ name: f.name, type: schemaToBtf(f.schema, add, cache), bitOffset: f.offset * 8, bitfieldSize: 0 }));
      const id = add({ kind: 'struct', name: schema.name, size: schema.size, kindFlag: false, members });
      cache.set(`struct ${schema.name}`, id);
      return id;
    }
  }
}

const INT_NAMES: Record<string, string> = {
  '1u': 'unsigned char', '2u': 'unsigned short', '4u': 'unsigned int', '8u': 'unsigned long long',
  '1s': 'signed char', '2s': 'short', '4s': 'int', '8s': 'long long',
};

function intType(size: number, signed: boolean, cache: Map<string, number>, add: AddBtfType, name?: string): number {
  const n = name ?? INT_NAMES[`${size}${signed ? 's' : 'u'}`]!;
  const hit = cache.get(n);
  if (hit !== undefined) return hit;
  const id = add({ kind: 'int', name: n, size, encoding: signed ? BtfIntEncoding.SIGNED : 0, bitOffset: 0, bits: size * 8 });
  cache.set(n, id);
  return id;
}

const C_NAME: Record<string, string> = {
  u8: 'unsigned char', u16: 'unsigned short', u32: 'unsigned int', u64: 'unsigned long long',
  i8: 'signed char', i16: 'short', i32: 'int', i64: 'long long', be16: '__be16', be32: '__be32', be64: '__be64',
};
