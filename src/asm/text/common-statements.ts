// The statement loop, with a table of the statement shapes clang emits most: ALU operations,
// moves, loads, stores, conditional jumps to labels, calls, exit, atomics, map loads, byte
// swaps, labels, and the directives around every function and data item (.globl, .type,
// .size f, .Lend-f, .p2align, .byte/.short/.long/.quad with one value).
//
// Why it exists: a Node process assembling a file runs the parser cold. The general parser
// (assembler.ts) is a tree of small methods, and until V8 has optimised each of them (with
// everything they call inlined again into each) a statement costs ~3 µs; a large file's first
// 50,000 statements paid that. Here a line is read into tokens by one small reader
// (line-tokens.ts), its shape is looked up, and one switch emits it: less code for V8 to
// compile, so it reaches full speed after ~15,000 lines (a cold 200,000-line file: ~120 ms
// instead of ~165).
//
// What keeps it honest: a shape is only emitted when every operand is valid (register widths
// here; immediate and offset ranges in the reader; no `.equ` symbol), and nothing is changed
// before that is known. Any other line (other directives, rarer forms, every malformed line)
// goes to the general parser from its start, so every error message comes from one place.
// test/asm-text/common-statements.test.ts checks that both paths give the same objects and
// the same errors.
import { SectionType } from '../../elf/elf-file.js';
import { AluOp, AtomicOp, Class, JmpOp, Mode, Size, Source, CALL, EXIT } from '../opcode.js';
import type { Assembler } from './assembler.js';
import { alignTo, dataConstant, dataReference, setBinding, setSize, setSymbolKind } from './directives.js';
import { ASSIGN_WORDS } from './lexer.js';
import { Tok, W, lexLine, lineStop, shapeKey, tokBase, tokEnd, tokStart, tokValue } from './line-tokens.js';
import { FixupKind, newExpr } from './object.js';

const LF = 10;

const Act = {
  NONE: 0, EMPTY: 1, LABEL: 2, MOV_REG: 3, MOV_IMM: 4, ALU_REG: 5, ALU_IMM: 6, LOAD: 7, STORE_REG: 8,
  STORE_IMM: 9, ATOMIC: 10, JCOND_REG: 11, JCOND_IMM: 12, JA: 13, CALL_HELPER: 14, CALL_SYM: 15,
  EXIT: 16, LD64: 17, ENDIAN: 18, GLOBL: 19, TYPE: 20, SIZE: 21, P2ALIGN: 22, DATA_NUM: 23, DATA_SYM: 24,
} as const;

const {
  REG, NUM, NAME, EQ, ALU_SET, CMP, DEREF, MEM, COLON, IF, GOTO, CALL: KW_CALL, EXIT: KW_EXIT, LOCK, LL, SWAP,
  COMMA, MINUS, SYM_TYPE, GLOBL, TYPE, SIZE, P2ALIGN, DATA,
} = Tok;

/** The shapes read here, by shape key. */
const SHAPES = new Map<number, number>([
  [shapeKey([]), Act.EMPTY],
  [shapeKey([NAME, COLON]), Act.LABEL], // NAME: a label
  [shapeKey([REG, EQ, REG]), Act.MOV_REG], // r1 = r2
  [shapeKey([REG, EQ, NUM]), Act.MOV_IMM], // r1 = 5
  [shapeKey([REG, ALU_SET, REG]), Act.ALU_REG], // r1 += r2
  [shapeKey([REG, ALU_SET, NUM]), Act.ALU_IMM], // r1 <<= 3
  [shapeKey([REG, EQ, DEREF, MEM]), Act.LOAD], // r1 = *(u32 *)(r2 + 4)
  [shapeKey([DEREF, MEM, EQ, REG]), Act.STORE_REG], // *(u64 *)(r10 - 8) = r1
  [shapeKey([DEREF, MEM, EQ, NUM]), Act.STORE_IMM], // *(u32 *)(r10 - 4) = 0
  [shapeKey([LOCK, DEREF, MEM, ALU_SET, REG]), Act.ATOMIC], // lock *(u64 *)(r1 + 0) += r2
  [shapeKey([IF, REG, CMP, REG, GOTO, NAME]), Act.JCOND_REG], // if r1 > r2 goto L
  [shapeKey([IF, REG, CMP, NUM, GOTO, NAME]), Act.JCOND_IMM], // if w1 == 5 goto L
  [shapeKey([GOTO, NAME]), Act.JA],
  [shapeKey([KW_CALL, NUM]), Act.CALL_HELPER],
  [shapeKey([KW_CALL, NAME]), Act.CALL_SYM],
  [shapeKey([KW_EXIT]), Act.EXIT],
  [shapeKey([REG, EQ, NAME, LL]), Act.LD64], // r1 = map ll
  [shapeKey([REG, EQ, SWAP, REG]), Act.ENDIAN], // r1 = be32 r1
  [shapeKey([GLOBL, NAME]), Act.GLOBL], // .globl f
  [shapeKey([TYPE, NAME, COMMA, SYM_TYPE]), Act.TYPE], // .type f,@function
  [shapeKey([SIZE, NAME, COMMA, NAME, MINUS, NAME]), Act.SIZE], // .size f, .Lfunc_end0-f
  [shapeKey([P2ALIGN, NUM]), Act.P2ALIGN], // .p2align 3
  [shapeKey([DATA, NUM]), Act.DATA_NUM], // .long 42
  [shapeKey([DATA, NAME]), Act.DATA_SYM], // .quad map
]);

const SYMBOL_KINDS = [undefined, 'func', 'object', 'notype'] as const; // by SYM_TYPE value

const aluClass = (reg: number): number => ((reg & W) !== 0 ? Class.ALU : Class.ALU64);

function put(asm: Assembler, code: number, dst: number, src: number, off: number, imm: number): boolean {
  asm.emit(code, dst, src, off, imm);
  return true;
}

/** A fixup against the symbol named by token k; false when that symbol is an `.equ` constant. */
function symbolFixup(asm: Assembler, kind: 0 | 2 | 3, k: number): boolean {
  if (!expressionOf(asm, k)) return false;
  asm.addFixup(kind, asm.cur.len, 0, kind === FixupKind.Ld64 ? 16 : 8, tokStart[k]!);
  return true;
}

/** A jump to the label in token k. */
function jump(asm: Assembler, code: number, dst: number, src: number, imm: number, k: number): boolean {
  return symbolFixup(asm, FixupKind.Jump16, k) && put(asm, code, dst, src, 0, imm);
}

/** Emit the line just read as `act`; false (nothing changed) when an operand is not valid for it. */
function emitStatement(asm: Assembler, act: number): boolean {
  const v = tokValue;
  if (act === Act.EMPTY) return true;
  if (act === Act.LABEL) { // in any section, NOBITS too
    asm.defineLabelSym(asm.symbolAt(tokStart[0]!, tokEnd[0]!), tokStart[0]!);
    return true;
  }
  if (act >= Act.GLOBL && act <= Act.P2ALIGN) return symbolDirective(asm, act); // NOBITS too
  if (asm.cur.type === SectionType.NOBITS) return false; // the general parser reports it
  switch (act) {
    case Act.MOV_REG: case Act.ALU_REG: {
      const d = v[0]!, r = v[2]!;
      if ((d & W) !== (r & W)) return false;
      return put(asm, aluClass(d) | (act === Act.MOV_REG ? AluOp.MOV : v[1]!) | Source.X, d & 0xf, r & 0xf, 0, 0);
    }
    case Act.MOV_IMM: case Act.ALU_IMM: {
      const d = v[0]!;
      return put(asm, aluClass(d) | (act === Act.MOV_IMM ? AluOp.MOV : v[1]!) | Source.K, d & 0xf, 0, 0, v[2]!);
    }
    case Act.LOAD: {
      const d = v[0]!, t = v[2]!, base = tokBase[3]!, off = v[3]!;
      const size = t & 0x18, signed = (t & 0x80) !== 0;
      if ((base & W) !== 0 || ((d & W) !== 0 && (signed || size === Size.DW))) return false;
      return put(asm, Class.LDX | (signed ? Mode.MEMSX : Mode.MEM) | size, d & 0xf, base, off, 0);
    }
    case Act.STORE_REG: case Act.STORE_IMM: {
      const t = v[0]!, base = tokBase[1]!, off = v[1]!, x = v[3]!;
      if ((t & 0x80) !== 0 || (base & W) !== 0) return false;
      if (act === Act.STORE_IMM) return put(asm, Class.ST | Mode.MEM | t, base, 0, off, x);
      if ((x & W) !== 0 && t === Size.DW) return false;
      return put(asm, Class.STX | Mode.MEM | t, base, x & 0xf, off, 0);
    }
    case Act.ATOMIC: {
      const t = v[1]!, base = tokBase[2]!, off = v[2]!, op = v[3]!, r = v[4]!;
      if ((t !== Size.W && t !== Size.DW) || (base & W) !== 0) return false;
      if (op !== AtomicOp.ADD && op !== AtomicOp.OR && op !== AtomicOp.AND && op !== AtomicOp.XOR) return false;
      if ((r & W) !== 0 && t === Size.DW) return false;
      return put(asm, Class.STX | Mode.ATOMIC | t, base, r & 0xf, off, op);
    }
    case Act.JCOND_REG: case Act.JCOND_IMM: {
      const a = v[1]!, op = v[2]!, b = v[3]!;
      const cls = (a & W) !== 0 ? Class.JMP32 : Class.JMP;
      if (act === Act.JCOND_IMM) return jump(asm, cls | op | Source.K, a & 0xf, 0, b, 5);
      if ((a & W) !== (b & W)) return false;
      return jump(asm, cls | op | Source.X, a & 0xf, b & 0xf, 0, 5);
    }
    case Act.JA: return jump(asm, Class.JMP | JmpOp.JA, 0, 0, 0, 1);
    case Act.CALL_HELPER: return put(asm, CALL, 0, 0, 0, v[1]!);
    case Act.CALL_SYM: return symbolFixup(asm, FixupKind.Call, 1) && put(asm, CALL, 0, 1, 0, 0);
    case Act.EXIT: return put(asm, EXIT, 0, 0, 0, 0);
    case Act.LD64: {
      const d = v[0]!;
      if ((d & W) !== 0 || isAssignWord(asm.sc.src, tokStart[2]!, tokEnd[2]!)) return false;
      if (!symbolFixup(asm, FixupKind.Ld64, 2)) return false;
      asm.emitWide(d, 0, 0, 0);
      return true;
    }
    case Act.ENDIAN: {
      const d = v[0]!, swap = v[2]!;
      if ((d & W) !== 0 || v[3] !== d) return false;
      return put(asm, swap & 0xff, d, 0, 0, swap >> 8);
    }
    case Act.DATA_NUM: { // the value must fit the item, as a signed or an unsigned number
      const size = v[0]!, k = tokBase[1] === 1 ? v[1]! + 0x100000000 : v[1]!;
      if (size < 4 && (k < -(2 ** (size * 8 - 1)) || k > 2 ** (size * 8) - 1)) return false;
      dataConstant(asm, asm.cur, size, k);
      return true;
    }
    case Act.DATA_SYM: {
      if (!expressionOf(asm, 1)) return false;
      dataReference(asm, asm.cur, v[0]!, 0, tokStart[1]!);
      return true;
    }
    default: return false;
  }
}

/** The symbol named by token k as the current expression (asm.exSym); false for an `.equ` constant. */
function expressionOf(asm: Assembler, k: number): boolean {
  const sym = asm.symbolAt(tokStart[k]!, tokEnd[k]!);
  if (sym.equ !== undefined) return false; // the general parser folds it into a constant
  asm.exSym = sym;
  asm.exSub = undefined;
  asm.exBig = undefined;
  return true;
}

/**
 * The directives that name symbols or align: allowed in any section. Apart from labels (in
 * emitStatement), so that the label path V8 compiles early stays small.
 */
function symbolDirective(asm: Assembler, act: number): boolean {
  const v = tokValue;
  switch (act) {
    case Act.GLOBL:
      setBinding(asm, asm.symbolAt(tokStart[1]!, tokEnd[1]!), 'global');
      break;
    case Act.TYPE: // the general parser records a new symbol's first mention just after its name
      setSymbolKind(asm, asm.symbolAt(tokStart[1]!, tokEnd[1]!, tokEnd[1]!), SYMBOL_KINDS[v[3]!]!);
      break;
    case Act.SIZE: { // .size s, a-b
      const s = asm.symbolAt(tokStart[1]!, tokEnd[1]!, tokEnd[1]!);
      const a = asm.symbolAt(tokStart[3]!, tokEnd[3]!);
      const b = asm.symbolAt(tokStart[5]!, tokEnd[5]!);
      if (a.equ !== undefined || b.equ !== undefined) return false;
      const sc = asm.sc;
      setSize(s, newExpr(0, a, b, undefined), sc.line, tokStart[3]! - sc.lineStart + 1);
      break;
    }
    case Act.P2ALIGN: {
      if (v[1]! > 16 || tokBase[1] === 1) return false; // the general parser reports a large alignment
      alignTo(asm, 2 ** v[1]!, -1, Infinity, tokStart[1]!);
      break;
    }
    default: return false;
  }
  return true;
}

/** `r1 = be16 ll` is a malformed swap, not a map load: names that start an instruction after `R =`. */
function isAssignWord(s: string, p: number, e: number): boolean {
  const c = s.charCodeAt(p);
  return (c === 97 || c === 98 || c === 99 || c === 108 || c === 120) && ASSIGN_WORDS.has(s.slice(p, e));
}

/**
 * Assemble every statement of the source: common shapes here, the rest through the general
 * parser. Same result as calling `asm.statement()` for each line.
 */
export function assembleStatements(asm: Assembler): void {
  const sc = asm.sc;
  const s = sc.src;
  const n = s.length;
  let p = sc.pos;
  while (p < n) {
    const key = lexLine(s, p);
    const act = key < 0 ? Act.NONE : SHAPES.get(key) ?? Act.NONE;
    if (act !== Act.NONE && emitStatement(asm, act)) {
      if (act !== Act.EMPTY) { asm.statements++; asm.commonRead++; } // counted in one place
      const stop = lineStop;
      if (s.charCodeAt(stop) === LF) { p = stop + 1; sc.line++; sc.lineStart = p; continue; }
      sc.pos = stop; // a line comment or the end of the input
    } else {
      sc.pos = p; // not a common statement: the general parser reads it (and reports any error)
      asm.statement();
    }
    sc.nextLine();
    p = sc.pos;
  }
  sc.pos = p;
}
