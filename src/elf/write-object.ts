// A program model → a complete ELF object that libbpf (bpftool, ip, xdp-loader) loads: program
// sections, .text subprograms, symbols with types and sizes, relocations, BTF-defined `.maps`,
// global data, license, and .BTF/.BTF.ext with func_info and line_info (line_info from each
// Instruction's `loc`, so the kernel's `bpftool prog dump xlated … linum` shows the user's file).
// Deterministic: the same model gives the same bytes.
//
// References in instructions are names in `ref` (as the DSL and the assembler leave them):
//   call (src 1) to a .text function      → R_BPF_64_32 against the function symbol, imm -1
//                                            (static functions: the .text section symbol, as clang does)
//   ld_imm64 of a map                      → R_BPF_64_64 against the map symbol (.maps)
//   ld_imm64 of a data variable            → R_BPF_64_64 against the variable, imm = offset
//                                            (ldMapValue's offset in imm2, or ldSymbol's addend)
//   ld_imm64 of a data section name        → R_BPF_64_64 against the section symbol, imm = offset
//   ld_imm64 of a .text function (callback) → R_BPF_64_64 against the function symbol
//   ld_imm64 of a .kconfig extern           → R_BPF_64_64 against the undefined extern symbol

import type { Instruction } from '../asm/instruction.js';
import { encode } from '../asm/encoding.js';
import { CALL, LD_IMM64, PseudoCall, PseudoLd } from '../asm/opcode.js';
import type { Btf } from '../btf/btf.js';
import { BtfBuilder } from '../btf/btf-builder.js';
import { encodeBtfExt, type BtfCoreRelo, type BtfExtSection, type BtfFuncInfo, type BtfLineInfo } from '../btf/btf-ext.js';
import { BtfStringBuilder } from '../btf/btf-strings.js';
import type { BtfMember, BtfStoredType } from '../btf/btf-types.js';
import { encodeBtf } from '../btf/encode-btf.js';
import { MapType } from './bpf-enums.js';
import { RelocType, SectionFlag, SectionType, type ElfFile, type ElfRelocation, type ElfSection, type ElfSymbol } from './elf-file.js';
import { ElfError } from './errors.js';
import { writeElf } from './write-elf.js';

export interface ObjectFunction {
  readonly name: string;
  /** A program section ("xdp", "tc", "kprobe/x", …), or ".text" for a subprogram. */
  readonly section: string;
  readonly insns: readonly Instruction[];
  /** Global symbol and BTF linkage. Default: true for programs, false (static) for .text. */
  readonly global?: boolean;
  /**
   * Parameter names for the BTF prototype, each a 64-bit scalar (programs: a `void *ctx`).
   * Default: programs take ctx, .text functions none. The verifier checks a global function
   * against its prototype, so give global subprograms their parameters.
   */
  readonly params?: readonly string[];
  /** A FUNC_PROTO to use instead (copied from another BTF, e.g. the clang object it came from). */
  readonly prototype?: ForeignType;
  /** CO-RE relocations (index into `insns`; the root type is copied into the object's BTF). */
  readonly coreRelos?: readonly ObjectCoreRelo[];
}

export interface ObjectCoreRelo {
  readonly insn: number;
  readonly type: ForeignType;
  readonly accessStr: string;
  /** CoreReloKind value. */
  readonly kind: number;
}

/** An extern libbpf fills from the kernel config (`extern int CONFIG_X __kconfig;`); refer to it by name in `ref`. */
export interface ObjectKconfigExtern {
  readonly name: string;
  /** Its type (an int, bool, char array or enum), copied into the object's BTF. */
  readonly type: ForeignType;
  readonly weak?: boolean;
}

/** A BTF type taken from another BTF (copied with everything it refers to). */
export interface ForeignType {
  readonly btf: Btf;
  readonly id: number;
}

export interface ObjectMapDef {
  /** MapType value. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
  readonly numaNode?: number;
  readonly mapExtra?: bigint | number;
  readonly pinning?: number;
  /** Typed key/value (`__type(key, T)`); needed by map types the kernel checks with BTF (sk_storage…). */
  readonly keyType?: ForeignType;
  readonly valueType?: ForeignType;
}

export interface ObjectMap extends ObjectMapDef {
  readonly name: string;
  /** Inner map template (array/hash of maps). */
  readonly inner?: ObjectMapDef;
  /** `.values = { [index] = &target }`: program names (prog_array) or map names (map-in-map). */
  readonly initialValues?: readonly { readonly index: number; readonly target: string }[];
}

export interface ObjectVariable {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** Default true. */
  readonly global?: boolean;
}

export interface ObjectDataSection {
  /** ".data", ".rodata", ".bss", ".data.<x>", ".rodata.<x>". */
  readonly name: string;
  /** Contents (not for .bss). */
  readonly data?: Uint8Array;
  /** Size of a .bss section. */
  readonly size?: number;
  readonly variables?: readonly ObjectVariable[];
}

export interface ObjectModel {
  readonly functions: readonly ObjectFunction[];
  readonly maps?: readonly ObjectMap[];
  readonly data?: readonly ObjectDataSection[];
  readonly kconfig?: readonly ObjectKconfigExtern[];
  readonly license: string;
  readonly bigEndian?: boolean;
  /** Emit .BTF.ext line_info from Instruction.loc (default: when every function has locations). */
  readonly lineInfo?: boolean;
}

const TEXT = '.text';
const PROG_FLAGS = SectionFlag.ALLOC | SectionFlag.EXECINSTR;
const DATA_FLAGS = SectionFlag.WRITE | SectionFlag.ALLOC;

/** Copies types from a foreign BTF into the builder, once each. */
class TypeImporter {
  private readonly memo = new Map<Btf, Map<number, number>>();
  constructor(private readonly b: BtfBuilder) {}

  import(t: ForeignType): number {
    let m = this.memo.get(t.btf);
    if (!m) this.memo.set(t.btf, (m = new Map()));
    return this.copy(t.btf, t.id, m);
  }

  private copy(src: Btf, id: number, memo: Map<number, number>): number {
    if (id === 0) return 0;
    const known = memo.get(id);
    if (known !== undefined) return known;
    const t = src.type(id);
    if (t.kind === 'void') return 0;
    // reserve the id first so self-references (struct list_head *next) terminate
    const placeholder: { t: BtfStoredType } = { t: { kind: 'fwd', name: t.name, union: t.kind === 'union' } };
    const newId = this.b.add(placeholder.t);
    memo.set(id, newId);
    const c = (x: number): number => this.copy(src, x, memo);
    let out: BtfStoredType;
    switch (t.kind) {
      case 'ptr': case 'typedef': case 'volatile': case 'const': case 'restrict': case 'type_tag':
        out = { ...t, type: c(t.type) }; break;
      case 'array': out = { ...t, type: c(t.type), indexType: c(t.indexType) }; break;
      case 'struct': case 'union': out = { ...t, members: t.members.map((x) => ({ ...x, type: c(x.type) })) }; break;
      case 'func_proto': out = { ...t, returnType: c(t.returnType), params: t.params.map((p) => ({ ...p, type: c(p.type) })) }; break;
      case 'func': case 'var': case 'decl_tag': out = { ...t, type: c(t.type) }; break;
      case 'datasec': out = { ...t, vars: t.vars.map((v) => ({ ...v, type: c(v.type) })) }; break;
      default: out = t;
    }
    this.b.replace(newId, out);
    return newId;
  }
}

/** Build the ELF object for a model. Throws ElfError for an inconsistent model. */
export function writeObject(model: ObjectModel): Uint8Array {
  return writeElf(buildObjectElf(model));
}

/** The same, stopping at the ElfFile (for inspection and tests). */
export function buildObjectElf(model: ObjectModel): ElfFile {
  const le = !model.bigEndian;
  const maps = model.maps ?? [];
  const dataSecs = model.data ?? [];
  const functions = model.functions;

  // --- names must be unique across functions, maps and variables -----------------------------------
  const kinds = new Map<string, 'function' | 'map' | 'variable' | 'extern'>();
  const claim = (name: string, kind: 'function' | 'map' | 'variable' | 'extern'): void => {
    if (!name) throw new ElfError(`a ${kind} needs a name`);
    if (kinds.has(name)) throw new ElfError(`name ${name} is used twice (${kinds.get(name)} and ${kind})`);
    kinds.set(name, kind);
  };
  for (const f of functions) claim(f.name, 'function');
  for (const m of maps) claim(m.name, 'map');
  for (const d of dataSecs) for (const v of d.variables ?? []) claim(v.name, 'variable');
  const kconfig = model.kconfig ?? [];
  for (const k of kconfig) claim(k.name, 'extern');
  const dataSectionNames = new Set(dataSecs.map((d) => d.name));

  // --- code sections: .text first, then program sections in order of first appearance --------------
  const sectionOrder: string[] = [];
  if (functions.some((f) => f.section === TEXT)) sectionOrder.push(TEXT);
  for (const f of functions) if (!sectionOrder.includes(f.section)) sectionOrder.push(f.section);
  const fnPlace = new Map<string, { section: string; offset: number; size: number }>();
  const sectionFns = new Map<string, ObjectFunction[]>();
  for (const s of sectionOrder) sectionFns.set(s, functions.filter((f) => f.section === s));
  const sizeOf = (insns: readonly Instruction[]): number => insns.reduce((n, x) => n + (x.code === LD_IMM64 ? 16 : 8), 0);
  for (const [s, fns] of sectionFns) {
    let off = 0;
    for (const f of fns) {
      const size = sizeOf(f.insns);
      if (size === 0) throw new ElfError(`function ${f.name} has no instructions`);
      fnPlace.set(f.name, { section: s, offset: off, size });
      off += size;
    }
  }

  // --- BTF -----------------------------------------------------------------------------------------
  const b = new BtfBuilder();
  const importer = new TypeImporter(b);
  const intT = b.int('int', 4, true);
  const funcIds = new Map<string, number>();
  for (const f of functions) {
    const isProg = f.section !== TEXT;
    let proto: number;
    if (f.prototype) {
      if (f.prototype.btf.type(f.prototype.id).kind !== 'func_proto') throw new ElfError(`function ${f.name}: prototype is not a FUNC_PROTO`);
      proto = importer.import(f.prototype);
    } else {
      const params = (f.params ?? (isProg ? ['ctx'] : [])).map((name) => ({ name, type: isProg ? b.ptr(0) : b.int('long long unsigned int', 8) }));
      proto = b.funcProto(intT, params);
    }
    funcIds.set(f.name, b.func(f.name, proto, (f.global ?? isProg) ? 1 : 0));
  }

  // .maps: each definition is a struct of pointers (libbpf's __uint/__type/__array encoding)
  const uintMember = (name: string, value: number | bigint, bitOffset: number): BtfMember => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new ElfError(`map field ${name} = ${value} does not fit __uint()`);
    return { name, type: b.ptr(b.array(intT, n)), bitOffset, bitfieldSize: 0 };
  };
  const defMembers = (d: ObjectMapDef, extra: BtfMember[] = []): BtfMember[] => {
    const ms: BtfMember[] = [];
    const push = (name: string, v: number | bigint | undefined, always = false): void => {
      if (v === undefined || (!always && Number(v) === 0)) return;
      ms.push(uintMember(name, v, ms.length * 64));
    };
    push('type', d.type, true);
    push('max_entries', d.maxEntries);
    if (d.keyType) ms.push({ name: 'key', type: b.ptr(importer.import(d.keyType)), bitOffset: ms.length * 64, bitfieldSize: 0 });
    else push('key_size', d.keySize);
    if (d.valueType) ms.push({ name: 'value', type: b.ptr(importer.import(d.valueType)), bitOffset: ms.length * 64, bitfieldSize: 0 });
    else push('value_size', d.valueSize);
    push('map_flags', d.flags);
    push('numa_node', d.numaNode);
    push('pinning', d.pinning);
    push('map_extra', d.mapExtra);
    for (const e of extra) ms.push({ ...e, bitOffset: ms.length * 64 });
    return ms;
  };
  const mapsData: { name: string; offset: number; size: number; valuesOffset: number }[] = [];
  const mapVars: { type: number; offset: number; size: number }[] = [];
  let mapsSize = 0;
  for (const m of maps) {
    const isOuter = m.type === MapType.ARRAY_OF_MAPS || m.type === MapType.HASH_OF_MAPS;
    const extra: BtfMember[] = [];
    if (m.inner || isOuter) {
      if (!m.inner) throw new ElfError(`map ${m.name}: a map of maps needs an inner map template`);
      const innerMembers = defMembers(m.inner);
      const innerStruct = b.struct('', innerMembers.length * 8, innerMembers);
      extra.push({ name: 'values', type: b.array(b.ptr(innerStruct), 0), bitOffset: 0, bitfieldSize: 0 });
    } else if (m.type === MapType.PROG_ARRAY && m.initialValues?.length) {
      extra.push({ name: 'values', type: b.array(b.ptr(b.funcProto(intT, [{ name: '', type: b.ptr(0) }])), 0), bitOffset: 0, bitfieldSize: 0 });
    }
    // with a `values` member libbpf implies the 4-byte value (an fd); the key stays
    const members = defMembers(extra.length ? { ...m, valueSize: 0, valueType: undefined } : m, extra);
    const structSize = members.length * 8;
    const nValues = extra.length ? (m.initialValues ?? []).reduce((n, v) => Math.max(n, v.index + 1), 0) : 0;
    const size = structSize + nValues * 8;
    const st = b.struct('', structSize, members);
    const v = b.variable(m.name, st, 1);
    mapVars.push({ type: v, offset: mapsSize, size });
    mapsData.push({ name: m.name, offset: mapsSize, size, valuesOffset: extra.length ? structSize - 8 : -1 });
    mapsSize += size;
  }
  if (maps.length) b.datasec('.maps', mapsSize, mapVars);

  // global data: one DATASEC per section, each variable a VAR of an unsigned char array
  const u8 = b.int('unsigned char', 1);
  for (const d of dataSecs) {
    const size = d.name.startsWith('.bss') ? (d.size ?? 0) : (d.data?.length ?? 0);
    const vars = (d.variables ?? []).map((v) => {
      if (v.offset < 0 || v.offset + v.size > size) throw new ElfError(`variable ${v.name} (${v.offset}+${v.size}) is outside ${d.name} (${size} bytes)`);
      return { type: b.variable(v.name, b.array(u8, v.size), (v.global ?? true) ? 1 : 0), offset: v.offset, size: v.size };
    });
    if (vars.length) b.datasec(d.name, size, vars);
  }

  // .kconfig externs: extern VARs in a size-0 DATASEC, as clang emits them (libbpf lays them out)
  if (kconfig.length) {
    b.datasec('.kconfig', 0, kconfig.map((k) => {
      const t = importer.import(k.type);
      return { type: b.variable(k.name, t, 2), offset: 0, size: k.type.btf.sizeOf(k.type.id) };
    }));
  }

  // --- code bytes, relocations, .BTF.ext -----------------------------------------------------------
  const relocations: ElfRelocation[] = [];
  const funcInfo: BtfExtSection<BtfFuncInfo>[] = [];
  const lineInfo: BtfExtSection<BtfLineInfo>[] = [];
  const coreRelos: BtfExtSection<BtfCoreRelo>[] = [];
  const wantLines = model.lineInfo ?? functions.every((f) => f.insns.some((i) => i.loc !== undefined));
  const sections: ElfSection[] = [];
  const varNames = new Map<string, string>(); // variable → section
  for (const d of dataSecs) for (const v of d.variables ?? []) varNames.set(v.name, d.name);

  for (const s of sectionOrder) {
    const fns = sectionFns.get(s)!;
    const fi: BtfFuncInfo[] = [];
    const li: BtfLineInfo[] = [];
    const cr: BtfCoreRelo[] = [];
    const code: Instruction[] = [];
    for (const f of fns) {
      const place = fnPlace.get(f.name)!;
      fi.push({ insnOff: place.offset, typeId: funcIds.get(f.name)! });
      let byte = place.offset;
      let lastLoc: string | undefined;
      const firstLoc = f.insns.find((i) => i.loc)?.loc;
      const byteOfInsn: number[] = [];
      f.insns.reduce((at, x, i) => ((byteOfInsn[i] = at), at + (x.code === LD_IMM64 ? 16 : 8)), place.offset);
      for (const c of f.coreRelos ?? []) {
        const at = byteOfInsn[c.insn];
        if (at === undefined) throw new ElfError(`${f.name}: CO-RE relocation on instruction ${c.insn}, which does not exist`);
        cr.push({ insnOff: at, typeId: importer.import(c.type), accessStr: c.accessStr, kind: c.kind });
      }
      f.insns.forEach((insn, idx) => {
        const where = `${f.name} insn ${idx}`;
        let out = insn;
        if (insn.ref !== undefined) {
          const { patched, reloc } = relocate(insn, where, s, byte);
          out = patched;
          relocations.push(reloc);
        }
        if (wantLines) {
          const loc = insn.loc ?? (idx === 0 ? firstLoc : undefined);
          const k = loc && `${loc.file}:${loc.line}:${loc.column}`;
          if (loc && k !== lastLoc) {
            li.push({ insnOff: byte, fileName: loc.file, line: loc.text ?? '', lineNum: loc.line, column: Math.min(Math.max(loc.column, 0), 1023) });
            lastLoc = k;
          }
        }
        const { ref: _ref, loc: _loc, ...plain } = out;
        code.push(plain);
        byte += insn.code === LD_IMM64 ? 16 : 8;
      });
    }
    sections.push({ name: s, type: SectionType.PROGBITS, flags: PROG_FLAGS, data: encode(code, { bigEndian: !le }), align: 8 });
    funcInfo.push({ section: s, records: fi });
    if (li.length) lineInfo.push({ section: s, records: li });
    if (cr.length) coreRelos.push({ section: s, records: cr });
  }

  function relocate(insn: Instruction, where: string, section: string, offset: number): { patched: Instruction; reloc: ElfRelocation } {
    const ref = insn.ref!;
    const kind = kinds.get(ref);
    const at = { section, offset };
    // Like clang: a global function is referenced by its symbol; a static one by the .text
    // section symbol plus its offset (libbpf accepts function pointers only in that form).
    const isStatic = (name: string): boolean => !(functions.find((f) => f.name === name)!.global ?? false);
    if (insn.code === CALL) {
      if (kind !== 'function') throw new ElfError(`${where}: call to ${ref}, which is not a function of this object`);
      const target = fnPlace.get(ref)!;
      if (target.section !== TEXT) throw new ElfError(`${where}: call to ${ref}, which is a program, not a .text function (libbpf calls only .text)`);
      if (isStatic(ref)) {
        return { patched: { ...insn, src: PseudoCall.LOCAL, imm: target.offset / 8 - 1 }, reloc: { ...at, symbol: TEXT, sectionSymbol: true, type: RelocType.R_BPF_64_32 } };
      }
      return { patched: { ...insn, src: PseudoCall.LOCAL, imm: -1 }, reloc: { ...at, symbol: ref, type: RelocType.R_BPF_64_32 } };
    }
    if (insn.code !== LD_IMM64) throw new ElfError(`${where}: reference to ${ref} on an instruction that is neither call nor ld_imm64`);
    const addend = insn.src === PseudoLd.MAP_VALUE ? (insn.imm2 ?? 0) : insn.src === PseudoLd.NONE ? insn.imm : 0;
    const plain = (imm: number): Instruction => ({ ...insn, src: 0, imm, imm2: 0 });
    if (kind === 'function') {
      const target = fnPlace.get(ref)!;
      if (target.section !== TEXT) throw new ElfError(`${where}: address of ${ref}, which is not a .text function`);
      if (isStatic(ref)) return { patched: plain(target.offset), reloc: { ...at, symbol: TEXT, sectionSymbol: true, type: RelocType.R_BPF_64_64 } };
      return { patched: plain(0), reloc: { ...at, symbol: ref, type: RelocType.R_BPF_64_64 } };
    }
    if (kind === 'map') {
      if (insn.src === PseudoLd.MAP_VALUE) throw new ElfError(`${where}: an address inside map ${ref}'s value cannot be expressed in an ELF object`);
      return { patched: plain(0), reloc: { ...at, symbol: ref, type: RelocType.R_BPF_64_64 } };
    }
    if (kind === 'variable' || kind === 'extern') return { patched: plain(addend), reloc: { ...at, symbol: ref, type: RelocType.R_BPF_64_64 } };
    if (dataSectionNames.has(ref)) return { patched: plain(addend), reloc: { ...at, symbol: ref, sectionSymbol: true, type: RelocType.R_BPF_64_64 } };
    throw new ElfError(`${where}: unknown reference ${ref} (not a function, map, variable or data section)`);
  }

  // --- .maps, data, license sections ----------------------------------------------------------------
  if (maps.length) {
    sections.push({ name: '.maps', type: SectionType.PROGBITS, flags: DATA_FLAGS, data: new Uint8Array(mapsSize), align: 8 });
    maps.forEach((m, i) => {
      const place = mapsData[i]!;
      for (const v of m.initialValues ?? []) {
        const k = kinds.get(v.target);
        if (k !== 'function' && k !== 'map') throw new ElfError(`map ${m.name}: initial value ${v.index} names ${v.target}, which is neither a program nor a map`);
        if (place.valuesOffset < 0) throw new ElfError(`map ${m.name}: only prog_array and maps of maps take initial values`);
        relocations.push({ section: '.maps', offset: place.offset + place.valuesOffset + 8 * v.index, symbol: v.target, type: RelocType.R_BPF_64_ABS64 });
      }
    });
  }
  for (const d of dataSecs) {
    const bss = d.name.startsWith('.bss');
    const ro = d.name.startsWith('.rodata');
    sections.push(bss
      ? { name: d.name, type: SectionType.NOBITS, flags: DATA_FLAGS, data: new Uint8Array(0), size: d.size ?? 0, align: 8 }
      : { name: d.name, type: SectionType.PROGBITS, flags: ro ? SectionFlag.ALLOC : DATA_FLAGS, data: d.data ?? new Uint8Array(0), align: 8 });
  }
  const licenseBytes = new TextEncoder().encode(`${model.license}\0`);
  sections.push({ name: 'license', type: SectionType.PROGBITS, flags: DATA_FLAGS, data: licenseBytes, align: 1 });

  // --- .BTF and .BTF.ext ------------------------------------------------------------------------------
  const strings = new BtfStringBuilder();
  const ext = encodeBtfExt({ funcInfo, lineInfo, coreRelos }, strings, { bigEndian: !le });
  const btfBytes = encodeBtf(b.build(), { strings, bigEndian: !le });
  sections.push({ name: '.BTF', type: SectionType.PROGBITS, flags: 0, data: btfBytes, align: 4 });
  sections.push({ name: '.BTF.ext', type: SectionType.PROGBITS, flags: 0, data: ext, align: 4 });

  // --- symbols: static functions are local; everything else global -----------------------------------
  const symbols: ElfSymbol[] = [];
  for (const f of functions) {
    const p = fnPlace.get(f.name)!;
    const global = f.global ?? f.section !== TEXT;
    symbols.push({ name: f.name, section: p.section, value: p.offset, size: p.size, kind: 'func', binding: global ? 'global' : 'local' });
  }
  maps.forEach((m, i) => symbols.push({ name: m.name, section: '.maps', value: mapsData[i]!.offset, size: mapsData[i]!.size, kind: 'object', binding: 'global' }));
  for (const d of dataSecs) {
    for (const v of d.variables ?? []) {
      symbols.push({ name: v.name, section: d.name, value: v.offset, size: v.size, kind: 'object', binding: (v.global ?? true) ? 'global' : 'local' });
    }
  }
  symbols.push({ name: '_license', section: 'license', value: 0, size: licenseBytes.length, kind: 'object', binding: 'global' });
  for (const k of kconfig) symbols.push({ name: k.name, value: 0, size: 0, kind: 'notype', binding: k.weak ? 'weak' : 'global' });
  return { bigEndian: !le, sections, symbols, relocations };
}
