// An llvm-objdump -d style listing of an ELF object's executable sections (and of raw
// instruction bytes). Layout, symbol headers, jump-target annotations (`<sym+0x10>`) and
// relocation lines follow llvm-objdump-14; instruction text comes from formatInstruction.
import type { ElfFile, ElfRelocation, ElfSection } from '../../elf/elf-file.js';
import { SectionFlag, SectionType } from '../../elf/elf-file.js';
import type { Instruction } from '../instruction.js';
import { LD_IMM64 } from '../opcode.js';
import { formatInstruction, type FormatOptions, type TextOut, writeInstruction } from './format.js';

export interface DisassembleOptions {
  /** Only this section. */
  readonly section?: string;
  /** Print relocations under the instructions they patch (llvm-objdump -r). */
  readonly relocations?: boolean;
  /** `w` registers for 8/16/32-bit memory operands (llvm-objdump --mattr=+alu32). */
  readonly alu32?: boolean;
  /** File name for the `NAME:\tfile format elf64-bpf` header. */
  readonly fileName?: string;
  /** Comment lines to print before the instruction at (section, byte offset): source lines. */
  readonly notes?: ReadonlyMap<string, ReadonlyMap<number, string>>;
}

export interface ListedInstruction {
  /** Slot index in the section. */
  readonly index: number;
  /** Byte offset in the section. */
  readonly offset: number;
  /** The instruction's bytes as spaced hex (`b7 01 00 00 2a 00 00 00`). */
  readonly bytes: string;
  readonly text: string;
  readonly insn: Instruction;
  readonly relocations: readonly { readonly offset: number; readonly type: string; readonly symbol: string }[];
}

export interface ListedSymbol {
  readonly name: string;
  readonly offset: number;
}

export interface ListedSection {
  readonly name: string;
  /** Symbols that start a block, in address order (llvm-objdump's headers). */
  readonly symbols: readonly ListedSymbol[];
  readonly instructions: readonly ListedInstruction[];
}

export const RELOC_NAMES: Readonly<Record<number, string>> = {
  0: 'R_BPF_NONE', 1: 'R_BPF_64_64', 2: 'R_BPF_64_ABS64', 3: 'R_BPF_64_ABS32', 4: 'R_BPF_64_NODYLD32', 10: 'R_BPF_64_32',
};

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hexBytes(b: Uint8Array, from: number, to: number): string {
  let s = HEX[b[from]!]!;
  for (let i = from + 1; i < to; i++) s += ` ${HEX[b[i]!]!}`;
  return s;
}

function readInsn(b: Uint8Array, p: number, be: boolean): Instruction {
  const regs = b[p + 1]!;
  if (be) {
    return {
      code: b[p]!, dst: regs >> 4, src: regs & 0xf,
      off: ((b[p + 2]! << 24) | (b[p + 3]! << 16)) >> 16,
      imm: (b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!,
    };
  }
  return {
    code: b[p]!, dst: regs & 0xf, src: regs >> 4,
    off: ((b[p + 3]! << 24) | (b[p + 2]! << 16)) >> 16,
    imm: b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24),
  };
}

const addr16 = (n: bigint | number): string => BigInt.asUintN(64, BigInt(n)).toString(16).padStart(16, '0');

/**
 * Symbols of a section the way llvm-objdump-14 uses them: defined, not section or file
 * symbols, sorted by (address, name); of several at one address the last wins. A section
 * with no symbol at offset 0 gets its own name there.
 */
function blockSymbols(elf: ElfFile, sec: ElfSection): ListedSymbol[] {
  const all = elf.symbols
    .filter((s) => s.section === sec.name && s.kind !== 'section' && s.kind !== 'file')
    .map((s) => ({ name: s.name, offset: s.value }));
  all.sort((a, b) => a.offset - b.offset || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: ListedSymbol[] = [];
  for (let i = 0; i < all.length; i++) {
    if (i + 1 < all.length && all[i + 1]!.offset === all[i]!.offset) continue;
    out.push(all[i]!);
  }
  if (out.length === 0 || out[0]!.offset !== 0) out.unshift({ name: sec.name, offset: 0 });
  return out;
}

/** The `sym+0x10` text llvm-objdump prints for a jump target slot (made once per target). */
function symbolizer(symbols: readonly ListedSymbol[]): (slot: number) => string {
  const made = new Map<number, string>();
  return (slot: number): string => {
    let text = made.get(slot);
    if (text === undefined) made.set(slot, (text = symbolText(symbols, slot)));
    return text;
  };
}

function symbolText(symbols: readonly ListedSymbol[], slot: number): string {
  // A negative target is a huge unsigned address: the last symbol precedes it.
  const target = slot * 8;
  let best: ListedSymbol;
  if (target < 0) best = symbols[symbols.length - 1]!;
  else {
    let lo = 0;
    let hi = symbols.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (symbols[mid]!.offset <= target) lo = mid; else hi = mid - 1;
    }
    best = symbols[lo]!;
  }
  const delta = target - best.offset;
  if (delta === 0) return best.name;
  return `${best.name}+0x${(delta < 0 ? BigInt.asUintN(64, BigInt(delta)) : delta).toString(16)}`;
}

/** List one section's instructions. */
export function listSection(elf: ElfFile, sec: ElfSection, opts: DisassembleOptions = {}): ListedSection {
  const symbols = blockSymbols(elf, sec);
  const symbolize = symbolizer(symbols);
  const relocs = elf.relocations.filter((r) => r.section === sec.name).sort((x, y) => x.offset - y.offset);
  let ri = 0;
  const b = sec.data;
  const instructions: ListedInstruction[] = [];
  for (let p = 0; p + 8 <= b.length;) {
    const insn = readInsn(b, p, elf.bigEndian);
    let len = 8;
    if (insn.code === LD_IMM64 && p + 16 <= b.length) {
      insn.imm2 = readInsn(b, p + 8, elf.bigEndian).imm;
      len = 16;
    }
    const fopts: FormatOptions = { pc: p / 8, symbolize, ...(opts.alu32 === true ? { alu32: true } : {}) };
    while (ri < relocs.length && relocs[ri]!.offset < p) ri++;
    const mine: { offset: number; type: string; symbol: string }[] = [];
    for (let k = ri; k < relocs.length && relocs[k]!.offset < p + len; k++) {
      const r: ElfRelocation = relocs[k]!;
      mine.push({ offset: r.offset, type: RELOC_NAMES[r.type] ?? `R_BPF_${r.type}`, symbol: r.symbol });
    }
    instructions.push({ index: p / 8, offset: p, bytes: hexBytes(b, p, p + len), text: formatInstruction(insn, fopts), insn, relocations: mine });
    p += len;
  }
  return { name: sec.name, symbols, instructions };
}

/** The executable sections that have bytes, optionally only one. */
export function codeSections(elf: ElfFile, only?: string): ElfSection[] {
  return elf.sections.filter((s) => (s.flags & SectionFlag.EXECINSTR) !== 0 && s.type !== SectionType.NOBITS && s.data.length > 0
    && (only === undefined || s.name === only));
}

/** Text written as bytes into a growing buffer: a long listing without millions of string ropes. */
class TextSink implements TextOut {
  buf: Uint8Array;
  len = 0;

  /** `capacity`: the expected size, so that a long listing is not copied as it grows. */
  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(capacity);
  }
  private static readonly encoder = new TextEncoder();

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  str(s: string): void {
    const n = s.length;
    this.room(n * 3);
    const b = this.buf;
    let p = this.len;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) { this.len = p; this.utf8(s.slice(i)); return; }
      b[p++] = c;
    }
    this.len = p;
  }

  /** A safe integer in decimal, digits written straight into the buffer. */
  int(n: number): void {
    this.room(24);
    const b = this.buf;
    let p = this.len;
    if (n < 0) { b[p++] = 45; n = -n; }
    this.len = digits(b, p, n, 0);
  }

  private utf8(s: string): void {
    const bytes = TextSink.encoder.encode(s);
    this.room(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.len++] = c;
  }

  /** Slot index right-aligned in 8 columns, then `:\t`. */
  index(n: number): void {
    this.room(24);
    const b = this.buf;
    const p = digits(b, this.len, n, 8);
    b[p] = 58;
    b[p + 1] = 9;
    this.len = p + 2;
  }

  /** `b7 01 00 ...` */
  hex(b: Uint8Array, from: number, to: number): void {
    this.room((to - from) * 3);
    const out = this.buf;
    let p = this.len;
    for (let i = from; i < to; i++) {
      if (i > from) out[p++] = 32;
      const v = b[i]!;
      out[p++] = HEX_CODES[v >> 4]!;
      out[p++] = HEX_CODES[v & 15]!;
    }
    this.len = p;
  }

  toBytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  toString(): string {
    return new TextDecoder().decode(this.toBytes());
  }
}

/**
 * Write non-negative integer `n` in decimal at `p`, right-aligned in `width` columns (spaces
 * before it); returns the end. (n - n % 10) / 10 stays an exact small integer, where
 * Math.floor(n / 10) would make a fraction first.
 */
function digits(b: Uint8Array, p: number, n: number, width: number): number {
  let count = 1;
  for (let v = n; v >= 10; v = (v - (v % 10)) / 10) count++;
  for (let i = count; i < width; i++) b[p++] = 32;
  const end = p + count;
  for (let q = end - 1, v = n; q >= p; q--, v = (v - (v % 10)) / 10) b[q] = 48 + (v % 10);
  return end;
}

const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** llvm-objdump -d (and with `relocations`, -d -r) text for an object. */
export function disassembleElf(elf: ElfFile, opts: DisassembleOptions = {}): string {
  return listing(elf, opts).toString();
}

/** The same listing as UTF-8 bytes, ready for a file or stdout (no string in between). */
export function disassembleElfBytes(elf: ElfFile, opts: DisassembleOptions = {}): Uint8Array {
  return listing(elf, opts).toBytes();
}

function listing(elf: ElfFile, opts: DisassembleOptions): TextSink {
  // Streams straight into bytes: one mutable instruction and one options object per section,
  // so that a large listing allocates little beyond each instruction's text.
  const sections = codeSections(elf, opts.section);
  // About 60 bytes a line: one allocation for the whole listing.
  const slots = sections.reduce((n, sec) => n + (sec.data.length >>> 3), 0);
  const out = new TextSink(Math.max(1 << 16, slots * 64));
  out.str(`\n${opts.fileName ?? 'a.o'}:\tfile format elf64-bpf\n`);
  const be = elf.bigEndian;
  for (const sec of sections) {
    out.str(`\nDisassembly of section ${sec.name}:\n`);
    const symbols = blockSymbols(elf, sec);
    const fopts: { pc: number; symbolize: (slot: number) => string; alu32?: boolean } = { pc: 0, symbolize: symbolizer(symbols) };
    if (opts.alu32 === true) fopts.alu32 = true;
    const relocs = opts.relocations === true ? elf.relocations.filter((r) => r.section === sec.name).sort((x, y) => x.offset - y.offset) : [];
    let ri = 0;
    let next = 0;
    const notes = opts.notes?.get(sec.name);
    const b = sec.data;
    const insn: Instruction = { code: 0, dst: 0, src: 0, off: 0, imm: 0, imm2: 0 };
    for (let p = 0; p + 8 <= b.length;) {
      while (next < symbols.length && symbols[next]!.offset <= p) {
        const sym = symbols[next++]!;
        out.str(`\n${addr16(sym.offset)} <${sym.name}>:\n`);
      }
      const regs = b[p + 1]!;
      insn.code = b[p]!;
      if (be) {
        insn.dst = regs >> 4; insn.src = regs & 0xf;
        insn.off = ((b[p + 2]! << 24) | (b[p + 3]! << 16)) >> 16;
        insn.imm = (b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!;
      } else {
        insn.dst = regs & 0xf; insn.src = regs >> 4;
        insn.off = ((b[p + 3]! << 24) | (b[p + 2]! << 16)) >> 16;
        insn.imm = b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24);
      }
      let len = 8;
      insn.imm2 = 0;
      if (insn.code === LD_IMM64 && p + 16 <= b.length) {
        insn.imm2 = be ? (b[p + 12]! << 24) | (b[p + 13]! << 16) | (b[p + 14]! << 8) | b[p + 15]!
          : b[p + 12]! | (b[p + 13]! << 8) | (b[p + 14]! << 16) | (b[p + 15]! << 24);
        len = 16;
      }
      fopts.pc = p >>> 3;
      if (notes !== undefined) {
        const note = notes.get(p);
        if (note !== undefined) out.str(`${note}\n`);
      }
      out.index(p >>> 3);
      out.hex(b, p, p + len);
      out.byte(9);
      writeInstruction(out, insn, fopts);
      out.byte(10);
      if (ri < relocs.length) {
        while (ri < relocs.length && relocs[ri]!.offset < p) ri++;
        while (ri < relocs.length && relocs[ri]!.offset < p + len) {
          const r = relocs[ri++]!;
          out.str(`\t\t${addr16(r.offset)}:  ${RELOC_NAMES[r.type] ?? `R_BPF_${r.type}`}\t${r.symbol}\n`);
        }
      }
      p += len;
    }
  }
  return out;
}

/** Instructions (already decoded) as text lines, one per instruction: `   0: r1 = 42`. */
export function disassembleInstructions(insns: readonly Instruction[], opts: { alu32?: boolean } = {}): string[] {
  const lines: string[] = [];
  let slot = 0;
  for (const insn of insns) {
    lines.push(`${String(slot).padStart(4)}: ${formatInstruction(insn, opts.alu32 === true ? { alu32: true, pc: slot } : { pc: slot })}`);
    slot += insn.code === LD_IMM64 ? 2 : 1;
  }
  return lines;
}
