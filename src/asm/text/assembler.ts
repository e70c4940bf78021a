// The LLVM-syntax BPF assembler: what clang emits and llvm-mc reads, plus the forms newer
// LLVM and the kernel use that llvm-mc-14 cannot parse (v4, mod, JSET, ST imm, atomic fetch,
// xchg/cmpxchg, load_acquire/store_release, callx, may_goto, gotol, addr_space_cast).
// Produces the ELF object model; relocations and symbols follow llvm-mc-14's choices.
import type { ElfFile } from '../../elf/elf-file.js';
import { AsmError } from '../errors.js';
import { AluOp, AtomicOp, Class, JmpOp, Mode, Size, Source, CALL, CALLX, EXIT, LD_IMM64, MAY_GOTO } from '../opcode.js';
import { buildElfFile } from './build-elf.js';
import { assembleStatements } from './common-statements.js';
import { runDirective } from './directives.js';
import {
  CH_AMP, CH_CARET, CH_COLON, CH_COMMA, CH_DOT, CH_EQ, CH_GT, CH_LBRACKET, CH_LPAREN, CH_LT,
  CH_MINUS, CH_PIPE, CH_PLUS, CH_RBRACKET, CH_RPAREN, CH_SLASH, CH_STAR, CH_s,
  ASSIGN_WORDS, Scanner, isDigit, isIdentStart, memSizeAt,
} from './lexer.js';
import { SIGNED_OP, aluAssignAt, comparisonAt, opLength } from './operators.js';
import { type Expr, type SectionState, type Sym, FixupKind, type FixupKindValue, newExpr, newSection, newSym, reserve } from './object.js';
import { SectionFlag, SectionType } from '../../elf/elf-file.js';

export interface AssembleOptions {
  /** File name for error messages. */
  readonly file?: string;
  /** Produce a big-endian (bpfeb) object. */
  readonly bigEndian?: boolean;
  /**
   * Read common statements with the fast matcher (common-statements.ts); default true. With
   * false every statement goes through the general parser: same result, slower when cold.
   */
  readonly commonStatements?: boolean;
}

export interface AssembleResult {
  readonly elf: ElfFile;
  /** Statements read (instructions, directives and labels). */
  readonly statements: number;
}

/** Assemble LLVM-syntax BPF assembly into an ELF object model. Throws AsmError with line and column. */
export function assemble(source: string, opts: AssembleOptions = {}): AssembleResult {
  const asm = new Assembler(source, opts);
  asm.run();
  return { elf: buildElfFile(asm), statements: asm.statements };
}

const W = 0x100;
const KW_NONE = 0, KW_EXIT = 1, KW_GOTO = 2, KW_IF = 3, KW_CALL = 4, KW_LOCK = 5;

/** Which frequent keyword the source text [start, end) is, without slicing it. */
function keywordAt(src: string, start: number, end: number): number {
  const len = end - start;
  if (len === 2) return src.charCodeAt(start) === 105 && src.charCodeAt(start + 1) === 102 ? KW_IF : KW_NONE;
  if (len !== 4) return KW_NONE;
  if (src.startsWith('goto', start)) return KW_GOTO;
  if (src.startsWith('exit', start)) return KW_EXIT;
  if (src.startsWith('call', start)) return KW_CALL;
  if (src.startsWith('lock', start)) return KW_LOCK;
  return KW_NONE;
}
const S16_MIN = -0x8000, S16_MAX = 0x7fff;
const S32_MIN = -0x80000000, S32_MAX = 0x7fffffff, U32_MAX = 0xffffffff;

const FETCH_OPS: Readonly<Record<string, number>> = {
  atomic_fetch_add: AtomicOp.ADD, atomic_fetch_or: AtomicOp.OR, atomic_fetch_and: AtomicOp.AND, atomic_fetch_xor: AtomicOp.XOR,
};

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER), MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class Assembler {
  readonly sc: Scanner;
  readonly be: boolean;
  readonly commonStatements: boolean;
  readonly sections = new Map<string, SectionState>();
  readonly sectionList: SectionState[] = [];
  /** Every symbol mentioned, in order of first mention. */
  readonly symList: Sym[] = [];
  readonly fileSymbols: string[] = [];
  /** `.addrsig` seen: write .llvm_addrsig listing `addrsigSyms`. */
  addrsig = false;
  readonly addrsigSyms: Sym[] = [];
  readonly sectionStack: { cur: SectionState; prev: SectionState | undefined }[] = [];
  cur: SectionState;
  prev: SectionState | undefined;
  order = 0;
  statements = 0;
  /** Statements the common-statement matcher read (the rest went through the general parser). */
  commonRead = 0;
  // Side results of parseExpr (kept in fields to avoid an object per operand).
  exSym: Sym | undefined;
  exSub: Sym | undefined;
  exBig: bigint | undefined;
  // Side results of memRef.
  mBase = 0;
  mOff = 0;

  constructor(source: string, opts: AssembleOptions) {
    this.sc = new Scanner(source, opts.file);
    let size = 1024;
    while (size < source.length / 64 && size < 1 << 20) size *= 2;
    this.table = new Array<Sym | undefined>(size);
    this.hashes = new Int32Array(size);
    this.be = opts.bigEndian === true;
    this.commonStatements = opts.commonStatements !== false;
    // llvm-mc creates .text first, 4-byte aligned, and registers its section symbol first.
    this.cur = this.getSection('.text', SectionType.PROGBITS, SectionFlag.ALLOC | SectionFlag.EXECINSTR, 4);
  }

  getSection(name: string, type: number, flags: number, align = 1): SectionState {
    let sec = this.sections.get(name);
    if (sec === undefined) {
      sec = newSection(name, type, flags, this.order++, align);
      this.sections.set(name, sec);
      this.sectionList.push(sec);
    }
    return sec;
  }

  switchTo(sec: SectionState): void {
    if (sec !== this.cur) { this.prev = this.cur; this.cur = sec; }
  }

  /** The symbol named `name`, created on first mention. */
  symbol(name: string, pos?: number): Sym {
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    return this.lookup(h, name, 0, name.length, pos);
  }

  /**
   * The symbol whose name is the source text [start, end): no string is made unless it is new.
   * A new symbol records `pos` (default: where its name starts) as its first mention.
   */
  symbolAt(start: number, end: number, pos = start): Sym {
    const src = this.sc.src;
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ src.charCodeAt(i), 0x01000193);
    return this.lookup(h, src, start, end, pos);
  }

  // An open-addressing table keyed by FNV-1a over the name's char codes, compared in place.
  // Sized from the source (one slot per 64 bytes; clang output has about one symbol per 150)
  // so that a large file does not rehash as it goes.
  private table: (Sym | undefined)[];
  private hashes: Int32Array;

  private lookup(h: number, text: string, start: number, end: number, pos: number | undefined): Sym {
    const len = end - start;
    let mask = this.table.length - 1;
    let i = h & mask;
    for (;;) {
      const s = this.table[i];
      if (s === undefined) break;
      if (this.hashes[i] === h && s.name.length === len) {
        const name = s.name;
        let k = 0;
        while (k < len && name.charCodeAt(k) === text.charCodeAt(start + k)) k++;
        if (k === len) return s;
      }
      i = (i + 1) & mask;
    }
    const name = start === 0 && end === text.length ? text : text.slice(start, end);
    const sc = this.sc;
    const sym = newSym(name, name.startsWith('.L'), sc.line, (pos ?? sc.pos) - sc.lineStart + 1);
    this.symList.push(sym);
    if (this.symList.length * 2 > this.table.length) {
      this.grow();
      mask = this.table.length - 1;
      i = h & mask;
      while (this.table[i] !== undefined) i = (i + 1) & mask;
    }
    this.table[i] = sym;
    this.hashes[i] = h;
    return sym;
  }

  private grow(): void {
    const oldTable = this.table;
    const oldHashes = this.hashes;
    const size = oldTable.length * 2;
    this.table = new Array<Sym | undefined>(size);
    this.hashes = new Int32Array(size);
    const mask = size - 1;
    for (let j = 0; j < oldTable.length; j++) {
      const s = oldTable[j];
      if (s === undefined) continue;
      let i = oldHashes[j]! & mask;
      while (this.table[i] !== undefined) i = (i + 1) & mask;
      this.table[i] = s;
      this.hashes[i] = oldHashes[j]!;
    }
  }

  register(s: Sym | undefined): void {
    if (s !== undefined && s.order < 0 && s.name !== '.') s.order = this.order++;
  }

  run(): void {
    if (this.commonStatements) { assembleStatements(this); return; }
    const sc = this.sc;
    const n = sc.src.length;
    while (sc.pos < n) {
      this.statement();
      sc.nextLine();
    }
  }

  // ---------------------------------------------------------------- statements

  /** Read one statement (or a label and what follows it on the line) at the cursor. */
  statement(): void {
    const sc = this.sc;
    for (;;) {
      sc.skipSpace();
      if (sc.atStatementEnd()) return;
      const c = sc.peek();
      this.statements++;
      const start = sc.pos;
      if (c === CH_STAR) { this.codeSection(start); this.store(); return; }
      const reg = sc.readRegister();
      if (reg >= 0) {
        sc.skipSpace();
        if (sc.peek() !== CH_COLON) { this.codeSection(start); this.regStatement(reg, start); return; }
        sc.pos = start;
      }
      let name: string | undefined;
      if (c === 34) { // a quoted label: "name":
        name = new TextDecoder().decode(sc.readString());
        sc.skipSpace();
        if (sc.peek() !== CH_COLON) throw sc.error(`expected ':' after a quoted label`);
      } else {
        if (!isIdentStart(c)) throw sc.error(`unexpected '${sc.describeHere()}'`);
        const end = sc.scanIdent();
        sc.skipSpace();
        if (sc.peek() === CH_COLON) {
          sc.pos++;
          this.defineLabelSym(this.symbolAt(start, end), start);
          continue; // an instruction may follow on the same line
        }
        const kw = keywordAt(sc.src, start, end);
        if (kw !== KW_NONE) {
          this.codeSection(start);
          this.keyword(kw, start);
          return;
        }
        name = sc.src.slice(start, end);
      }
      if (sc.peek() === CH_COLON) {
        sc.pos++;
        this.defineLabel(name, start);
        continue;
      }
      if (name.charCodeAt(0) === CH_DOT) { runDirective(this, name, start); return; }
      this.codeSection(start);
      this.keywordStatement(name, start);
      return;
    }
  }

  /** Instructions cannot go into a NOBITS section. */
  private codeSection(start: number): void {
    if (this.cur.type === SectionType.NOBITS) throw this.sc.error(`instructions are not allowed in NOBITS section ${this.cur.name}`, start);
  }

  defineLabel(name: string, pos: number): void {
    this.defineLabelSym(this.symbol(name, pos), pos);
  }

  defineLabelSym(s: Sym, pos: number): void {
    const name = s.name;
    if (s.defined || s.equ !== undefined) throw this.sc.error(`symbol '${name}' is already defined`, pos);
    s.defined = true;
    s.section = this.cur;
    s.value = this.cur.type === SectionType.NOBITS ? this.cur.bssSize : this.cur.len;
    this.register(s);
  }

  /** The most common keywords, recognized without making a string. */
  private keyword(kw: number, start: number): void {
    switch (kw) {
      case KW_EXIT: this.emit(EXIT, 0, 0, 0, 0); break;
      case KW_GOTO: this.jump(Class.JMP | JmpOp.JA, 0, 0, 0, false); break;
      case KW_IF: this.conditional(); break;
      case KW_CALL: this.call(); break;
      default: this.lock(); break;
    }
    void start;
    this.sc.expectEnd();
  }

  private keywordStatement(name: string, start: number): void {
    const sc = this.sc;
    switch (name) {
      case 'gotol': this.jump(Class.JMP32 | JmpOp.JA, 0, 0, 0, true); break;
      case 'may_goto': this.jump(MAY_GOTO, 0, 0, 0, false); break;
      case 'callx': {
        const r = this.reg64('callx');
        this.emit(CALLX, r, 0, 0, 0);
        break;
      }
      case 'store_release': {
        sc.expect(CH_LPAREN);
        const size = this.memType(false);
        this.memRef(true);
        const base = this.mBase, off = this.mOff;
        sc.expect(CH_COMMA);
        const r = this.anyReg('store_release value');
        sc.expect(CH_RPAREN);
        this.emit(Class.STX | Mode.ATOMIC | size, base, r & 0xf, off, AtomicOp.STORE_REL);
        break;
      }
      case 'ld_pseudo': {
        const r = this.reg64('ld_pseudo');
        sc.expect(CH_COMMA);
        const src = this.constant(0, 15, 'pseudo source');
        sc.expect(CH_COMMA);
        const imm = this.constant(S32_MIN, U32_MAX, 'immediate');
        let imm2 = 0;
        if (sc.eat(CH_COMMA)) imm2 = this.constant(S32_MIN, U32_MAX, 'immediate');
        this.emitWide(r, src, imm | 0, imm2 | 0);
        break;
      }
      default:
        throw sc.error(`unknown instruction '${name}'`, start);
    }
    sc.expectEnd();
  }

  // ---------------------------------------------------------------- emission

  emit(code: number, dst: number, src: number, off: number, imm: number): void {
    const sec = this.cur;
    if (sec.type === SectionType.NOBITS) throw this.sc.error(`instructions are not allowed in NOBITS section ${sec.name}`);
    if (sec.len + 8 > sec.buf.length) reserve(sec, 8);
    const b = sec.buf;
    const p = sec.len;
    b[p] = code;
    if (this.be) {
      b[p + 1] = (dst << 4) | src;
      b[p + 2] = (off >> 8) & 0xff; b[p + 3] = off & 0xff;
      b[p + 4] = (imm >>> 24) & 0xff; b[p + 5] = (imm >>> 16) & 0xff; b[p + 6] = (imm >>> 8) & 0xff; b[p + 7] = imm & 0xff;
    } else {
      b[p + 1] = (src << 4) | dst;
      b[p + 2] = off & 0xff; b[p + 3] = (off >> 8) & 0xff;
      b[p + 4] = imm & 0xff; b[p + 5] = (imm >>> 8) & 0xff; b[p + 6] = (imm >>> 16) & 0xff; b[p + 7] = (imm >>> 24) & 0xff;
    }
    sec.len = p + 8;
    sec.hasInsns = true;
  }

  emitWide(dst: number, src: number, imm: number, imm2: number): void {
    this.emit(LD_IMM64, dst, src, 0, imm);
    this.emit(0, 0, 0, 0, imm2);
  }

  /** Record a fixup for the expression just parsed (exSym/exSub/exBig plus constant k). */
  addFixup(kind: FixupKindValue, offset: number, k: number, size: number, pos: number): void {
    const sc = this.sc;
    this.register(this.exSym);
    this.register(this.exSub);
    this.cur.fixups.push(kind, offset, size, sc.line, pos - sc.lineStart + 1, k, this.exSym, this.exSub, this.exBig);
  }

  // ---------------------------------------------------------------- operands

  /** Any register; returns n | W for w registers. */
  anyReg(what: string): number {
    const r = this.sc.readRegister();
    if (r < 0) throw this.sc.error(`expected a register for ${what} but found '${this.sc.describeHere()}'`);
    return r;
  }

  reg64(what: string): number {
    const pos = this.sc.pos;
    const r = this.anyReg(what);
    if (r & W) throw this.sc.error(`${what} needs a 64-bit register (r0..r10)`, pos);
    return r;
  }

  /** A constant expression in [min, max]. */
  constant(min: number, max: number, what: string): number {
    this.sc.skipSpace();
    const pos = this.sc.pos;
    const v = this.parseExpr();
    if (this.exSym !== undefined || this.exSub !== undefined) throw this.sc.error(`${what} must be a constant`, pos);
    if (v < min || v > max || !Number.isFinite(v)) throw this.sc.error(`${what} ${this.exBig ?? v} is out of range [${min}, ${max}]`, pos);
    return v;
  }

  /** `(u32 *)` or `(s8 *)` after the opening parenthesis was seen or not. */
  memType(allowSigned: boolean, openSeen = false): number {
    const sc = this.sc;
    if (!openSeen) sc.expect(CH_LPAREN);
    sc.skipSpace();
    const pos = sc.pos;
    const size = memSizeAt(sc.src, pos);
    const signed = sc.src.charCodeAt(pos) === CH_s;
    if (size < 0 || (!allowSigned && signed)) {
      const t = sc.readIdent();
      throw sc.error(`expected a memory type (${allowSigned ? 'u8..u64, s8..s32' : 'u8..u64'}) but found '${t ?? sc.describeHere()}'`, pos);
    }
    sc.scanIdent(); // memSizeAt checked that the name ends after the type
    sc.expect(CH_STAR);
    sc.expect(CH_RPAREN);
    return signed ? size | 0x80 : size;
  }

  /** `(rB + off)` / `(rB - off)`; with `bare`, without parentheses (xchg/cmpxchg operands). */
  memRef(paren: boolean): void {
    const sc = this.sc;
    if (paren) sc.expect(CH_LPAREN);
    const base = this.reg64('memory base');
    sc.skipSpace();
    let off = 0;
    const c = sc.peek();
    if (c === CH_PLUS || c === CH_MINUS) {
      sc.pos++;
      sc.skipSpace();
      const pos = sc.pos;
      if (sc.peek() === CH_MINUS || sc.peek() === CH_PLUS) throw sc.error(`write '(r${base} ${c === CH_PLUS ? '-' : '+'} N)' instead of a signed offset`, pos);
      const v = this.parseExpr();
      if (this.exSym !== undefined) throw sc.error('memory offset must be a constant', pos);
      off = c === CH_MINUS ? -v : v;
      if (!(off >= S16_MIN && off <= S16_MAX)) throw sc.error(`offset ${off} is not a 16-bit signed integer`, pos);
    }
    if (paren) sc.expect(CH_RPAREN);
    this.mBase = base;
    this.mOff = off;
  }

  // ---------------------------------------------------------------- expressions

  /**
   * expr := term (op term)*, op one of + - * / << >> (one precedence level, left to right);
   * term := '-' term | '~' term | number | symbol | '.' | '(' expr ')'.
   * Returns the constant part; the symbol parts land in exSym/exSub (at most one of each). The
   * constant is computed exactly, in 64-bit two's complement as llvm-mc does (0x7fffffffffffffff
   * + 1 is -2^63); when it is not a safe integer it is returned as ±Infinity with the value in
   * exBig, which every caller checks.
   */
  parseExpr(): number {
    this.exSym = undefined;
    this.exSub = undefined;
    this.exBig = undefined;
    const v = this.exprSum(0);
    if (v >= MIN_SAFE && v <= MAX_SAFE) return Number(v);
    this.exBig = v;
    return v > 0n ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  private exprSum(depth: number): bigint {
    const sc = this.sc;
    let v = this.exprTerm(1, depth);
    for (;;) {
      sc.skipSpace();
      const c = sc.peek();
      if (c === CH_PLUS) { sc.pos++; v = BigInt.asIntN(64, v + this.exprTerm(1, depth)); }
      else if (c === CH_MINUS) { sc.pos++; v = BigInt.asIntN(64, v - this.exprTerm(-1, depth)); }
      else if (c === CH_STAR || (c === CH_SLASH && sc.peekAt(1) !== CH_SLASH) || (c === CH_LT && sc.peekAt(1) === CH_LT) || (c === CH_GT && sc.peekAt(1) === CH_GT)) {
        // Constant-only binary operators, left to right at one precedence level above +/- is
        // not modelled: only a constant left operand is allowed.
        const pos = sc.pos;
        const op = c;
        sc.pos += op === CH_LT || op === CH_GT ? 2 : 1;
        const symBefore = this.exSym ?? this.exSub;
        const rhs = this.exprTerm(1, depth);
        if (symBefore !== undefined || this.exSym !== undefined || this.exSub !== undefined) throw sc.error('operator needs constant operands', pos);
        if (op === CH_STAR) v = BigInt.asIntN(64, v * rhs);
        else if (op === CH_SLASH) { if (rhs === 0n) throw sc.error('division by zero', pos); v = BigInt.asIntN(64, v / rhs); }
        else {
          if (rhs < 0n || rhs > 63n) throw sc.error(`shift amount ${rhs} is not in [0, 63]`, pos);
          v = BigInt.asIntN(64, op === CH_LT ? v << rhs : BigInt.asIntN(64, v) >> rhs);
        }
      } else return v;
    }
  }

  private exprTerm(sign: 1 | -1, depth: number): bigint {
    const sc = this.sc;
    if (depth > 64) throw sc.error('expression nested too deeply');
    sc.skipSpace();
    const c = sc.peek();
    const pos = sc.pos;
    if (isDigit(c)) {
      const v = sc.readNumber();
      return v === Number.POSITIVE_INFINITY ? sc.big! : BigInt(v); // readNumber keeps a literal beyond 2^53 in sc.big
    }
    if (c === CH_MINUS) {
      sc.pos++;
      const before = this.exSym ?? this.exSub;
      const v = this.exprTerm(sign === 1 ? -1 : 1, depth + 1);
      if ((this.exSym ?? this.exSub) !== before) throw sc.error('cannot negate a symbol', pos);
      return -v;
    }
    if (c === 126) { // ~
      sc.pos++;
      const before = this.exSym ?? this.exSub;
      const v = this.exprTerm(sign, depth + 1);
      if ((this.exSym ?? this.exSub) !== before) throw sc.error('cannot complement a symbol', pos);
      return BigInt.asIntN(64, ~v);
    }
    if (c === CH_LPAREN) {
      sc.pos++;
      const v = this.exprSum(depth + 1);
      sc.expect(CH_RPAREN);
      return v;
    }
    if (isIdentStart(c)) {
      const end = sc.scanIdent();
      const sym = end === pos + 1 && c === CH_DOT ? this.dot() : this.symbolAt(pos, end);
      return this.addSymbolTerm(sym, sign, pos, 0);
    }
    throw sc.error(`expected an expression but found '${sc.describeHere()}'`);
  }

  /** Add sym (with sign) to the current expression; `.equ` constants fold to numbers. */
  private addSymbolTerm(sym: Sym, sign: 1 | -1, pos: number, depth: number): bigint {
    const sc = this.sc;
    if (sym.equ !== undefined) {
      if (depth > 32) throw sc.error(`recursive definition of '${sym.name}'`, pos);
      const e = sym.equ;
      let k = e.big ?? BigInt(e.k);
      if (e.sym !== undefined) k += this.addSymbolTerm(e.sym, sign, pos, depth + 1) * BigInt(sign);
      if (e.sub !== undefined) k -= this.addSymbolTerm(e.sub, sign === 1 ? -1 : 1, pos, depth + 1) * BigInt(-sign);
      return k;
    }
    if (sign === 1) {
      if (this.exSym !== undefined) throw sc.error('expression adds two symbols', pos);
      this.exSym = sym;
    } else {
      if (this.exSub !== undefined) throw sc.error('expression subtracts two symbols', pos);
      this.exSub = sym;
    }
    return 0n;
  }

  /** A symbol for the current location `.`. */
  dot(): Sym {
    const sc = this.sc;
    const s = newSym('.', true, sc.line, sc.column);
    s.section = this.cur;
    s.value = this.cur.type === SectionType.NOBITS ? this.cur.bssSize : this.cur.len;
    s.defined = true;
    return s;
  }

  /** The current expression as an object (for fixups). */
  exprObject(k: number): Expr {
    return newExpr(k, this.exSym, this.exSub, this.exBig);
  }

  /** An ALU/JMP immediate: s32, or u32 read as its s32 pattern (0xffffffff is -1). */
  private imm32(): number {
    const sc = this.sc;
    sc.skipSpace();
    const pos = sc.pos;
    const v = this.parseExpr();
    if (this.exSym !== undefined || this.exSub !== undefined) {
      throw sc.error(`'${(this.exSym ?? this.exSub)!.name}' is not a constant: a symbol needs 'r = sym ll'`, pos);
    }
    if (!(v >= S32_MIN && v <= U32_MAX)) throw sc.error(`immediate ${this.exBig ?? v} does not fit in 32 bits`, pos);
    return v | 0;
  }

  // ---------------------------------------------------------------- instructions

  private regStatement(reg: number, start: number): void {
    const sc = this.sc;
    sc.skipSpace();
    const s = sc.src;
    const p = sc.pos;
    const packed = aluAssignAt(s, p);
    if (packed < 0) throw sc.error(`expected an operator after register but found '${sc.describeHere()}'`);
    const op = packed & 0xff, len = opLength(packed), signedOp = (packed & SIGNED_OP) !== 0;
    sc.pos = p + len;
    const is32 = (reg & W) !== 0;
    const dst = reg & 0xf;
    const cls = is32 ? Class.ALU : Class.ALU64;
    if (op === AluOp.MOV) { this.assign(reg, start); return; }
    const srcPos = sc.pos;
    const r2 = sc.readRegister();
    const off = signedOp ? 1 : 0;
    if (r2 >= 0) {
      if ((r2 & W) !== (reg & W)) throw sc.error('operands must both be r or both be w registers', srcPos + 1);
      this.emit(cls | op | Source.X, dst, r2 & 0xf, off, 0);
    } else {
      this.emit(cls | op | Source.K, dst, 0, off, this.imm32());
    }
    sc.expectEnd();
  }

  /** `R = ...` */
  private assign(reg: number, start: number): void {
    const sc = this.sc;
    const is32 = (reg & W) !== 0;
    const dst = reg & 0xf;
    const cls = is32 ? Class.ALU : Class.ALU64;
    sc.skipSpace();
    const c = sc.peek();
    const pos = sc.pos;
    if (c === CH_MINUS) {
      sc.pos++;
      const r2 = sc.readRegister();
      if (r2 >= 0) {
        if (r2 !== reg) throw sc.error(`negation must use the same register on both sides`, pos + 1);
        this.emit(cls | AluOp.NEG, dst, 0, 0, 0);
        sc.expectEnd();
        return;
      }
      sc.pos = pos;
    } else if (c === CH_LPAREN) {
      // (s8)r2: sign-extending move
      sc.pos++;
      const t = sc.readIdent();
      if (t === 's8' || t === 's16' || t === 's32') {
        sc.expect(CH_RPAREN);
        const bits = t === 's8' ? 8 : t === 's16' ? 16 : 32;
        const rpos = sc.pos;
        const r2 = this.anyReg('movsx source');
        if ((r2 & W) !== (reg & W)) throw sc.error('operands must both be r or both be w registers', rpos + 1);
        if (is32 && bits === 32) throw sc.error('w = (s32)w is not an instruction: use w = w', pos);
        this.emit(cls | AluOp.MOV | Source.X, dst, r2 & 0xf, bits, 0);
        sc.expectEnd();
        return;
      }
      sc.pos = pos;
    } else if (c === CH_STAR) {
      this.load(reg);
      sc.expectEnd();
      return;
    } else if (isIdentStart(c)) {
      const r2 = sc.readRegister();
      if (r2 >= 0) {
        // `r0 = w1` is how clang-14 prints `w0 = w1` (a zero-extending move) with -mcpu=v3;
        // its own object has the 32-bit move. Read as that; `w0 = r1` stays an error.
        if ((r2 & W) !== 0 && !is32) { this.emit(Class.ALU | AluOp.MOV | Source.X, dst, r2 & 0xf, 0, 0); sc.expectEnd(); return; }
        if ((r2 & W) !== (reg & W)) throw sc.error('operands must both be r or both be w registers', pos + 1);
        this.emit(cls | AluOp.MOV | Source.X, dst, r2 & 0xf, 0, 0);
        sc.expectEnd();
        return;
      }
      const word = sc.readIdent()!;
      if (this.assignKeyword(reg, word, pos)) { sc.expectEnd(); return; }
      sc.pos = pos;
    }
    // An immediate: a 32-bit move, or a 64-bit constant / symbol with `ll`.
    const v = this.parseExpr();
    const hasSym = this.exSym !== undefined || this.exSub !== undefined;
    if (sc.eatWord('ll')) {
      if (is32) throw sc.error('ld_imm64 needs a 64-bit register', start);
      if (hasSym) {
        if (this.exSub !== undefined) throw sc.error('a symbol difference cannot be relocated', pos);
        if (!(v >= S32_MIN && v <= U32_MAX)) throw sc.error(`addend ${v} does not fit in 32 bits`, pos);
        this.addFixup(FixupKind.Ld64, this.cur.len, v, 16, pos);
        this.emitWide(dst, 0, 0, 0);
      } else {
        let big: bigint;
        if (this.exBig !== undefined) big = this.exBig;
        else if (Number.isSafeInteger(v)) big = BigInt(v);
        else throw sc.error(`constant ${v} is not exact: write it as a single literal`, pos);
        if (big < -(1n << 63n) || big > (1n << 64n) - 1n) throw sc.error(`constant ${big} does not fit in 64 bits`, pos);
        const u = BigInt.asUintN(64, big);
        this.emitWide(dst, 0, Number(BigInt.asIntN(32, u)), Number(BigInt.asIntN(32, u >> 32n)));
      }
      sc.expectEnd();
      return;
    }
    if (hasSym) throw sc.error(`'${(this.exSym ?? this.exSub)!.name}' is not a constant: write 'r${dst} = ${(this.exSym ?? this.exSub)!.name} ll'`, pos);
    if (!(v >= S32_MIN && v <= U32_MAX)) {
      throw sc.error(`immediate ${this.exBig ?? v} does not fit in 32 bits${is32 ? '' : ` (use 'r${dst} = ${this.exBig ?? v} ll')`}`, pos);
    }
    this.emit(cls | AluOp.MOV | Source.K, dst, 0, 0, v | 0);
    sc.expectEnd();
  }

  /** `R = word ...` forms; false when `word` is not one of them (it is then a symbol). */
  private assignKeyword(reg: number, word: string, pos: number): boolean {
    const sc = this.sc;
    const dst = reg & 0xf;
    const is32 = (reg & W) !== 0;
    if (!ASSIGN_WORDS.has(word)) return false;
    switch (word) {
      case 'le16': case 'le32': case 'le64': case 'be16': case 'be32': case 'be64':
      case 'bswap16': case 'bswap32': case 'bswap64': {
        if (is32) throw sc.error(`byte swaps use r registers: write 'r${dst} = ${word} r${dst}'`, pos);
        const rpos = sc.pos;
        const r2 = this.anyReg(word);
        if (r2 !== reg) throw sc.error(`${word} must use the same register on both sides`, rpos + 1);
        const bits = Number(word.slice(-2));
        const code = word.charCodeAt(0) === 108 /* l */ ? Class.ALU | AluOp.END | Source.K
          : word.charCodeAt(0) === 98 && word.charCodeAt(1) === 101 /* be */ ? Class.ALU | AluOp.END | Source.X
            : Class.ALU64 | AluOp.END;
        this.emit(code, dst, 0, 0, bits);
        return true;
      }
      case 'atomic_fetch_add': case 'atomic_fetch_or': case 'atomic_fetch_and': case 'atomic_fetch_xor': {
        sc.expect(CH_LPAREN);
        const tpos = sc.pos;
        const size = this.memType(false);
        if (size !== Size.W && size !== Size.DW) throw sc.error('atomic operations are 32 or 64 bits wide', tpos);
        this.memRef(true);
        const base = this.mBase, off = this.mOff;
        sc.expect(CH_COMMA);
        const rpos = sc.pos;
        const r2 = this.anyReg(word);
        if ((r2 & 0xf) !== dst) throw sc.error(`${word} returns the old value in its source register: use r${dst} on both sides`, rpos + 1);
        if (size === Size.DW && (is32 || (r2 & W) !== 0)) throw sc.error('a 64-bit atomic uses r registers', rpos + 1);
        sc.expect(CH_RPAREN);
        this.emit(Class.STX | Mode.ATOMIC | size, base, dst, off, FETCH_OPS[word]! | AtomicOp.FETCH);
        return true;
      }
      case 'xchg_64': case 'xchg32_32': {
        const size = word === 'xchg_64' ? Size.DW : Size.W;
        sc.expect(CH_LPAREN);
        this.memRef(false);
        const base = this.mBase, off = this.mOff;
        sc.expect(CH_COMMA);
        const rpos = sc.pos;
        const r2 = this.anyReg(word);
        if ((r2 & 0xf) !== dst) throw sc.error(`${word} returns the old value in its source register: use the same register`, rpos + 1);
        sc.expect(CH_RPAREN);
        this.emit(Class.STX | Mode.ATOMIC | size, base, dst, off, AtomicOp.XCHG);
        return true;
      }
      case 'cmpxchg_64': case 'cmpxchg32_32': {
        const size = word === 'cmpxchg_64' ? Size.DW : Size.W;
        if (dst !== 0) throw sc.error(`${word} returns its result in r0`, pos);
        sc.expect(CH_LPAREN);
        this.memRef(false);
        const base = this.mBase, off = this.mOff;
        sc.expect(CH_COMMA);
        const r0pos = sc.pos;
        if ((this.anyReg(word) & 0xf) !== 0) throw sc.error(`${word} compares with r0`, r0pos + 1);
        sc.expect(CH_COMMA);
        const r2 = this.anyReg(word);
        sc.expect(CH_RPAREN);
        this.emit(Class.STX | Mode.ATOMIC | size, base, r2 & 0xf, off, AtomicOp.CMPXCHG);
        return true;
      }
      case 'load_acquire': {
        sc.expect(CH_LPAREN);
        const size = this.memType(false);
        this.memRef(true);
        const base = this.mBase, off = this.mOff;
        sc.expect(CH_RPAREN);
        this.emit(Class.STX | Mode.ATOMIC | size, dst, base, off, AtomicOp.LOAD_ACQ);
        return true;
      }
      case 'addr_space_cast': {
        if (is32) throw sc.error('addr_space_cast uses r registers', pos);
        sc.expect(CH_LPAREN);
        const src = this.reg64('addr_space_cast');
        sc.expect(CH_COMMA);
        const dstAs = this.constant(0, 0xffff, 'address space');
        sc.expect(CH_COMMA);
        const srcAs = this.constant(0, 0xffff, 'address space');
        sc.expect(CH_RPAREN);
        this.emit(Class.ALU64 | AluOp.MOV | Source.X, dst, src, 1, (dstAs << 16) | srcAs);
        return true;
      }
      default:
        return false;
    }
  }

  /** `R = *(uN *)(rB + off)`, `R = *(sN *)(...)`, `r0 = *(uN *)skb[imm|reg]`. */
  private load(reg: number): void {
    const sc = this.sc;
    sc.pos++; // '*'
    const tpos = sc.pos;
    const t = this.memType(true);
    const size = t & 0x18;
    const signed = (t & 0x80) !== 0;
    const dst = reg & 0xf;
    sc.skipSpace();
    if (sc.peek() !== CH_LPAREN) {
      const word = sc.readIdent();
      if (word !== 'skb') throw sc.error(`expected '(' or 'skb[' but found '${word ?? sc.describeHere()}'`);
      if (signed || size === Size.DW) throw sc.error('packet loads are u8, u16 or u32', tpos);
      if (reg !== 0) throw sc.error('packet loads write r0', tpos);
      sc.expect(CH_LBRACKET);
      const r = sc.readRegister();
      if (r >= 0) {
        if (r & W) throw sc.error('packet load index must be an r register');
        // skb[rS + imm] (LD_IND adds imm to the register; an extension over llvm-mc-14).
        sc.skipSpace();
        const c = sc.peek();
        let imm = 0;
        if (c === CH_PLUS || c === CH_MINUS) {
          sc.pos++;
          imm = this.imm32();
          if (c === CH_MINUS) imm = -imm | 0;
        }
        this.emit(Class.LD | Mode.IND | size, 0, r, 0, imm);
      } else {
        this.emit(Class.LD | Mode.ABS | size, 0, 0, 0, this.imm32());
      }
      sc.expect(CH_RBRACKET);
      return;
    }
    this.memRef(true);
        const base = this.mBase, off = this.mOff;
    if (signed) {
      if (reg & W) throw sc.error('sign-extending loads write r registers', tpos);
      this.emit(Class.LDX | Mode.MEMSX | size, dst, base, off, 0);
    } else {
      if ((reg & W) && size === Size.DW) throw sc.error('a 64-bit load needs an r register', tpos);
      this.emit(Class.LDX | Mode.MEM | size, dst, base, off, 0);
    }
  }

  /** `*(uN *)(rB + off) = R|imm` */
  private store(): void {
    const sc = this.sc;
    sc.pos++;
    const tpos = sc.pos;
    const size = this.memType(false);
    this.memRef(true);
        const base = this.mBase, off = this.mOff;
    sc.expect(CH_EQ);
    const r = sc.readRegister();
    if (r >= 0) {
      if ((r & W) && size === Size.DW) throw sc.error('a 64-bit store needs an r register', tpos);
      this.emit(Class.STX | Mode.MEM | size, base, r & 0xf, off, 0);
    } else {
      this.emit(Class.ST | Mode.MEM | size, base, 0, off, this.imm32());
    }
    sc.expectEnd();
  }

  /** `lock *(u32|u64 *)(rB + off) OP= R` */
  private lock(): void {
    const sc = this.sc;
    sc.expect(CH_STAR);
    const tpos = sc.pos;
    const size = this.memType(false);
    if (size !== Size.W && size !== Size.DW) throw sc.error('atomic operations are 32 or 64 bits wide', tpos);
    this.memRef(true);
        const base = this.mBase, off = this.mOff;
    sc.skipSpace();
    const c = sc.peek();
    const op = c === CH_PLUS ? AtomicOp.ADD : c === CH_PIPE ? AtomicOp.OR : c === CH_AMP ? AtomicOp.AND : c === CH_CARET ? AtomicOp.XOR : -1;
    if (op < 0 || sc.peekAt(1) !== CH_EQ) throw sc.error(`expected +=, |=, &= or ^= but found '${sc.describeHere()}'`);
    sc.pos += 2;
    const rpos = sc.pos;
    const r = this.anyReg('lock');
    if ((r & W) && size === Size.DW) throw sc.error('a 64-bit atomic uses r registers', rpos + 1);
    this.emit(Class.STX | Mode.ATOMIC | size, base, r & 0xf, off, op);
  }

  /** `if R CMP (R|imm) goto TARGET` */
  private conditional(): void {
    const sc = this.sc;
    const reg = this.anyReg('if');
    sc.skipSpace();
    const s = sc.src;
    const p = sc.pos;
    const packed = comparisonAt(s, p);
    if (packed < 0) throw sc.error(`expected a comparison (== != > >= < <= s> s>= s< s<= &) but found '${sc.describeHere()}'`);
    const op = packed & 0xff, len = opLength(packed);
    sc.pos = p + len;
    const cls = reg & W ? Class.JMP32 : Class.JMP;
    const rpos = sc.pos;
    const r2 = sc.readRegister();
    if (r2 >= 0) {
      if ((r2 & W) !== (reg & W)) throw sc.error('operands must both be r or both be w registers', rpos + 1);
      if (!sc.eatWord('goto')) throw sc.error(`expected 'goto' but found '${sc.describeHere()}'`);
      this.jump(cls | op | Source.X, reg & 0xf, r2 & 0xf, 0, false);
    } else {
      const imm = this.imm32();
      if (!sc.eatWord('goto')) throw sc.error(`expected 'goto' but found '${sc.describeHere()}'`);
      this.jump(cls | op | Source.K, reg & 0xf, 0, imm, false);
    }
  }

  /** Emit a jump whose target is `+N`, `-N` or a label (16-bit off, or 32-bit imm for gotol). */
  private jump(code: number, dst: number, src: number, imm: number, long: boolean): void {
    const sc = this.sc;
    sc.skipSpace();
    const pos = sc.pos;
    const c = sc.peek();
    if (c === CH_PLUS || c === CH_MINUS || isDigit(c)) {
      if (c === CH_PLUS) sc.pos++;
      const v = this.parseExpr();
      if (this.exSym !== undefined || this.exSub !== undefined) throw sc.error('jump offset must be a constant or a label', pos);
      if (long) {
        if (!(v >= S32_MIN && v <= S32_MAX)) throw sc.error(`jump offset ${v} does not fit in 32 bits`, pos);
        this.emit(code, dst, src, 0, v);
      } else {
        if (!(v >= S16_MIN && v <= S16_MAX)) throw sc.error(`jump offset ${v} is not a 16-bit signed integer (use gotol)`, pos);
        this.emit(code, dst, src, v, imm);
      }
      return;
    }
    const v = this.parseExpr();
    if (this.exSym === undefined || this.exSub !== undefined) throw sc.error('expected a jump target (+N, -N or a label)', pos);
    this.addFixup(long ? FixupKind.Jump32 : FixupKind.Jump16, this.cur.len, v, 8, pos);
    this.emit(code, dst, src, 0, imm);
    sc.expectEnd();
  }

  /** `call N` (helper id) or `call sym` (bpf-to-bpf or extern). */
  private call(): void {
    const sc = this.sc;
    sc.skipSpace();
    const pos = sc.pos;
    const c = sc.peek();
    if (c === CH_MINUS || isDigit(c)) {
      const v = this.parseExpr();
      if (this.exSym === undefined && this.exSub === undefined) {
        if (!(v >= S32_MIN && v <= U32_MAX)) throw sc.error(`helper id ${v} does not fit in 32 bits`, pos);
        this.emit(CALL, 0, 0, 0, v | 0);
        return;
      }
      throw sc.error('call target must be a number or a symbol', pos);
    }
    const v = this.parseExpr();
    if (this.exSym === undefined || this.exSub !== undefined) {
      if (this.exSub === undefined) { this.emit(CALL, 0, 0, 0, this.checkImm(v, pos)); return; }
      throw sc.error('call target must be a number or a symbol', pos);
    }
    this.addFixup(FixupKind.Call, this.cur.len, v, 8, pos);
    this.emit(CALL, 0, 1, 0, 0);
  }

  private checkImm(v: number, pos: number): number {
    if (!(v >= S32_MIN && v <= U32_MAX)) throw this.sc.error(`immediate ${v} does not fit in 32 bits`, pos);
    return v | 0;
  }
}

export { AsmError };
