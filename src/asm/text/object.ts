// What the assembler builds while it reads: sections with growing byte buffers, symbols with
// the order in which llvm-mc registers them (first definition, use or attribute), and
// expressions over symbols kept until every label is known.
import type { SymbolBinding, SymbolKind, SymbolVisibility } from '../../elf/elf-file.js';
import { SectionFlag, SectionType } from '../../elf/elf-file.js';

/** A value `sym - sub + k`; sym/sub absent for a constant. `big` holds a constant beyond 2^53. */
export interface Expr {
  sym?: Sym;
  sub?: Sym;
  k: number;
  big?: bigint;
}

export interface Sym {
  readonly name: string;
  /** `.L` names stay out of the symbol table. */
  readonly temp: boolean;
  section: SectionState | undefined;
  value: number;
  defined: boolean;
  /** Registration order (llvm-mc's symbol table order); -1 while unregistered. */
  order: number;
  binding: SymbolBinding;
  /** Set by .globl/.weak/.local; otherwise an undefined symbol becomes global. */
  bindingSet: boolean;
  kind: SymbolKind;
  visibility: SymbolVisibility;
  size: number;
  sizeExpr?: Expr;
  sizeLine?: number;
  sizeColumn?: number;
  /** `.equ`/`.set` value. */
  equ?: Expr;
  /** A relocation names this symbol (a temporary label then goes into the symbol table). */
  usedInReloc: boolean;
  /** A reference to a section by its name (`.long .debug_abbrev`): the section symbol, never listed. */
  sectionAlias?: boolean;
  /** `.comm` of a symbol that is not local: a common symbol (SHN_COMMON) with this alignment; 0 otherwise. */
  commonAlign: number;
  /** Line and column of the first mention (for "undefined" errors). */
  line: number;
  column: number;
}

/**
 * A symbol with every field present from the start: one hidden class for all symbols, so the
 * assembler's hot functions are not deoptimised when a field first appears (`.size`, `.equ`).
 */
export function newSym(name: string, temp: boolean, line: number, column: number): Sym {
  return {
    name, temp, section: undefined, value: 0, defined: false, order: -1, binding: 'local', bindingSet: false,
    kind: 'notype', visibility: 'default', size: 0, sizeExpr: undefined, sizeLine: undefined, sizeColumn: undefined,
    equ: undefined, usedInReloc: false, sectionAlias: false, commonAlign: 0, line, column,
  };
}

/** An expression object with all four fields present (one hidden class). */
export function newExpr(k: number, sym: Sym | undefined, sub: Sym | undefined, big: bigint | undefined): Expr {
  return { sym, sub, k, big };
}

/**
 * V8 records the type of each field of a hidden class; the first time a field that held
 * `undefined` gets an object, the class is replaced and every symbol made so far is migrated,
 * one slow step each, on its next use (and the code that used them is thrown away). Giving the
 * object fields their general type here, once, spares a large file thousands of migrations.
 */
function generalizeShapes(): void {
  const s = newSym('', false, 0, 0);
  const e = newExpr(0, s, s, 0n);
  // Every field the assembler writes later is written here once with the kinds of value it
  // will hold (V8 also demotes a field from "constant" the first time it is rewritten).
  s.section = newSection('', 0, 0, 0);
  s.sizeExpr = e;
  s.equ = e;
  s.sizeLine = 1;
  s.sizeColumn = 1;
  // Values and sizes are computed in floating point and may exceed a small integer: a field
  // that has held a non-number is "tagged" and takes any number without a shape change.
  s.value = undefined as unknown as number;
  s.size = undefined as unknown as number;
  s.value = 1;
  s.defined = true;
  s.order = 1;
  s.binding = 'global';
  s.bindingSet = true;
  s.kind = 'func';
  s.visibility = 'hidden';
  s.size = 1;
  s.usedInReloc = true;
  s.sectionAlias = true;
  s.commonAlign = 8;
  newExpr(0, undefined, undefined, undefined);
}

export const FixupKind = {
  /** goto/if: 16-bit slot offset in `off` */
  Jump16: 0,
  /** gotol: 32-bit slot offset in `imm` */
  Jump32: 1,
  /** call sym: local call or R_BPF_64_32 */
  Call: 2,
  /** r = sym ll: R_BPF_64_64 */
  Ld64: 3,
  /** .byte/.short/.long/.quad with a symbolic value */
  Data: 4,
} as const;
export type FixupKindValue = (typeof FixupKind)[keyof typeof FixupKind];

/** A value to fill in once every symbol is known; the expression's parts are inline. */
export interface Fixup extends Expr {
  kind: FixupKindValue;
  /** Byte offset of the instruction (or of the data item) in its section. */
  offset: number;
  /** Data item width in bytes. */
  size: number;
  line: number;
  column: number;
}

/**
 * A section's fixups as parallel arrays rather than one object each: a large file has one per
 * jump, call and symbol load, and they all live until the end, which objects make costly to
 * the garbage collector.
 */
export class FixupList {
  count = 0;
  kind = new Uint8Array(64);
  size = new Uint8Array(64);
  offset = new Int32Array(64);
  line = new Int32Array(64);
  column = new Int32Array(64);
  k = new Float64Array(64);
  readonly sym: (Sym | undefined)[] = [];
  /** The rare parts (`.long a-b`, a constant beyond 2^53), by fixup index where present. */
  readonly sub = new Map<number, Sym>();
  readonly big = new Map<number, bigint>();

  push(kind: FixupKindValue, offset: number, size: number, line: number, column: number, k: number,
    sym: Sym | undefined, sub: Sym | undefined, big: bigint | undefined): void {
    const i = this.count;
    if (i === this.kind.length) this.grow();
    this.kind[i] = kind;
    this.size[i] = size;
    this.offset[i] = offset;
    this.line[i] = line;
    this.column[i] = column;
    this.k[i] = k;
    this.sym.push(sym);
    if (sub !== undefined) this.sub.set(i, sub);
    if (big !== undefined) this.big.set(i, big);
    this.count = i + 1;
  }

  /** Copy fixup i into `f` (a reused object). */
  load(i: number, f: Fixup): void {
    f.kind = this.kind[i] as FixupKindValue;
    f.size = this.size[i]!;
    f.offset = this.offset[i]!;
    f.line = this.line[i]!;
    f.column = this.column[i]!;
    f.k = this.k[i]!;
    f.sym = this.sym[i];
    f.sub = this.sub.size === 0 ? undefined : this.sub.get(i);
    f.big = this.big.size === 0 ? undefined : this.big.get(i);
  }

  private grow(): void {
    const n = this.kind.length * 2;
    const g = <T extends Uint8Array | Int32Array | Float64Array>(a: T, make: (n: number) => T): T => { const b = make(n); b.set(a); return b; };
    this.kind = g(this.kind, (m) => new Uint8Array(m));
    this.size = g(this.size, (m) => new Uint8Array(m));
    this.offset = g(this.offset, (m) => new Int32Array(m));
    this.line = g(this.line, (m) => new Int32Array(m));
    this.column = g(this.column, (m) => new Int32Array(m));
    this.k = g(this.k, (m) => new Float64Array(m));
  }
}

export interface SectionState {
  readonly name: string;
  type: number;
  flags: number;
  align: number;
  entsize: number;
  buf: Uint8Array;
  len: number;
  /** NOBITS size. */
  bssSize: number;
  /** Instructions were emitted here: alignment padding uses BPF nops (llvm-mc does). */
  hasInsns: boolean;
  readonly fixups: FixupList;
  /** Registration order of the section symbol. */
  readonly order: number;
  usedInReloc: boolean;
}

export function newSection(name: string, type: number, flags: number, order: number, align = 1): SectionState {
  return {
    name, type, flags, align, entsize: 0, buf: new Uint8Array(type === SectionType.NOBITS ? 0 : 256), len: 0, bssSize: 0,
    hasInsns: false, fixups: new FixupList(), order, usedInReloc: false,
  };
}

/** Room for `n` more bytes. */
export function reserve(sec: SectionState, n: number): void {
  const need = sec.len + n;
  if (need <= sec.buf.length) return;
  let cap = sec.buf.length * 2 || 256;
  while (cap < need) cap *= 2;
  const next = new Uint8Array(cap);
  next.set(sec.buf.subarray(0, sec.len));
  sec.buf = next;
}

export function sectionSize(sec: SectionState): number {
  return sec.type === SectionType.NOBITS ? sec.bssSize : sec.len;
}

generalizeShapes();

/** Default flags and type of a section named without a flags string (LLVM's ELFAsmParser rules). */
export function defaultSectionFlags(name: string): { flags: number; type: number } {
  const has = (prefix: string): boolean => name === prefix || name.startsWith(`${prefix}.`);
  let flags = 0;
  let type: number = SectionType.PROGBITS;
  if (has('.rodata') || name === '.rodata1') flags = SectionFlag.ALLOC;
  else if (name === '.fini' || name === '.init' || has('.text')) flags = SectionFlag.ALLOC | SectionFlag.EXECINSTR;
  else if (has('.data') || name === '.data1' || has('.bss') || has('.init_array') || has('.fini_array') || has('.preinit_array')) {
    flags = SectionFlag.ALLOC | SectionFlag.WRITE;
  }
  if (has('.bss')) type = SectionType.NOBITS;
  return { flags, type };
}
