// The last pass of the assembler: resolve jumps, calls, ld_imm64 and data references the way
// llvm-mc-14 does, and lay out the ELF object model (sections, symbols, relocations).
//
// llvm-mc's choices, checked against llvm-mc-14 -filetype=obj:
// - A relocation names the symbol itself when the symbol is undefined or not local (or lives in
//   a SHF_MERGE section and has an addend); otherwise it names the section symbol and the
//   symbol's offset goes into the addend (REL: stored in the instruction or data).
// - call: a local target in the same section is resolved (imm = slots to target - 1, src=1,
//   no relocation); otherwise R_BPF_64_32 with imm = (addend - 8) / 8, e.g. -1 for a global.
// - r = sym ll: R_BPF_64_64 with the addend in the low imm; .quad/.long sym: ABS64/ABS32.
// - Symbol table: STT_FILE first, then locals, then globals; each group in llvm-mc's
//   registration order (first definition, use or attribute; a section symbol when the section
//   is first entered), section symbols only when a relocation uses them.
import { type ElfFile, type ElfRelocation, type ElfSection, type ElfSymbol, RelocType, SectionFlag, SectionType } from '../../elf/elf-file.js';
import { COMMON_SECTION } from '../../elf/elf-constants.js';
import { AsmError } from '../errors.js';
import type { Assembler } from './assembler.js';
import { writeNumber } from './directives.js';
import { type Expr, type Fixup, FixupKind, type SectionState, type Sym, sectionSize } from './object.js';

interface Resolved {
  /** Defining section, or undefined for an absolute value or an undefined symbol. */
  section: SectionState | undefined;
  /** The symbol the value is relative to when it is undefined (extern). */
  undef: Sym | undefined;
  /** The symbol named in the expression (after .equ aliases). */
  sym: Sym | undefined;
  value: number;
}

function fail(asm: Assembler, reason: string, line: number, column: number): AsmError {
  return new AsmError(reason, line, column, asm.sc.file);
}

/** Follow .equ aliases to a section-relative or absolute value. */
function resolveSym(asm: Assembler, s: Sym, line: number, column: number, depth = 0): Resolved {
  if (depth > 32) throw fail(asm, `recursive definition of '${s.name}'`, line, column);
  if (s.equ !== undefined) {
    const r = resolveExpr(asm, s.equ, line, column, depth + 1);
    return r.sym === undefined && r.section === undefined && r.undef === undefined ? { ...r, sym: s } : r;
  }
  if (!s.defined) return { section: undefined, undef: s, sym: s, value: 0 };
  return { section: s.section, undef: undefined, sym: s, value: s.value };
}

function resolveExpr(asm: Assembler, e: Expr, line: number, column: number, depth = 0): Resolved {
  let value = e.k;
  let section: SectionState | undefined;
  let undef: Sym | undefined;
  let sym: Sym | undefined;
  if (e.sym !== undefined) {
    const r = resolveSym(asm, e.sym, line, column, depth);
    value += r.value;
    section = r.section;
    undef = r.undef;
    sym = r.sym;
  }
  if (e.sub !== undefined) {
    const r = resolveSym(asm, e.sub, line, column, depth);
    if (r.undef !== undefined || undef !== undefined) throw fail(asm, `cannot subtract undefined symbol '${(r.undef ?? undef)!.name}'`, line, column);
    if (r.section !== section) throw fail(asm, `cannot subtract symbols in different sections ('${e.sub.name}')`, line, column);
    value -= r.value;
    section = undefined;
    sym = undefined;
  }
  return { section, undef, sym, value };
}

function isLocal(s: Sym): boolean {
  return s.bindingSet ? s.binding === 'local' : s.defined || s.equ !== undefined;
}

interface RelocTarget { symbol: Sym | undefined; section: SectionState | undefined; addend: number }

/** Which symbol a relocation names, and the addend that goes into the bytes. */
function relocTarget(r: Resolved, e: Expr): RelocTarget {
  const s = r.sym;
  if (r.undef !== undefined) return { symbol: r.undef, section: undefined, addend: r.value };
  if (s !== undefined && !isLocal(s)) return { symbol: s, section: undefined, addend: r.value - s.value };
  const sec = r.section!;
  if (s !== undefined && s.sectionAlias !== true && (sec.flags & SectionFlag.MERGE) !== 0 && r.value - s.value + 0 !== 0 && e.k !== 0) {
    return { symbol: s, section: undefined, addend: r.value - s.value };
  }
  return { symbol: undefined, section: sec, addend: r.value };
}

/**
 * LLVM 14's BPF choice for a 4-byte data reference to a defined symbol: R_BPF_64_NODYLD32 for
 * a temporary (.L) label in an executable section (.BTF.ext instruction offsets) or a named
 * symbol in a writable section (.BTF DataSec offsets); R_BPF_64_ABS32 otherwise.
 */
function data32Type(r: Resolved): number {
  const s = r.sym;
  if (s !== undefined && r.undef === undefined && r.section !== undefined) {
    const flags = r.section.flags;
    const alloc = (flags & SectionFlag.ALLOC) !== 0;
    if (s.temp ? alloc && (flags & SectionFlag.EXECINSTR) !== 0 : alloc && (flags & SectionFlag.WRITE) !== 0) {
      return RelocType.R_BPF_64_NODYLD32;
    }
  }
  return RelocType.R_BPF_64_ABS32;
}

/** The instruction's 32-bit imm field (a signed or unsigned 32-bit value), in the object's byte order. */
function writeImm(asm: Assembler, sec: SectionState, insnOffset: number, imm: number): void {
  const b = sec.buf, p = insnOffset + 4;
  if (asm.be) { b[p] = imm >>> 24; b[p + 1] = imm >>> 16; b[p + 2] = imm >>> 8; b[p + 3] = imm; }
  else { b[p] = imm; b[p + 1] = imm >>> 8; b[p + 2] = imm >>> 16; b[p + 3] = imm >>> 24; }
}

/** The instruction's 16-bit off field. */
function writeOff(asm: Assembler, sec: SectionState, insnOffset: number, off: number): void {
  const b = sec.buf, p = insnOffset + 2;
  if (asm.be) { b[p] = off >> 8; b[p + 1] = off; }
  else { b[p] = off; b[p + 1] = off >> 8; }
}

export function buildElfFile(asm: Assembler): ElfFile {
  const relocations: ElfRelocation[] = [];
  // A name that is never defined but names a section means that section's start (LLVM's rule,
  // used by DWARF: `.long .debug_abbrev`).
  for (let si = 0; si < asm.symList.length; si++) {
    const s = asm.symList[si]!;
    if (s.defined || s.equ !== undefined || s.bindingSet) continue;
    const sec = asm.sections.get(s.name);
    if (sec === undefined) continue;
    s.defined = true;
    s.section = sec;
    s.value = 0;
    s.sectionAlias = true;
  }
  for (const sec of asm.sectionList) applyFixups(asm, sec, relocations);
  resolveSizes(asm);

  const sections: ElfSection[] = asm.sectionList.map((sec) => {
    const nobits = sec.type === SectionType.NOBITS;
    const base = {
      name: sec.name, type: sec.type, flags: sec.flags, data: nobits ? new Uint8Array(0) : sec.buf.subarray(0, sec.len), // the assembler is done with it
      align: sec.align,
    };
    return {
      ...base,
      ...(nobits ? { size: sec.bssSize } : {}),
      ...(sec.entsize !== 0 ? { entsize: sec.entsize } : {}),
    };
  });

  interface Entry { order: number; sym: ElfSymbol }
  const locals: Entry[] = [];
  const globals: Entry[] = [];
  for (const sec of asm.sectionList) {
    if (sec.usedInReloc) {
      locals.push({ order: sec.order, sym: { name: sec.name, section: sec.name, value: 0, size: 0, kind: 'section', binding: 'local' } });
    }
  }
  for (let si = 0; si < asm.symList.length; si++) {
    const s = asm.symList[si]!;
    if (s.order < 0 || s.sectionAlias === true) continue;
    if (s.temp && !s.usedInReloc) continue;
    if (s.temp && !s.defined && s.equ === undefined) {
      throw fail(asm, `undefined temporary symbol '${s.name}'`, s.line, s.column);
    }
    let section: string | undefined;
    let value = 0;
    let bigValue: bigint | undefined;
    if (s.equ !== undefined) {
      const r = resolveExpr(asm, s.equ, s.line, s.column);
      if (r.undef !== undefined) { section = undefined; value = 0; }
      else { section = r.section === undefined ? 'ABS' : r.section.name; value = r.value; }
      if (section === 'ABS' && s.equ.big !== undefined) { bigValue = s.equ.big; value = Number(bigValue); } // beyond 2^53
    } else if (s.defined) {
      section = s.section!.name;
      value = s.value;
    } else if (s.commonAlign !== 0) {
      section = COMMON_SECTION; // the linker allocates it; st_value is the alignment
      value = s.commonAlign;
    }
    const binding = s.bindingSet ? s.binding : (s.defined || s.equ !== undefined ? 'local' : 'global');
    // One object shape for every symbol (absent fields are undefined): cheaper to build in bulk.
    const sym: ElfSymbol = {
      name: s.name, section, value, bigValue, size: s.size, kind: s.kind, binding,
      visibility: s.visibility !== 'default' ? s.visibility : undefined,
    };
    (binding === 'local' ? locals : globals).push({ order: s.order, sym });
  }
  locals.sort((a, b) => a.order - b.order);
  globals.sort((a, b) => a.order - b.order);
  const symbols: ElfSymbol[] = [
    ...asm.fileSymbols.map((name): ElfSymbol => ({ name, section: 'ABS', value: 0, size: 0, kind: 'file', binding: 'local' })),
    ...locals.map((e) => e.sym),
    ...globals.map((e) => e.sym),
  ];
  if (asm.addrsig) {
    // ULEB128 symbol-table indices of the address-significant symbols, in directive order;
    // the writer keeps our symbol order, so index = position + 1 (after the null symbol).
    const index = new Map<string, number>();
    symbols.forEach((sym, i) => { if (sym.kind !== 'section' && !index.has(sym.name)) index.set(sym.name, i + 1); });
    const bytes: number[] = [];
    for (const s of asm.addrsigSyms) {
      let v = index.get(s.name);
      if (v === undefined) continue;
      for (;;) {
        const b = v & 0x7f;
        v >>>= 7;
        bytes.push(v === 0 ? b : b | 0x80);
        if (v === 0) break;
      }
    }
    sections.push({ name: '.llvm_addrsig', type: SectionType.LLVM_ADDRSIG, flags: 0x80000000, data: Uint8Array.from(bytes), align: 1 });
  }
  return { bigEndian: asm.be, sections, symbols, relocations };
}

/** Record a relocation against `symbol`, or else against `section`'s section symbol. */
function addReloc(out: ElfRelocation[], sec: SectionState, offset: number, type: number,
  symbol: Sym | undefined, section: SectionState | undefined): void {
  if (symbol !== undefined) {
    symbol.usedInReloc = true;
    out.push({ section: sec.name, offset, symbol: symbol.name, type });
  } else {
    section!.usedInReloc = true;
    out.push({ section: sec.name, offset, symbol: section!.name, sectionSymbol: true, type });
  }
}

/** Symbol sizes from their `.size` expressions. */
function resolveSizes(asm: Assembler): void {
  for (let si = 0; si < asm.symList.length; si++) {
    const s = asm.symList[si]!;
    if (s.sizeExpr === undefined) continue;
    const line = s.sizeLine ?? s.line;
    const col = s.sizeColumn ?? s.column;
    const r = resolveExpr(asm, s.sizeExpr, line, col);
    if (r.section !== undefined || r.undef !== undefined) throw fail(asm, `.size of '${s.name}' is not a constant`, line, col);
    if (r.value < 0) throw fail(asm, `.size of '${s.name}' is negative`, line, col);
    s.size = r.value;
  }
}

/** One section's fixups, in a function of its own so that V8 optimises the loop early. */
function applyFixups(asm: Assembler, sec: SectionState, out: ElfRelocation[]): void {
  const list = sec.fixups;
  const f: Fixup = { kind: FixupKind.Data, offset: 0, size: 0, line: 0, column: 0, k: 0, sym: undefined, sub: undefined, big: undefined };
  for (let i = 0; i < list.count; i++) {
    list.load(i, f);
    applyFixup(asm, sec, f, out);
  }
}

function applyFixup(asm: Assembler, sec: SectionState, f: Fixup, out: ElfRelocation[]): void {
  const s0 = f.sym;
  if (f.kind === FixupKind.Jump16 && s0 !== undefined && f.sub === undefined && s0.defined && s0.section === sec && s0.equ === undefined) {
    // The common case: a branch to a label in its own section.
    const delta = s0.value + f.k - (f.offset + 8);
    const slots = delta / 8;
    if (delta % 8 === 0 && slots >= -0x8000 && slots <= 0x7fff) { writeOff(asm, sec, f.offset, slots); return; }
  }
  if (f.kind === FixupKind.Ld64 && s0 !== undefined && f.sub === undefined && s0.equ === undefined && !isLocal(s0)) {
    // The common case: `r1 = map ll` with a global or undefined symbol. The relocation names
    // the symbol and the addend stays in imm (what relocTarget gives, without its objects).
    writeImm(asm, sec, f.offset, f.k | 0);
    addReloc(out, sec, f.offset, RelocType.R_BPF_64_64, s0, undefined);
    return;
  }
  const r = resolveExpr(asm, f, f.line, f.column);
  switch (f.kind) {
    case FixupKind.Jump16:
    case FixupKind.Jump32: {
      const name = f.sym?.name ?? '?';
      if (r.undef !== undefined) throw fail(asm, `jump target '${name}' is not defined`, f.line, f.column);
      if (r.section !== sec) throw fail(asm, `jump target '${name}' is not in section ${sec.name}`, f.line, f.column);
      const delta = r.value - (f.offset + 8);
      if (delta % 8 !== 0) throw fail(asm, `jump target '${name}' is not on an instruction boundary`, f.line, f.column);
      const slots = delta / 8;
      if (f.kind === FixupKind.Jump16) {
        if (slots < -0x8000 || slots > 0x7fff) throw fail(asm, `jump to '${name}' is ${slots} instructions away: out of the 16-bit range (use gotol)`, f.line, f.column);
        writeOff(asm, sec, f.offset, slots);
      } else {
        if (slots < -0x80000000 || slots > 0x7fffffff) throw fail(asm, `jump to '${name}' out of the 32-bit range`, f.line, f.column);
        writeImm(asm, sec, f.offset, slots);
      }
      return;
    }
    case FixupKind.Call: {
      if (r.section === undefined && r.undef === undefined) {
        // An absolute value (.equ): a helper id.
        writeNumber(asm, sec, f.offset + 1, 1, 0);
        writeImm(asm, sec, f.offset, r.value);
        return;
      }
      const s = r.sym;
      if (r.section === sec && s !== undefined && isLocal(s)) {
        const delta = r.value - (f.offset + 8);
        if (delta % 8 !== 0) throw fail(asm, `call target '${s.name}' is not on an instruction boundary`, f.line, f.column);
        writeImm(asm, sec, f.offset, delta / 8);
        return;
      }
      const t = relocTarget(r, f);
      const imm = Math.floor((t.addend - 8) / 8);
      writeImm(asm, sec, f.offset, imm);
      addReloc(out, sec, f.offset, RelocType.R_BPF_64_32, t.symbol, t.section);
      return;
    }
    case FixupKind.Ld64: {
      if (r.section === undefined && r.undef === undefined) {
        writeImm(asm, sec, f.offset, r.value | 0);
        writeImm(asm, sec, f.offset + 8, Math.floor(r.value / 2 ** 32) | 0);
        return;
      }
      const t = relocTarget(r, f);
      writeImm(asm, sec, f.offset, t.addend | 0);
      addReloc(out, sec, f.offset, RelocType.R_BPF_64_64, t.symbol, t.section);
      return;
    }
    default: { // Data
      if (r.section === undefined && r.undef === undefined) {
        const min = f.size === 8 ? -(2 ** 63) : -(2 ** (f.size * 8 - 1));
        const max = f.size === 8 ? 2 ** 64 : 2 ** (f.size * 8) - 1;
        if (r.value < min || r.value > max) throw fail(asm, 'out of range value', f.line, f.column);
        writeNumber(asm, sec, f.offset, f.size, r.value);
        return;
      }
      if (f.size !== 4 && f.size !== 8) throw fail(asm, `a ${f.size}-byte value cannot hold a symbol address`, f.line, f.column);
      const t = relocTarget(r, f);
      writeNumber(asm, sec, f.offset, f.size, f.size === 4 ? t.addend >>> 0 : t.addend);
      addReloc(out, sec, f.offset, f.size === 8 ? RelocType.R_BPF_64_ABS64 : data32Type(r), t.symbol, t.section);
    }
  }
}

export { sectionSize };
