// bytes → BpfObject: the libbpf reading of an ELF object (bpf_object__open), pure.

import { decode } from '../asm/encoding.js';
import { DecodeError } from '../asm/errors.js';
import type { Instruction } from '../asm/instruction.js';
import { CALL, LD_IMM64, PseudoCall, PseudoLd } from '../asm/opcode.js';
import type { Btf } from '../btf/btf.js';
import { decodeBtfExt, type BtfCoreRelo, type BtfExt, type BtfFuncInfo, type BtfLineInfo } from '../btf/btf-ext.js';
import { decodeBtf } from '../btf/decode-btf.js';
import { BtfError } from '../btf/errors.js';
import { MapFlag, MapType, ProgType } from './bpf-enums.js';
import { fixupDatasecs } from './btf-fixup.js';
import { SectionFlag, SectionType, type ElfFile, type ElfRelocation, type ElfSection, type ElfSymbol } from './elf-file.js';
import { ElfError } from './errors.js';
import { dataSectionKind, internalMapName } from './global-data.js';
import type {
  BpfFunction, BpfMap, BpfObject, BpfProgram, FunctionCoreRelo, FunctionLineInfo, KconfigExtern, ProgramRelocation,
} from './object-model.js';
import { parseBtfMaps, parseLegacyMaps } from './parse-maps.js';
import { readElf } from './read-elf.js';
import { attachTarget, findSectionDef } from './section-defs.js';

export interface ParseObjectOptions {
  /** Object name for internal map names (libbpf: file basename up to the first '.'). Default "obj". */
  readonly name?: string;
}

/** Largest global data section accepted (the kernel caps array values far below this). */
const MAX_DATA_SIZE = 1 << 26;

const isExec = (s: ElfSection): boolean => s.type === SectionType.PROGBITS && (s.flags & SectionFlag.EXECINSTR) !== 0;

/** Parse an ELF object into programs, maps and BTF. Throws ElfError (or BtfError) on malformed input. */
export function parseObject(bytes: Uint8Array, options: ParseObjectOptions = {}): BpfObject {
  return parseElfObject(readElf(bytes), options);
}

/** The same, from an already-read ElfFile. */
export function parseElfObject(elf: ElfFile, options: ParseObjectOptions = {}): BpfObject {
  const objName = options.name ?? 'obj';
  const sectionByName = new Map(elf.sections.map((s) => [s.name, s]));
  const section = (name: string): ElfSection | undefined => sectionByName.get(name);

  // --- BTF -----------------------------------------------------------------------------------------
  let btf: Btf | undefined;
  let btfExt: BtfExt | undefined;
  const btfSec = section('.BTF');
  if (btfSec) {
    btf = decodeBtf(btfSec.data);
    const extSec = section('.BTF.ext');
    if (extSec) btfExt = decodeBtfExt(extSec.data, btf);
  }

  // --- license / version ---------------------------------------------------------------------------
  let license = '';
  const lic = section('license');
  if (lic) {
    const end = lic.data.indexOf(0);
    license = new TextDecoder().decode(lic.data.subarray(0, end < 0 ? lic.data.length : end));
  }
  let kernelVersion: number | undefined;
  const ver = section('version');
  if (ver) {
    if (ver.data.length !== 4) throw new ElfError(`version section is ${ver.data.length} bytes, want 4`);
    kernelVersion = new DataView(ver.data.buffer, ver.data.byteOffset, 4).getUint32(0, !elf.bigEndian);
  }

  // --- maps ----------------------------------------------------------------------------------------
  const userMaps = [...parseBtfMaps(elf, btf), ...parseLegacyMaps(elf)];
  const { kconfig, kconfigSize } = layoutKconfig(btf, elf);
  const fixedBtf = btf ? fixupDatasecs(btf, elf, kconfig, kconfigSize) : undefined;
  const internalMaps: BpfMap[] = [];
  const internalBySection = new Map<string, BpfMap>();
  for (const s of elf.sections) {
    const kind = dataSectionKind(s.name);
    if (!kind || isExec(s)) continue;
    if (kind === 'bss' ? s.type !== SectionType.NOBITS : s.type !== SectionType.PROGBITS) continue;
    const size = s.size ?? s.data.length;
    if (size === 0) continue;
    if (size > MAX_DATA_SIZE) throw new ElfError(`global data section ${s.name} claims ${size} bytes (more than ${MAX_DATA_SIZE})`);
    const datasecId = fixedBtf?.findOne(s.name, 'datasec');
    const map: BpfMap = {
      name: internalMapName(objName, s.name), origin: 'data', type: MapType.ARRAY, keySize: 4, valueSize: size,
      maxEntries: 1, flags: (kind === 'rodata' ? MapFlag.RDONLY_PROG : 0) | (isMmapable(fixedBtf, datasecId) ? MapFlag.MMAPABLE : 0),
      numaNode: 0, mapExtra: 0n, pinning: 0, btfKeyTypeId: 0, btfValueTypeId: datasecId ?? 0, inner: undefined,
      initialValues: [], section: s.name, offset: 0, data: kind === 'bss' ? new Uint8Array(size) : s.data.slice(), readonly: kind === 'rodata',
    };
    internalMaps.push(map);
    internalBySection.set(s.name, map);
  }
  let kconfigMap: BpfMap | undefined;
  if (kconfigSize > MAX_DATA_SIZE) throw new ElfError(`.kconfig externs need ${kconfigSize} bytes (more than ${MAX_DATA_SIZE})`);
  if (kconfig.length) {
    const datasecId = fixedBtf?.findOne('.kconfig', 'datasec');
    kconfigMap = {
      name: internalMapName(objName, '.kconfig'), origin: 'kconfig', type: MapType.ARRAY, keySize: 4, valueSize: kconfigSize,
      maxEntries: 1, flags: MapFlag.RDONLY_PROG | MapFlag.MMAPABLE, numaNode: 0, mapExtra: 0n, pinning: 0, btfKeyTypeId: 0,
      btfValueTypeId: datasecId ?? 0, inner: undefined, initialValues: [], section: '.kconfig', offset: 0,
      data: new Uint8Array(kconfigSize), readonly: true,
    };
    internalMaps.push(kconfigMap);
  }
  const maps = [...userMaps, ...internalMaps];
  const mapsByPlace = new Map(userMaps.map((m) => [`${m.section}\0${m.offset}`, m]));
  const mapAt = (sec: string, offset: number): BpfMap | undefined => mapsByPlace.get(`${sec}\0${offset}`);
  const kconfigByName = new Map(kconfig.map((k) => [k.name, k]));
  const relocsBySection = new Map<string, ElfRelocation[]>();
  for (const r of elf.relocations) {
    let list = relocsBySection.get(r.section);
    if (!list) relocsBySection.set(r.section, (list = []));
    list.push(r);
  }
  for (const list of relocsBySection.values()) list.sort((a, b) => a.offset - b.offset);

  // --- functions -----------------------------------------------------------------------------------
  const symbolOf = makeSymbolLookup(elf);
  const extIndex = btfExt ? indexExt(btfExt) : undefined;
  const typelessKsyms = typelessKsymNames(btf);
  const programs: BpfProgram[] = [];
  const subprograms: BpfFunction[] = [];
  for (const s of elf.sections) {
    if (!isExec(s) || s.data.length === 0) continue;
    const relocs = relocsBySection.get(s.name) ?? [];
    for (const fn of functionsOf(elf, s)) {
      const f = buildFunction(elf, s, fn, relocs, symbolOf, extIndex, {
        mapAt,
        internal: (secName) => internalBySection.get(secName),
        section,
        kconfig: (name) => {
          const k = kconfigByName.get(name);
          return kconfigMap && k ? { map: kconfigMap.name, offset: k.offset } : undefined;
        },
        typelessKsyms,
      });
      if (s.name === '.text') {
        subprograms.push(f);
        continue;
      }
      const def = findSectionDef(s.name);
      programs.push({
        ...f,
        progType: def?.progType ?? ProgType.UNSPEC,
        expectedAttachType: def?.expectedAttachType,
        progFlags: def?.progFlags ?? 0,
        attachTarget: def ? attachTarget(def, s.name) : undefined,
        sectionDef: def,
      });
    }
  }
  return {
    name: objName, bigEndian: elf.bigEndian, license, kernelVersion, programs, subprograms, maps, kconfig,
    btf: fixedBtf, btfExt, elf,
  };
}

/** libbpf's map_is_mmapable: a DATASEC with at least one non-static VAR. */
function isMmapable(btf: Btf | undefined, datasecId: number | undefined): boolean {
  if (!btf || datasecId === undefined) return false;
  const ds = btf.type(datasecId);
  if (ds.kind !== 'datasec') return false;
  return ds.vars.some((v) => {
    const t = btf.type(v.type);
    return t.kind === 'var' && t.linkage !== 0;
  });
}

/**
 * .kconfig externs laid out as libbpf does (cmp_externs): by descending alignment, then
 * ascending size, then name; each aligned; the value ends after the last one.
 */
function layoutKconfig(btf: Btf | undefined, elf: ElfFile): { kconfig: KconfigExtern[]; kconfigSize: number } {
  if (!btf) return { kconfig: [], kconfigSize: 0 };
  const id = btf.findOne('.kconfig', 'datasec');
  if (id === undefined) return { kconfig: [], kconfigSize: 0 };
  const ds = btf.type(id);
  if (ds.kind !== 'datasec') return { kconfig: [], kconfigSize: 0 };
  const items = ds.vars.map((v) => {
    const t = btf.type(v.type);
    if (t.kind !== 'var') throw new BtfError(`.kconfig entry ${v.type} is not a VAR`);
    const size = btf.sizeOf(t.type);
    const align = btf.alignOf(t.type);
    const weak = elf.symbols.some((s) => s.name === t.name && s.section === undefined && s.binding === 'weak');
    return { name: t.name, btfTypeId: v.type, size, align, weak };
  });
  items.sort((a, b) => (a.align !== b.align ? b.align - a.align : a.size !== b.size ? a.size - b.size : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let off = 0;
  const kconfig: KconfigExtern[] = items.map((it) => {
    off = Math.ceil(off / it.align) * it.align;
    const e = { name: it.name, btfTypeId: it.btfTypeId, offset: off, size: it.size, weak: it.weak };
    off += it.size;
    return e;
  });
  return { kconfig, kconfigSize: off };
}

interface ResolvedSymbol {
  readonly name: string;
  /** Undefined for an extern. */
  readonly section: string | undefined;
  readonly value: number;
  readonly weak: boolean;
  readonly isSection: boolean;
}

function makeSymbolLookup(elf: ElfFile): (r: ElfRelocation) => ResolvedSymbol {
  const byName = new Map<string, ElfSymbol>();
  for (const s of elf.symbols) if (s.kind !== 'section' && !byName.has(s.name)) byName.set(s.name, s);
  return (r) => {
    if (r.sectionSymbol) return { name: r.symbol, section: r.symbol, value: 0, weak: false, isSection: true };
    const sym = (r.symbolIndex !== undefined ? elf.symbols[r.symbolIndex] : undefined) ?? byName.get(r.symbol);
    if (!sym) throw new ElfError(`relocation in ${r.section} at ${r.offset} refers to unknown symbol '${r.symbol}'`);
    return { name: sym.name, section: sym.section, value: sym.value, weak: sym.binding === 'weak', isSection: false };
  };
}

interface FnSym {
  name: string;
  offset: number;
  size: number;
  global: boolean;
}

/** Function symbols of an executable section, sized (llvm-mc leaves .size out of hand-written asm). */
function functionsOf(elf: ElfFile, s: ElfSection): FnSym[] {
  let syms = elf.symbols.filter((x) => x.section === s.name && x.kind === 'func');
  if (syms.length === 0) {
    // Hand-written assembly without .type: a global label at 0 names the program, else the section does.
    const g = elf.symbols.find((x) => x.section === s.name && x.binding !== 'local' && x.value === 0 && x.kind === 'notype');
    return [{ name: g?.name ?? s.name, offset: 0, size: s.data.length, global: g !== undefined }];
  }
  syms = [...syms].sort((a, b) => a.value - b.value);
  return syms.map((x, i) => {
    const next = i + 1 < syms.length ? syms[i + 1]!.value : s.data.length;
    const size = x.size > 0 ? x.size : next - x.value;
    if (x.value % 8 !== 0 || size % 8 !== 0 || x.value + size > s.data.length || size <= 0) {
      throw new ElfError(`function ${x.name} in ${s.name} (offset ${x.value}, size ${size}) does not fit whole instructions of the ${s.data.length}-byte section`);
    }
    return { name: x.name, offset: x.value, size, global: x.binding !== 'local' };
  });
}

/** .BTF.ext records by section, each list sorted by insnOff (stable: file order within an offset). */
interface ExtIndex {
  funcInfo: Map<string, BtfFuncInfo[]>;
  lineInfo: Map<string, BtfLineInfo[]>;
  coreRelos: Map<string, BtfCoreRelo[]>;
}

function indexExt(ext: BtfExt): ExtIndex {
  const group = <T extends { insnOff: number }>(blocks: readonly { section: string; records: readonly T[] }[]): Map<string, T[]> => {
    const m = new Map<string, T[]>();
    for (const b of blocks) {
      let list = m.get(b.section);
      if (!list) m.set(b.section, (list = []));
      for (const r of b.records) list.push(r);
    }
    for (const list of m.values()) list.sort((a, b) => a.insnOff - b.insnOff);
    return m;
  };
  return { funcInfo: group(ext.funcInfo), lineInfo: group(ext.lineInfo), coreRelos: group(ext.coreRelos) };
}

interface RelocContext {
  mapAt(section: string, offset: number): BpfMap | undefined;
  internal(section: string): BpfMap | undefined;
  kconfig(name: string): { map: string; offset: number } | undefined;
  section(name: string): ElfSection | undefined;
  /** `extern const void x __ksym`: resolved through kallsyms, not BTF (libbpf's typeless ksyms). */
  typelessKsyms: ReadonlySet<string>;
}

/** The .ksyms variables declared without a type (`extern const void x __ksym`). */
function typelessKsymNames(btf: Btf | undefined): Set<string> {
  const out = new Set<string>();
  const id = btf?.findOne('.ksyms', 'datasec');
  if (btf === undefined || id === undefined) return out;
  const ds = btf.type(id);
  if (ds.kind !== 'datasec') return out;
  for (const v of ds.vars) {
    const t = btf.type(v.type);
    if (t.kind === 'var' && btf.resolve(t.type) === 0) out.add(t.name);
  }
  return out;
}

function buildFunction(
  elf: ElfFile, s: ElfSection, fn: FnSym, relocs: readonly ElfRelocation[], symbolOf: (r: ElfRelocation) => ResolvedSymbol,
  extIndex: ExtIndex | undefined, ctx: RelocContext,
): BpfFunction {
  // A symbol's size comes from the file: check it against the section before sizing tables by it.
  if (!(fn.offset >= 0 && fn.size >= 0 && fn.size % 8 === 0 && fn.offset + fn.size <= s.data.length)) {
    throw new ElfError(`${s.name}: function ${fn.name} at offset ${fn.offset} with size ${fn.size} does not fit the ${s.data.length}-byte section in whole instructions`);
  }
  let insns: Instruction[];
  try {
    insns = decode(s.data.subarray(fn.offset, fn.offset + fn.size), { bigEndian: elf.bigEndian, validate: false });
  } catch (e) {
    if (e instanceof DecodeError) throw new ElfError(`${s.name}: function ${fn.name}: ${e.reason} (at byte ${fn.offset + e.offset} of the section)`);
    throw e;
  }
  // byte offset within the function → instruction index
  const indexAtSlot = new Int32Array(fn.size / 8).fill(-1);
  {
    let slot = 0;
    insns.forEach((insn, i) => {
      indexAtSlot[slot] = i;
      slot += insn.code === LD_IMM64 ? 2 : 1;
    });
  }
  const slotOfIndex = new Int32Array(insns.length);
  indexAtSlot.forEach((idx, slot) => { if (idx >= 0) slotOfIndex[idx] = slot; });
  const insnAt = (sectionOffset: number, what: string): number => {
    const rel = sectionOffset - fn.offset;
    const idx = rel % 8 === 0 ? indexAtSlot[rel / 8] : -1;
    if (idx === undefined || idx < 0) throw new ElfError(`${s.name}: ${what} at byte ${sectionOffset} is not at an instruction of ${fn.name}`);
    return idx;
  };

  const relocations: ProgramRelocation[] = [];
  const relocated = new Set<number>();
  // relocs are sorted by offset: binary-search the function's range
  let lo = 0;
  let hi = relocs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (relocs[mid]!.offset < fn.offset) lo = mid + 1;
    else hi = mid;
  }
  for (let ri = lo; ri < relocs.length && relocs[ri]!.offset < fn.offset + fn.size; ri++) {
    const r = relocs[ri]!;
    const i = insnAt(r.offset, 'relocation');
    relocated.add(i);
    const insn = insns[i]!;
    const sym = symbolOf(r);
    const where = `${s.name}+${r.offset} (${fn.name}, insn ${i}) → ${sym.name}`;
    const target = sym.section === undefined ? undefined : ctx.section(sym.section);
    if (insn.code === CALL) {
      if (sym.section === undefined) {
        relocations.push({ kind: 'ksym', insn: i, name: sym.name, call: true, weak: sym.weak });
      } else if (target && isExec(target)) {
        relocations.push({ kind: 'call', insn: i, target: { section: target.name, offset: sym.value + (insn.imm + 1) * 8 } });
      } else {
        throw new ElfError(`${where}: call relocation against a non-code symbol`);
      }
      continue;
    }
    if (insn.code !== LD_IMM64) throw new ElfError(`${where}: relocation on an instruction that is neither ld_imm64 nor call (opcode 0x${insn.code.toString(16)})`);
    if (sym.section === undefined) {
      const k = ctx.kconfig(sym.name);
      if (k) relocations.push({ kind: 'map_value', insn: i, map: k.map, offset: k.offset + insn.imm });
      else relocations.push({ kind: 'ksym', insn: i, name: sym.name, call: false, weak: sym.weak, ...(ctx.typelessKsyms.has(sym.name) ? { typeless: true } : {}) });
      continue;
    }
    if (!target) throw new ElfError(`${where}: symbol is in section ${sym.section}, which is not in the object`);
    if (isExec(target)) {
      relocations.push({ kind: 'func_addr', insn: i, target: { section: target.name, offset: sym.value + insn.imm } });
      continue;
    }
    if (target.name === '.maps' || target.name === 'maps') {
      const m = ctx.mapAt(target.name, sym.value + (sym.isSection ? insn.imm : 0));
      if (!m) throw new ElfError(`${where}: no map defined at offset ${sym.value} of ${target.name}`);
      relocations.push({ kind: 'map', insn: i, map: m.name });
      continue;
    }
    const data = ctx.internal(target.name);
    if (data) {
      relocations.push({ kind: 'map_value', insn: i, map: data.name, offset: sym.value + insn.imm });
      continue;
    }
    throw new ElfError(`${where}: relocation against section ${target.name}, which is neither code, maps nor global data`);
  }
  // Calls inside the section with no relocation: imm is relative to the call.
  insns.forEach((insn, i) => {
    if (relocated.has(i) || insn.code !== CALL || insn.src !== PseudoCall.LOCAL) return;
    const targetOff = fn.offset + (slotOfIndex[i]! + insn.imm + 1) * 8;
    if (targetOff < 0 || targetOff >= s.data.length) throw new ElfError(`${s.name}: call at insn ${i} of ${fn.name} jumps outside the section`);
    relocations.push({ kind: 'call', insn: i, target: { section: s.name, offset: targetOff } });
  });
  insns.forEach((insn, i) => {
    if (!relocated.has(i) && insn.code === LD_IMM64 && insn.src === PseudoLd.FUNC) {
      throw new ElfError(`${s.name}: function address at insn ${i} of ${fn.name} has no relocation`);
    }
  });
  relocations.sort((a, b) => a.insn - b.insn);

  // --- .BTF.ext records of this function -----------------------------------------------------------
  let btfFuncId: number | undefined;
  const lineInfo: FunctionLineInfo[] = [];
  const coreRelos: FunctionCoreRelo[] = [];
  if (extIndex) {
    const range = <T extends { insnOff: number }>(list: readonly T[] | undefined): T[] => {
      if (!list) return [];
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (list[mid]!.insnOff < fn.offset) lo = mid + 1;
        else hi = mid;
      }
      const out: T[] = [];
      for (let i = lo; i < list.length && list[i]!.insnOff < fn.offset + fn.size; i++) out.push(list[i]!);
      return out;
    };
    for (const r of range(extIndex.funcInfo.get(s.name))) if (r.insnOff === fn.offset) btfFuncId = r.typeId;
    for (const r of range(extIndex.lineInfo.get(s.name))) {
      lineInfo.push({ insn: insnAt(r.insnOff, 'line_info'), fileName: r.fileName, line: r.line, lineNum: r.lineNum, column: r.column });
    }
    for (const r of range(extIndex.coreRelos.get(s.name))) {
      coreRelos.push({ insn: insnAt(r.insnOff, 'CO-RE relocation'), typeId: r.typeId, accessStr: r.accessStr, kind: r.kind });
    }
  }
  return {
    name: fn.name, section: s.name, offset: fn.offset, size: fn.size, global: fn.global, insns, relocations, btfFuncId,
    lineInfo, coreRelos,
  };
}
