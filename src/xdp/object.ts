// A compiled module → the object writer's model (src/elf/write-object.ts): programs in their
// sections, subprograms in .text (once per module), maps with key/value BTF from the schemas,
// `.rodata` with one variable per constant. The writer adds `.maps`, BTF and line info (from
// each instruction's TypeScript location).
import { Btf } from '../btf/btf.js';
import type { BtfStoredType } from '../btf/btf-types.js';
import type { ObjectDataSection, ObjectFunction, ObjectMap, ObjectModel } from '../elf/write-object.js';
import { MAP_TYPE_IDS } from './declarations.js';
import type { CompiledModule } from './module.js';
import { schemaToBtf } from './schema/btf.js';

/** Map types whose key and value are plain bytes the kernel does not type-check. */
const NO_KEY_VALUE = new Set(['ringbuf']);

export function toObjectModel(mod: CompiledModule): ObjectModel {
  const types: BtfStoredType[] = [];
  const cache = new Map<string, number>();
  const add = (t: BtfStoredType): number => types.push(t);
  const btf = new Btf(types);
  const functions: ObjectFunction[] = [];
  const subprograms = new Set<string>();
  for (const p of mod.programs) {
    functions.push({ name: p.name, section: p.section, insns: p.parts.main });
    for (const s of p.parts.subprograms) {
      if (subprograms.has(s.name)) continue;
      subprograms.add(s.name);
      functions.push({ name: s.name, section: '.text', insns: s.insns, params: Array.from({ length: s.arity }, (_, i) => `a${i}`) });
    }
  }
  const maps: ObjectMap[] = mod.maps.map((m) => {
    const plain = NO_KEY_VALUE.has(m.type);
    const base = {
      name: m.name, type: MAP_TYPE_IDS[m.type], keySize: plain ? 0 : m.key.size, valueSize: plain ? 0 : m.value.size, maxEntries: m.maxEntries, flags: m.flags,
    };
    if (plain) return base;
    return { ...base, keyType: { btf, id: schemaToBtf(m.key, add as never, cache) }, valueType: { btf, id: schemaToBtf(m.value, add as never, cache) } };
  });
  const data: ObjectDataSection[] = mod.rodata.bytes.length === 0 ? [] : [{
    name: '.rodata',
    data: mod.rodata.bytes,
    variables: mod.rodata.vars.map((v) => ({ name: v.name, offset: v.offset, size: v.def.schema.size })),
  }];
  return { functions, maps, data, license: mod.license };
}
