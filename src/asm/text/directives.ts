// Assembler directives, as clang's BPF output and llvm-mc use them.
// Handled: .text .data .bss .section .pushsection .popsection .previous .globl/.global .local
// .weak .hidden .internal .protected .type .size .equ .set .p2align .balign .align
// .byte .short/.2byte/.half .long/.4byte/.word .quad/.8byte .ascii .asciz/.string .zero/.space/.skip
// .uleb128 .sleb128 .file (the one-argument form makes an STT_FILE symbol).
// .addrsig/.addrsig_sym (the .llvm_addrsig section, as llvm-mc writes it).
// Accepted and ignored (llvm-mc would emit debug or metadata sections for some of them):
// .file N "..." and .loc (.debug_line), .cfi_* (.eh_frame/.debug_frame), .ident (.comment), .section-less .note.GNU-stack markers, .build_version,
// .macosx_version_min, .end.
import { SectionFlag, SectionType, type SymbolBinding, type SymbolKind } from '../../elf/elf-file.js';
import type { Assembler } from './assembler.js';
import { CH_COMMA, CH_QUOTE, CH_AT, CH_PERCENT } from './lexer.js';
import { type Expr, defaultSectionFlags, FixupKind, reserve, type SectionState, type Sym } from './object.js';

const IGNORED = new Set([
  '.loc', '.ident', '.build_version', '.macosx_version_min', '.end',
  '.cfi_sections', '.cfi_startproc', '.cfi_endproc', '.cfi_def_cfa', '.cfi_def_cfa_offset', '.cfi_offset',
  '.cfi_def_cfa_register', '.cfi_restore', '.cfi_adjust_cfa_offset', '.cfi_rel_offset', '.cfi_register',
  '.cfi_remember_state', '.cfi_restore_state', '.cfi_undefined', '.cfi_same_value', '.cfi_escape',
  '.cfi_personality', '.cfi_lsda', '.cfi_signal_frame', '.cfi_return_column', '.cfi_window_save',
  '.loc_mark_labels', '.file_directive',
]);

/** Data directives and their item sizes. */
export const DATA_SIZES: Readonly<Record<string, number>> = {
  '.byte': 1, '.short': 2, '.2byte': 2, '.half': 2, '.hword': 2, '.long': 4, '.4byte': 4, '.word': 4, '.int': 4,
  '.quad': 8, '.8byte': 8,
};

export function runDirective(asm: Assembler, name: string, start: number): void {
  const sc = asm.sc;
  const size = DATA_SIZES[name];
  if (size !== undefined) { dataValues(asm, size); sc.expectEnd(); return; }
  switch (name) {
    case '.text': asm.switchTo(asm.getSection('.text', SectionType.PROGBITS, SectionFlag.ALLOC | SectionFlag.EXECINSTR, 4)); break;
    case '.data': asm.switchTo(asm.getSection('.data', SectionType.PROGBITS, SectionFlag.ALLOC | SectionFlag.WRITE)); break;
    case '.bss': asm.switchTo(asm.getSection('.bss', SectionType.NOBITS, SectionFlag.ALLOC | SectionFlag.WRITE)); break;
    case '.section': section(asm, false); break;
    case '.pushsection': section(asm, true); break;
    case '.popsection': {
      const top = asm.sectionStack.pop();
      if (top === undefined) throw sc.error('.popsection without .pushsection', start);
      asm.cur = top.cur;
      asm.prev = top.prev;
      break;
    }
    case '.previous':
      if (asm.prev !== undefined) { const p = asm.prev; asm.prev = asm.cur; asm.cur = p; }
      break;
    case '.globl': case '.global': symbolList(asm, (s) => setBinding(asm, s, 'global')); break;
    case '.weak': symbolList(asm, (s) => setBinding(asm, s, 'weak')); break;
    case '.local': symbolList(asm, (s) => setBinding(asm, s, 'local')); break;
    case '.hidden': symbolList(asm, (s) => { s.visibility = 'hidden'; }); break;
    case '.internal': symbolList(asm, (s) => { s.visibility = 'internal'; }); break;
    case '.protected': symbolList(asm, (s) => { s.visibility = 'protected'; }); break;
    case '.type': typeDirective(asm); break;
    case '.size': sizeDirective(asm); break;
    case '.equ': case '.set': equDirective(asm); break;
    case '.p2align': align(asm, true); break;
    case '.balign': case '.align': align(asm, false); break;
    case '.ascii': strings(asm, false); break;
    case '.asciz': case '.string': strings(asm, true); break;
    case '.zero': case '.space': case '.skip': zero(asm); break;
    case '.extern': do symbolName(asm); while (sc.eat(CH_COMMA)); break; // ELF: undefined symbols are external anyway
    case '.comm': common(asm, false); break;
    case '.lcomm': common(asm, true); break;
    case '.uleb128': case '.sleb128': leb(asm, name === '.sleb128'); break;
    case '.addrsig': asm.addrsig = true; break;
    case '.addrsig_sym': asm.addrsigSyms.push(asm.symbol(symbolName(asm))); break;
    case '.file': {
      sc.skipSpace();
      if (sc.peek() === CH_QUOTE) {
        const bytes = sc.readString();
        sc.skipSpace();
        if (sc.atStatementEnd()) { asm.fileSymbols.push(new TextDecoder().decode(bytes)); break; }
      }
      sc.skipToLineEnd();
      break;
    }
    default:
      if (IGNORED.has(name) || name.startsWith('.cfi_')) { sc.skipToLineEnd(); break; }
      throw sc.error(`unknown directive '${name}'`, start);
  }
  sc.expectEnd();
}

function symbolName(asm: Assembler): string {
  const sc = asm.sc;
  sc.skipSpace();
  if (sc.peek() === CH_QUOTE) return new TextDecoder().decode(sc.readString());
  const name = sc.readIdent();
  if (name === undefined) throw sc.error(`expected a symbol name but found '${sc.describeHere()}'`);
  return name;
}

function symbolList(asm: Assembler, apply: (s: Sym) => void): void {
  do {
    const pos = asm.sc.pos;
    const s = asm.symbol(symbolName(asm), pos);
    apply(s);
    asm.register(s);
  } while (asm.sc.eat(CH_COMMA));
}

function typeDirective(asm: Assembler): void {
  const sc = asm.sc;
  const s = asm.symbol(symbolName(asm));
  sc.expect(CH_COMMA);
  sc.skipSpace();
  const c = sc.peek();
  if (c === CH_AT || c === CH_PERCENT) sc.pos++;
  else if (c === CH_QUOTE) { /* "function" is accepted too */ }
  const pos = sc.pos;
  const t = c === CH_QUOTE ? new TextDecoder().decode(sc.readString()) : sc.readIdent();
  switch (t) {
    case 'function': case 'STT_FUNC': setSymbolKind(asm, s, 'func'); break;
    case 'object': case 'STT_OBJECT': setSymbolKind(asm, s, 'object'); break;
    case 'notype': case 'STT_NOTYPE': setSymbolKind(asm, s, 'notype'); break;
    case 'tls_object': case 'common': case 'gnu_unique_object': case 'gnu_indirect_function':
      throw sc.error(`symbol type '${t}' is not supported for BPF`, pos);
    default: throw sc.error(`unknown symbol type '${t ?? sc.describeHere()}'`, pos);
  }
}

/** `.type s, @kind`. */
export function setSymbolKind(asm: Assembler, s: Sym, kind: SymbolKind): void {
  s.kind = kind;
  asm.register(s);
}

/** `.globl s`, `.weak s`, `.local s`. */
export function setBinding(asm: Assembler, s: Sym, binding: SymbolBinding): void {
  s.binding = binding;
  s.bindingSet = true;
  asm.register(s);
}

function sizeDirective(asm: Assembler): void {
  const sc = asm.sc;
  const s = asm.symbol(symbolName(asm));
  sc.expect(CH_COMMA);
  sc.skipSpace();
  const line = sc.line, column = sc.column;
  const k = asm.parseExpr();
  setSize(s, asm.exprObject(k), line, column);
}

/** `.size s, expr` (resolved when the object is built; line and column of expr for errors). */
export function setSize(s: Sym, size: Expr, line: number, column: number): void {
  s.sizeLine = line;
  s.sizeColumn = column;
  s.sizeExpr = size;
}

function equDirective(asm: Assembler): void {
  const sc = asm.sc;
  const pos = sc.pos;
  const name = symbolName(asm);
  sc.expect(CH_COMMA);
  const k = asm.parseExpr();
  const s = asm.symbol(name, pos);
  if (s.defined) throw sc.error(`symbol '${name}' is already defined`, pos);
  if (asm.exSym === s || asm.exSub === s) throw sc.error(`recursive definition of '${name}'`, pos);
  s.equ = asm.exprObject(k);
  asm.register(s);
}

function align(asm: Assembler, pow2: boolean): void {
  const sc = asm.sc;
  const pos = sc.pos;
  const v = asm.constant(0, pow2 ? 31 : 0x80000000, 'alignment');
  const bytes = pow2 ? 2 ** v : v === 0 ? 1 : v;
  if (!pow2 && (bytes & (bytes - 1)) !== 0) throw sc.error(`alignment ${v} is not a power of two`, pos);
  let fill = -1;
  let max = Infinity;
  if (sc.eat(CH_COMMA)) {
    sc.skipSpace();
    if (sc.peek() !== CH_COMMA) fill = asm.constant(-128, 255, 'fill value') & 0xff;
    if (sc.eat(CH_COMMA)) max = asm.constant(0, 0x7fffffff, 'maximum padding');
  }
  alignTo(asm, bytes, fill, max, pos);
}

/** Pad the current section to a multiple of `bytes` (a power of two), as llvm-mc does. */
export function alignTo(asm: Assembler, bytes: number, fill: number, max: number, pos: number): void {
  const sc = asm.sc;
  const sec = asm.cur;
  if (bytes > 2 ** 16) throw sc.error(`alignment ${bytes} is too large`, pos);
  if (bytes > sec.align) sec.align = bytes;
  const at = sec.type === SectionType.NOBITS ? sec.bssSize : sec.len;
  const pad = (bytes - (at % bytes)) % bytes;
  if (pad === 0 || pad > max) return;
  if (sec.type === SectionType.NOBITS) { sec.bssSize += pad; return; }
  reserve(sec, pad);
  if (fill < 0 && sec.hasInsns) {
    // llvm-mc pads code with BPF nops (the 64-bit word 0x15000000), and cannot pad a partial slot.
    if (pad % 8 !== 0) throw sc.error(`cannot pad ${pad} bytes with BPF instructions (not a multiple of 8)`, pos);
    for (let q = 0; q < pad; q += 8) writeWord(asm, sec, sec.len + q, 8, 0x15000000n);
  } else if (fill > 0) {
    sec.buf.fill(fill, sec.len, sec.len + pad);
  }
  sec.len += pad;
}

function writeWord(asm: Assembler, sec: SectionState, at: number, size: number, value: bigint): void {
  let v = BigInt.asUintN(size * 8, value);
  for (let i = 0; i < size; i++) {
    const idx = asm.be ? at + size - 1 - i : at + i;
    sec.buf[idx] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Write a number (already range-checked) as `size` bytes. */
export function writeNumber(asm: Assembler, sec: SectionState, at: number, size: number, v: number): void {
  if (size === 8) { writeWord(asm, sec, at, 8, BigInt(v)); return; }
  for (let i = 0; i < size; i++) {
    const idx = asm.be ? at + size - 1 - i : at + i;
    sec.buf[idx] = v & 0xff;
    v = Math.floor(v / 256);
  }
}

function dataSection(asm: Assembler): SectionState {
  const sec = asm.cur;
  if (sec.type === SectionType.NOBITS) throw asm.sc.error(`section ${sec.name} is NOBITS: only .zero, .space and alignment are allowed`);
  return sec;
}

function dataValues(asm: Assembler, size: number): void {
  const sc = asm.sc;
  const sec = asm.cur;
  const min = size === 8 ? -(2 ** 63) : -(2 ** (size * 8 - 1));
  const max = size === 8 ? 2 ** 64 : 2 ** (size * 8) - 1;
  do {
    sc.skipSpace();
    const pos = sc.pos;
    const k = asm.parseExpr();
    if (sec.type === SectionType.NOBITS) {
      // clang writes zero-initialised variables in .bss as `.quad 0`: zeros take room there,
      // anything else cannot be stored (llvm-mc: "cannot have non-zero initializers").
      if (asm.exSym !== undefined || asm.exSub !== undefined || asm.exBig !== undefined || k !== 0) {
        throw sc.error(`section ${sec.name} is NOBITS: it can only hold zeros`, pos);
      }
      sec.bssSize += size;
      continue;
    }
    if (asm.exSym !== undefined || asm.exSub !== undefined) { dataReference(asm, sec, size, k, pos); continue; }
    if (asm.exBig !== undefined) {
      const b = asm.exBig;
      if (size !== 8 || b < -(1n << 63n) || b > (1n << 64n) - 1n) throw sc.error('out of range literal value', pos);
      writeWord(asm, sec, grow(sec, size), 8, b);
      continue;
    }
    if (!(k >= min && k <= max) || !Number.isInteger(k)) throw sc.error('out of range literal value', pos);
    if (size === 8 && !Number.isSafeInteger(k)) throw sc.error('inexact 64-bit value: write it as one literal', pos);
    dataConstant(asm, sec, size, k);
  } while (sc.eat(CH_COMMA));
}

/** Append `size` bytes to the section; returns where they start. */
function grow(sec: SectionState, size: number): number {
  reserve(sec, size);
  const at = sec.len;
  sec.len += size;
  return at;
}

/** A data item whose value refers to the expression just parsed (asm.exSym/exSub, plus k). */
export function dataReference(asm: Assembler, sec: SectionState, size: number, k: number, pos: number): void {
  asm.addFixup(FixupKind.Data, grow(sec, size), k, size, pos);
}

/** A data item with a constant value, already checked to fit `size` bytes. */
export function dataConstant(asm: Assembler, sec: SectionState, size: number, k: number): void {
  writeNumber(asm, sec, grow(sec, size), size, k);
}

function strings(asm: Assembler, zeroTerminated: boolean): void {
  const sc = asm.sc;
  const sec = dataSection(asm);
  do {
    const bytes = sc.readString();
    reserve(sec, bytes.length + 1);
    sec.buf.set(bytes, sec.len);
    sec.len += bytes.length;
    if (zeroTerminated) sec.buf[sec.len++] = 0;
  } while (sc.eat(CH_COMMA));
}

function zero(asm: Assembler): void {
  const sc = asm.sc;
  const n = asm.constant(0, 1 << 30, 'size');
  let fill = 0;
  if (sc.eat(CH_COMMA)) fill = asm.constant(-128, 255, 'fill value') & 0xff;
  const sec = asm.cur;
  if (sec.type === SectionType.NOBITS) {
    if (fill !== 0) throw sc.error(`section ${sec.name} is NOBITS: cannot fill with ${fill}`);
    sec.bssSize += n;
    return;
  }
  reserve(sec, n);
  if (fill !== 0) sec.buf.fill(fill, sec.len, sec.len + n);
  sec.len += n;
}

/**
 * `.comm sym, size[, align]` and `.lcomm sym, size` (llvm-mc's MCELFStreamer rules): a common
 * symbol (SHN_COMMON, st_value the alignment, STT_OBJECT), or — for `.lcomm` and for `.comm` of
 * a symbol made `.local` — `size` zero bytes of .bss at the next `align` boundary, labelled sym.
 */
function common(asm: Assembler, local: boolean): void {
  const sc = asm.sc;
  sc.skipSpace();
  const pos = sc.pos;
  const s = asm.symbol(symbolName(asm), pos);
  sc.expect(CH_COMMA);
  const size = asm.constant(0, 2 ** 32 - 1, 'size');
  let alignment = 1;
  if (sc.eat(CH_COMMA)) {
    sc.skipSpace();
    const at = sc.pos;
    if (local) throw sc.error('alignment not supported on this target', at); // as llvm-mc-14 says for BPF
    alignment = asm.constant(1, 2 ** 16, 'alignment');
    if ((alignment & (alignment - 1)) !== 0) throw sc.error('alignment must be a power of 2', at);
  }
  if (s.defined || s.equ !== undefined || s.commonAlign !== 0) throw sc.error(`symbol '${s.name}' is already defined`, pos);
  setSymbolKind(asm, s, 'object');
  s.size = size;
  if (!local && !(s.bindingSet && s.binding === 'local')) {
    s.commonAlign = alignment;
    return;
  }
  const here = asm.cur, prev = asm.prev;
  asm.switchTo(asm.getSection('.bss', SectionType.NOBITS, SectionFlag.ALLOC | SectionFlag.WRITE));
  alignTo(asm, alignment, 0, Infinity, pos);
  asm.defineLabelSym(s, pos);
  asm.cur.bssSize += size;
  asm.cur = here;
  asm.prev = prev;
}

function leb(asm: Assembler, signed: boolean): void {
  const sc = asm.sc;
  const sec = dataSection(asm);
  do {
    sc.skipSpace();
    const pos = sc.pos;
    let k = asm.parseExpr();
    if (asm.exSym !== undefined || asm.exSub !== undefined) {
      // A difference of labels already defined in one section (DWARF offsets) is a constant.
      const a = asm.exSym;
      const b = asm.exSub;
      if (a === undefined || b === undefined || !a.defined || !b.defined || a.section !== b.section || a.equ !== undefined || b.equ !== undefined) {
        throw sc.error('LEB128 values must be constants or differences of labels defined earlier in one section', pos);
      }
      k += a.value - b.value;
    }
    let v = asm.exBig ?? BigInt(k);
    if (!signed && v < 0n) throw sc.error('.uleb128 value is negative', pos);
    for (;;) {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      const done = signed ? (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0) : v === 0n;
      reserve(sec, 1);
      sec.buf[sec.len++] = done ? byte : byte | 0x80;
      if (done) break;
    }
  } while (sc.eat(CH_COMMA));
}

const FLAG_CHARS: Readonly<Record<string, number>> = {
  a: SectionFlag.ALLOC, w: SectionFlag.WRITE, x: SectionFlag.EXECINSTR, M: SectionFlag.MERGE, S: SectionFlag.STRINGS,
  T: 0x400, G: 0x200, o: 0x80, R: 0x200000, e: 0x80000000,
};
const SECTION_TYPES: Readonly<Record<string, number>> = {
  progbits: SectionType.PROGBITS, nobits: SectionType.NOBITS, note: 7, init_array: 14, fini_array: 15,
  preinit_array: 16, llvm_addrsig: SectionType.LLVM_ADDRSIG,
};

function section(asm: Assembler, push: boolean): void {
  const sc = asm.sc;
  sc.skipSpace();
  const pos = sc.pos;
  let name: string;
  if (sc.peek() === CH_QUOTE) name = new TextDecoder().decode(sc.readString());
  else {
    // Section names may contain characters identifiers cannot (xdp/prog, .maps, tc-ingress).
    const s = sc.src;
    let p = sc.pos;
    while (p < s.length) {
      const c = s.charCodeAt(p);
      if (c === CH_COMMA || c === 32 || c === 9 || c === 10 || c === 13 || c === 35) break;
      p++;
    }
    name = s.slice(sc.pos, p);
    sc.pos = p;
  }
  if (name === '') throw sc.error('expected a section name', pos);
  const defaults = defaultSectionFlags(name);
  let flags = defaults.flags;
  let type = defaults.type;
  let entsize = 0;
  if (sc.eat(CH_COMMA)) {
    sc.skipSpace();
    const fpos = sc.pos;
    const text = new TextDecoder().decode(sc.readString());
    flags = 0;
    for (const ch of text) {
      const f = FLAG_CHARS[ch];
      if (f === undefined) throw sc.error(`unknown section flag '${ch}'`, fpos);
      flags |= f;
    }
    if (sc.eat(CH_COMMA)) {
      sc.skipSpace();
      const c = sc.peek();
      if (c === CH_AT || c === CH_PERCENT) sc.pos++;
      const tpos = sc.pos;
      const tname = sc.readIdent();
      const t = tname === undefined ? undefined : SECTION_TYPES[tname];
      if (t === undefined) throw sc.error(`unknown section type '${tname ?? sc.describeHere()}'`, tpos);
      type = t;
      if (sc.eat(CH_COMMA)) entsize = asm.constant(0, 0x7fffffff, 'entry size');
    } else if ((flags & SectionFlag.MERGE) !== 0) {
      throw sc.error('mergeable section needs a type and an entry size', fpos);
    }
  }
  if (push) asm.sectionStack.push({ cur: asm.cur, prev: asm.prev });
  const existing = asm.sections.get(name);
  const sec = existing ?? asm.getSection(name, type, flags, name === '.text' ? 4 : 1);
  if (existing === undefined && entsize !== 0) sec.entsize = entsize;
  asm.switchTo(sec);
}
