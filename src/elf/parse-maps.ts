// Map definitions: BTF-defined maps in `.maps` (struct-of-pointers encoding read the way libbpf's
// parse_btf_map_def reads it) and legacy `struct bpf_map_def` entries in `maps`.

import type { Btf } from '../btf/btf.js';
import type { BtfComposite } from '../btf/btf-types.js';
import { MapType } from './bpf-enums.js';
import type { ElfFile, ElfSymbol } from './elf-file.js';
import { ElfError } from './errors.js';
import type { BpfMap, MapInitialValue } from './object-model.js';

interface MapDef {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  numaNode: number;
  mapExtra: bigint;
  pinning: number;
  btfKeyTypeId: number;
  btfValueTypeId: number;
  inner: BpfMap | undefined;
  /** Byte offset of the `values` member within the definition, when present. */
  valuesOffset: number | undefined;
}

/** __uint(name, N) is `int (*name)[N]`; newer headers use an anonymous enum for 64-bit values. */
function intField(btf: Btf, typeId: number, map: string, field: string): bigint {
  const t = btf.type(btf.resolve(typeId));
  if (t.kind === 'ptr') {
    const arr = btf.type(btf.resolve(t.type));
    if (arr.kind === 'array') return BigInt(arr.nelems);
  }
  if ((t.kind === 'enum' || t.kind === 'enum64') && t.values.length === 1) return BigInt(t.values[0]!.value);
  throw new ElfError(`map ${map}: field ${field} is not a __uint() (pointer to array) value`);
}

function parseMapStruct(btf: Btf, def: BtfComposite, name: string, isInner: boolean): MapDef {
  const out: MapDef = {
    type: 0, keySize: 0, valueSize: 0, maxEntries: 0, flags: 0, numaNode: 0, mapExtra: 0n, pinning: 0,
    btfKeyTypeId: 0, btfValueTypeId: 0, inner: undefined, valuesOffset: undefined,
  };
  let keySize: number | undefined;
  let valueSize: number | undefined;
  for (const m of def.members) {
    const num = (): number => Number(intField(btf, m.type, name, m.name));
    switch (m.name) {
      case 'type': out.type = num(); break;
      case 'max_entries': out.maxEntries = num(); break;
      case 'map_flags': out.flags = num(); break;
      case 'numa_node': out.numaNode = num(); break;
      case 'pinning': out.pinning = num(); break;
      case 'map_extra': out.mapExtra = intField(btf, m.type, name, m.name); break;
      case 'key_size': keySize = num(); break;
      case 'value_size': valueSize = num(); break;
      case 'key':
      case 'value': {
        const p = btf.type(btf.resolve(m.type));
        if (p.kind !== 'ptr') throw new ElfError(`map ${name}: ${m.name} is not a __type() pointer`);
        const size = btf.sizeOf(p.type);
        if (m.name === 'key') {
          out.btfKeyTypeId = p.type;
          if (keySize !== undefined && keySize !== size) throw new ElfError(`map ${name}: key_size ${keySize} conflicts with key type size ${size}`);
          keySize = size;
        } else {
          out.btfValueTypeId = p.type;
          if (valueSize !== undefined && valueSize !== size) throw new ElfError(`map ${name}: value_size ${valueSize} conflicts with value type size ${size}`);
          valueSize = size;
        }
        break;
      }
      case 'values': {
        if (isInner) throw new ElfError(`map ${name}: an inner map cannot have values`);
        const arr = btf.type(btf.resolve(m.type));
        if (arr.kind !== 'array') throw new ElfError(`map ${name}: values is not an __array()`);
        const p = btf.type(btf.resolve(arr.type));
        if (p.kind !== 'ptr') throw new ElfError(`map ${name}: values is not an array of pointers`);
        out.valuesOffset = m.bitOffset / 8;
        const target = btf.type(btf.resolve(p.type));
        if (target.kind === 'struct') {
          const inner = parseMapStruct(btf, target, `${name}.inner`, true);
          out.inner = toMap(`${name}.inner`, inner, '.maps', 0, []);
        } else if (target.kind !== 'func_proto') {
          throw new ElfError(`map ${name}: values must point to a map definition or a function`);
        }
        break;
      }
      default:
        throw new ElfError(`map ${name}: unknown field '${m.name}'`);
    }
  }
  // A map-in-map's value is the inner map's fd; a prog_array's, the program's fd.
  if (out.inner && valueSize === undefined) valueSize = 4;
  if (out.type === MapType.PROG_ARRAY && valueSize === undefined && out.valuesOffset !== undefined) valueSize = 4;
  out.keySize = keySize ?? 0;
  out.valueSize = valueSize ?? 0;
  if (out.type === MapType.PROG_ARRAY && out.keySize === 0) out.keySize = 4;
  if (out.inner && out.keySize === 0) out.keySize = 4;
  return out;
}

function toMap(name: string, d: MapDef, section: string, offset: number, initialValues: MapInitialValue[]): BpfMap {
  return {
    name, origin: section === 'maps' ? 'legacy' : 'btf', type: d.type, keySize: d.keySize, valueSize: d.valueSize,
    maxEntries: d.maxEntries, flags: d.flags, numaNode: d.numaNode, mapExtra: d.mapExtra, pinning: d.pinning,
    btfKeyTypeId: d.btfKeyTypeId, btfValueTypeId: d.btfValueTypeId, inner: d.inner, initialValues, section, offset,
    data: undefined, readonly: false,
  };
}

/** BTF-defined maps: the VARs of the `.maps` DATASEC, located by their ELF symbols. */
export function parseBtfMaps(elf: ElfFile, btf: Btf | undefined): BpfMap[] {
  const sec = elf.sections.find((s) => s.name === '.maps');
  if (!sec) return [];
  if (!btf) throw new ElfError('.maps needs BTF to describe the maps, and the object has no .BTF');
  const dsId = btf.findOne('.maps', 'datasec');
  if (dsId === undefined) throw new ElfError('.maps section has no DATASEC in .BTF');
  const ds = btf.type(dsId);
  if (ds.kind !== 'datasec') throw new ElfError('.maps is not a DATASEC');
  const maps: BpfMap[] = [];
  const symbolsInMaps = elf.symbols.filter((s) => s.section === '.maps' && s.kind !== 'section');
  const relocs = elf.relocations.filter((r) => r.section === '.maps');
  for (const vi of ds.vars) {
    const v = btf.type(vi.type);
    if (v.kind !== 'var') throw new ElfError(`.maps DATASEC entry ${vi.type} is not a VAR`);
    const sym = symbolsInMaps.find((s) => s.name === v.name);
    if (!sym) throw new ElfError(`map ${v.name}: no symbol in .maps`);
    const st = btf.type(btf.resolve(v.type));
    if (st.kind !== 'struct') throw new ElfError(`map ${v.name}: definition is not a struct`);
    const def = parseMapStruct(btf, st, v.name, false);
    const initial: MapInitialValue[] = [];
    if (def.valuesOffset !== undefined) {
      const start = sym.value + def.valuesOffset;
      const end = sym.value + Math.max(sym.size, st.size);
      for (const r of relocs) {
        if (r.offset < start || r.offset >= end) continue;
        if ((r.offset - start) % 8 !== 0) throw new ElfError(`map ${v.name}: misaligned values relocation at ${r.offset}`);
        initial.push({ index: (r.offset - start) / 8, target: r.symbol });
      }
      initial.sort((a, b) => a.index - b.index);
      if (def.maxEntries === 0 && initial.length) def.maxEntries = initial[initial.length - 1]!.index + 1;
    }
    maps.push(toMap(v.name, def, '.maps', sym.value, initial));
  }
  maps.sort((a, b) => a.offset - b.offset);
  return maps;
}

/** Legacy `maps` section: one struct bpf_map_def per symbol, all the same size. */
export function parseLegacyMaps(elf: ElfFile): BpfMap[] {
  const sec = elf.sections.find((s) => s.name === 'maps');
  if (!sec) return [];
  const syms: ElfSymbol[] = elf.symbols.filter((s) => s.section === 'maps' && s.kind !== 'section' && s.kind !== 'file');
  if (syms.length === 0) return [];
  const defSize = Math.floor(sec.data.length / syms.length);
  if (defSize < 20 || sec.data.length % syms.length !== 0) throw new ElfError(`legacy maps section: ${sec.data.length} bytes do not divide into ${syms.length} definitions of at least 20 bytes`);
  const dv = new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength);
  const le = !elf.bigEndian;
  return syms
    .map((s): BpfMap => {
      if (s.value % defSize !== 0 || s.value + defSize > sec.data.length) throw new ElfError(`legacy map ${s.name}: offset ${s.value} is not a definition boundary`);
      const at = s.value;
      const numaNode = defSize >= 28 ? dv.getUint32(at + 24, le) : 0;
      return {
        name: s.name, origin: 'legacy', type: dv.getUint32(at, le), keySize: dv.getUint32(at + 4, le),
        valueSize: dv.getUint32(at + 8, le), maxEntries: dv.getUint32(at + 12, le), flags: dv.getUint32(at + 16, le),
        numaNode, mapExtra: 0n, pinning: 0, btfKeyTypeId: 0, btfValueTypeId: 0, inner: undefined, initialValues: [],
        section: 'maps', offset: at, data: undefined, readonly: false,
      };
    })
    .sort((a, b) => a.offset - b.offset);
}
