// BpfObject (parsed) → ObjectModel (writable): the round trip "read a clang object, write it
// back". Relocations become `ref` names again; key/value BTF types are carried over.
// Carried: code, relocations, line_info, function prototypes, CO-RE relocations (with the types
// they name), maps with typed keys/values, global data, .kconfig externs.
// Not carried: .ksyms externs and kfuncs, legacy maps, DWARF.

import type { Instruction } from '../asm/instruction.js';
import { CALL, PseudoCall, PseudoLd } from '../asm/opcode.js';
import { ElfError } from './errors.js';
import type { BpfFunction, BpfMap, BpfObject } from './object-model.js';
import type { ObjectDataSection, ObjectFunction, ObjectMap, ObjectMapDef, ObjectModel } from './write-object.js';

export function objectToModel(obj: BpfObject): ObjectModel {
  const all: BpfFunction[] = [...obj.subprograms, ...obj.programs];
  const nameAt = (section: string, offset: number): string => {
    const f = all.find((x) => x.section === section && x.offset === offset);
    if (!f) throw new ElfError(`no function at ${section}+${offset}`);
    return f.name;
  };
  const dataMap = new Map(obj.maps.filter((m) => m.origin === 'data').map((m) => [m.name, m]));
  const kconfigMap = obj.maps.find((m) => m.origin === 'kconfig')?.name;
  const functions: ObjectFunction[] = all.map((f) => {
    const insns: Instruction[] = f.insns.map((i) => ({ ...i }));
    for (const r of f.relocations) {
      const insn = insns[r.insn]!;
      switch (r.kind) {
        case 'map': insns[r.insn] = { ...insn, src: PseudoLd.MAP_FD, imm: 0, imm2: 0, ref: r.map }; break;
        case 'map_value': {
          const k = kconfigMap === r.map ? obj.kconfig.find((x) => x.offset === r.offset - insn.imm) : undefined;
          if (k) {
            insns[r.insn] = { ...insn, src: 0, imm2: 0, ref: k.name };
            break;
          }
          const m = dataMap.get(r.map);
          if (!m) throw new ElfError(`${f.name}: reference into ${r.map}, which is neither global data nor a .kconfig extern`);
          insns[r.insn] = { ...insn, src: PseudoLd.MAP_VALUE, imm: 0, imm2: r.offset, ref: m.section };
          break;
        }
        case 'call': insns[r.insn] = { ...insn, code: CALL, src: PseudoCall.LOCAL, ref: nameAt(r.target.section, r.target.offset) }; break;
        case 'func_addr': insns[r.insn] = { ...insn, src: PseudoLd.FUNC, imm: 0, imm2: 0, ref: nameAt(r.target.section, r.target.offset) }; break;
        case 'ksym': throw new ElfError(`${f.name}: kernel symbol ${r.name} (ksyms are not carried over)`);
      }
    }
    for (const l of f.lineInfo) {
      const insn = insns[l.insn]!;
      insns[l.insn] = { ...insn, loc: { file: l.fileName, line: l.lineNum, column: l.column, text: l.line } };
    }
    const fn = f.btfFuncId !== undefined && obj.btf ? obj.btf.type(f.btfFuncId) : undefined;
    const prototype = fn?.kind === 'func' && obj.btf ? { prototype: { btf: obj.btf, id: fn.type } } : {};
    const coreRelos = obj.btf ? f.coreRelos.map((c) => ({ insn: c.insn, type: { btf: obj.btf!, id: c.typeId }, accessStr: c.accessStr, kind: c.kind })) : [];
    return { name: f.name, section: f.section, insns, global: f.global, ...prototype, ...(coreRelos.length ? { coreRelos } : {}) };
  });
  const def = (m: BpfMap): ObjectMapDef => ({
    type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, numaNode: m.numaNode,
    mapExtra: m.mapExtra, pinning: m.pinning,
    ...(m.btfKeyTypeId && obj.btf ? { keyType: { btf: obj.btf, id: m.btfKeyTypeId } } : {}),
    ...(m.btfValueTypeId && obj.btf ? { valueType: { btf: obj.btf, id: m.btfValueTypeId } } : {}),
  });
  const maps: ObjectMap[] = obj.maps
    .filter((m) => m.origin === 'btf')
    .map((m) => ({ name: m.name, ...def(m), ...(m.inner ? { inner: def(m.inner) } : {}), initialValues: m.initialValues }));
  if (obj.maps.some((m) => m.origin === 'legacy')) throw new ElfError('legacy maps are not written; libbpf 1.x does not load them');
  const data: ObjectDataSection[] = obj.maps
    .filter((m) => m.origin === 'data')
    .map((m) => {
      const vars = obj.elf.symbols
        .filter((s) => s.section === m.section && s.kind === 'object')
        .map((s) => ({ name: s.name, offset: s.value, size: s.size, global: s.binding !== 'local' }));
      return m.section.startsWith('.bss')
        ? { name: m.section, size: m.valueSize, variables: vars }
        : { name: m.section, data: m.data!, variables: vars };
    });
  const kconfig = obj.btf
    ? obj.kconfig.map((k) => {
        const v = obj.btf!.type(k.btfTypeId);
        if (v.kind !== 'var') throw new ElfError(`.kconfig entry ${k.name} is not a VAR`);
        return { name: k.name, type: { btf: obj.btf!, id: v.type }, weak: k.weak };
      })
    : [];
  return { functions, maps, data, ...(kconfig.length ? { kconfig } : {}), license: obj.license, bigEndian: obj.bigEndian };
}
