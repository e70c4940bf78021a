// One line of assembly as at most six tokens, for the common-statement matcher
// (common-statements.ts): registers, numbers, names, the keywords of common statements,
// operators, and two compound tokens, `*(u32 *)` (DEREF) and `(r1 + 8)` (MEM). The tokens are
// left in module-level typed arrays and summed up in a shape key, a small integer that names
// the sequence of token kinds. Anything this reader does not know makes the line unreadable
// (key -1): the general parser then reads it, so it alone decides what is an error.
import { AluOp, Class, Size, Source } from '../opcode.js';
import { DATA_SIZES } from './directives.js';
import { BLANK, CHAR_CLASS as CLASS, memSizeAt, NAME_PART, NAME_START } from './lexer.js';
import { SIGNED_OP, aluAssignAt, comparisonAt, opLength } from './operators.js';

/** Token kinds (five bits each in a shape key). */
export const Tok = {
  REG: 1, NUM: 2, NAME: 3, EQ: 4, ALU_SET: 5, CMP: 6, DEREF: 7, MEM: 8, COLON: 9,
  IF: 10, GOTO: 11, CALL: 12, EXIT: 13, LOCK: 14, LL: 15, SWAP: 16,
  COMMA: 17, MINUS: 18, SYM_TYPE: 19, GLOBL: 20, TYPE: 21, SIZE: 22, P2ALIGN: 23, DATA: 24,
} as const;

/** SYM_TYPE values: `@function`, `@object`, `@notype`. */
export const SYM_FUNC = 1, SYM_OBJECT = 2, SYM_NOTYPE = 3;

/** A shape key for a sequence of token kinds (what lexLine returns for such a line). */
export function shapeKey(kinds: readonly number[]): number {
  let key = 0;
  for (const k of kinds) key = key * 32 + k;
  return key;
}

export const MAX_TOKENS = 6; // 32^6 - 1 is the largest small integer V8 keeps unboxed
/**
 * Per token: REG n (| W for w registers); NUM its value as a 32-bit immediate (numbers are
 * only tokens when they fit one: s32, or u32 kept as its s32 pattern); ALU_SET the AluOp; CMP
 * the JmpOp; DEREF the Size (| 0x80 when signed); MEM the offset (only when it fits 16 bits);
 * SWAP the END opcode | bits << 8; SYM_TYPE one of SYM_*; DATA the item size in bytes.
 * Int32 elements: reading them allocates nothing.
 */
export const tokValue = new Int32Array(MAX_TOKENS);
/** MEM: the base register (n | W). NUM: 1 when the literal is above 2^31 - 1 (it is tokValue + 2^32). */
export const tokBase = new Int32Array(MAX_TOKENS);
/** Where each token starts and ends in the source (names: the name itself). */
export const tokStart = new Int32Array(MAX_TOKENS);
export const tokEnd = new Int32Array(MAX_TOKENS);
/** Where lexLine stopped: the newline, a line comment, or the end of the input. */
export let lineStop = 0;

export const W = 0x100;

const S16_MIN = -0x8000, S16_MAX = 0x7fff, S32_MIN = -0x80000000, U32_MAX = 0xffffffff;
const LF = 10, HASH = 35, PERCENT = 37, COMMA = 44, AT = 64, LPAREN = 40, RPAREN = 41, STAR = 42,
  PLUS = 43, MINUS = 45, SLASH = 47, COLON = 58, EQ = 61;

// Where the last reader stopped (a module variable: no result objects).
let at = 0;

function blanks(s: string, p: number): number {
  while (CLASS[s.charCodeAt(p)] === BLANK) p++;
  return p;
}

/** Past the name characters from q. */
function nameEnd(s: string, q: number): number {
  while ((CLASS[s.charCodeAt(q)] & NAME_PART) !== 0) q++;
  return q;
}

/**
 * The register spelled in [p, e): n or n | W; -1 when the name does not start like one (r or w
 * and a digit); -2 when it does but is not r0..r10 as written (r01, r11, r1x: the general
 * parser decides what they are).
 */
function registerIn(s: string, p: number, e: number): number {
  const c = s.charCodeAt(p) | 0x20;
  if (c !== 114 && c !== 119) return -1;
  const d1 = s.charCodeAt(p + 1) - 48; // past a one-letter name this is not a digit
  if (!(d1 >= 0 && d1 <= 9)) return -1;
  let n: number;
  if (e === p + 2) n = d1;
  else if (e === p + 3 && d1 === 1 && s.charCodeAt(p + 2) === 48) n = 10;
  else return -2;
  return c === 119 ? n | W : n;
}

/** A decimal (no leading zero, ≤ 15 digits) or 0x hex (≤ 13 digits) literal at p, or -1; sets at. */
function numberAt(s: string, p: number): number {
  const c = s.charCodeAt(p);
  let v = 0;
  let q = p + 1;
  if (c === 48) {
    if ((s.charCodeAt(q) | 0x20) === 120) {
      q++;
      const first = q;
      for (;;) {
        const h = s.charCodeAt(q);
        if (h >= 48 && h <= 57) v = v * 16 + (h - 48);
        else if ((h | 0x20) >= 97 && (h | 0x20) <= 102) v = v * 16 + ((h | 0x20) - 87);
        else break;
        if (++q - first > 13) return -1;
      }
      if (q === first) return -1;
    }
  } else if (c >= 49 && c <= 57) {
    v = c - 48;
    for (;;) {
      const d = s.charCodeAt(q) - 48;
      if (!(d >= 0 && d <= 9)) break;
      v = v * 10 + d;
      if (++q - p > 15) return -1;
    }
  } else {
    return -1;
  }
  if ((CLASS[s.charCodeAt(q)] & NAME_PART) !== 0) return -1; // 0755, 0b1, 12ab
  at = q;
  return v;
}

/** `*(uN *)` or `*(sN *)` at p (on the star): the size | 0x80 when signed, or -1; sets at. */
function derefAt(s: string, p: number): number {
  p = blanks(s, p + 1);
  if (s.charCodeAt(p) !== LPAREN) return -1;
  p = blanks(s, p + 1);
  const size = memSizeAt(s, p);
  if (size < 0) return -1;
  const signed = s.charCodeAt(p) === 115; // s
  p = blanks(s, p + (size === Size.B ? 2 : 3));
  if (s.charCodeAt(p) !== STAR) return -1;
  p = blanks(s, p + 1);
  if (s.charCodeAt(p) !== RPAREN) return -1;
  at = p + 1;
  return signed ? size | 0x80 : size;
}

/** `(rB)`, `(rB + N)`, `(rB - N)` at p: fills token k's base and offset; false if not one. */
function memAt(s: string, p: number, k: number): boolean {
  p = blanks(s, p + 1);
  if ((CLASS[s.charCodeAt(p)] & NAME_START) === 0) return false;
  const e = nameEnd(s, p + 1);
  const base = registerIn(s, p, e);
  if (base < 0) return false;
  p = blanks(s, e);
  const c = s.charCodeAt(p);
  let off = 0;
  if (c === PLUS || c === MINUS) {
    const v = numberAt(s, blanks(s, p + 1));
    if (v < 0) return false;
    off = c === MINUS ? -v : v;
    if (off < S16_MIN || off > S16_MAX) return false;
    p = blanks(s, at);
  }
  if (s.charCodeAt(p) !== RPAREN) return false;
  tokBase[k] = base;
  tokValue[k] = off;
  at = p + 1;
  return true;
}

const swap = (toBig: boolean, bits: number): number =>
  (Class.ALU | AluOp.END | (toBig ? Source.X : Source.K)) | (bits << 8);

/** Keywords and directives read here, with their token kind | value << 8 (all at most 9 characters). */
const WORDS = new Map<string, number>([
  ['if', Tok.IF], ['ll', Tok.LL], ['goto', Tok.GOTO], ['call', Tok.CALL], ['exit', Tok.EXIT], ['lock', Tok.LOCK],
  ['le16', Tok.SWAP | (swap(false, 16) << 8)], ['le32', Tok.SWAP | (swap(false, 32) << 8)], ['le64', Tok.SWAP | (swap(false, 64) << 8)],
  ['be16', Tok.SWAP | (swap(true, 16) << 8)], ['be32', Tok.SWAP | (swap(true, 32) << 8)], ['be64', Tok.SWAP | (swap(true, 64) << 8)],
  ['.globl', Tok.GLOBL], ['.global', Tok.GLOBL], ['.type', Tok.TYPE], ['.size', Tok.SIZE], ['.p2align', Tok.P2ALIGN],
  ['@function', Tok.SYM_TYPE | (SYM_FUNC << 8)], ['@object', Tok.SYM_TYPE | (SYM_OBJECT << 8)], ['@notype', Tok.SYM_TYPE | (SYM_NOTYPE << 8)],
  ['%function', Tok.SYM_TYPE | (SYM_FUNC << 8)], ['%object', Tok.SYM_TYPE | (SYM_OBJECT << 8)], ['%notype', Tok.SYM_TYPE | (SYM_NOTYPE << 8)],
  // .byte, .short, .long, .quad and their other spellings, with their sizes
  ...Object.entries(DATA_SIZES).map(([name, size]): [string, number] => [name, Tok.DATA | (size << 8)]),
]);
const LONGEST_WORD = 9;

/** The token for the word in [p, e) if it is in WORDS (its value in tokValue[k]); NAME otherwise. */
function wordKind(s: string, p: number, e: number, k: number): number {
  // Temporary labels (.L...) are the most common names and are never words: no string for them.
  if (e - p > LONGEST_WORD || (s.charCodeAt(p) === 46 && s.charCodeAt(p + 1) === 76)) return Tok.NAME;
  const w = WORDS.get(s.slice(p, e));
  if (w === undefined) return Tok.NAME;
  tokValue[k] = w >> 8;
  return w & 0xff;
}

/** The kind of the name in [p, e) (a register, a keyword, a directive or a plain name); -1 if unreadable. */
function nameKind(s: string, p: number, e: number, k: number): number {
  const reg = registerIn(s, p, e);
  if (reg === -1) return e === p + 1 && s.charCodeAt(p) === 46 ? -1 : wordKind(s, p, e, k); // `.`: the location counter
  if (reg < 0) return -1;
  tokValue[k] = reg;
  return Tok.REG;
}

/** `@function`, `@object`, `@notype` (or with `%`) at p: SYM_TYPE with its value; -1 if not one. */
function symbolTypeAt(s: string, p: number, k: number): number {
  const e = nameEnd(s, p + 1);
  at = e;
  return wordKind(s, p, e, k) === Tok.SYM_TYPE ? Tok.SYM_TYPE : -1;
}

/**
 * An operator at p: its kind with tokValue[k] set and `at` past it; -1 if not one we read
 * (`s/=` and `s%=` are left to the general parser).
 */
function operatorAt(s: string, p: number, k: number): number {
  const c = s.charCodeAt(p);
  if (c === COLON || c === COMMA) {
    tokValue[k] = 0;
    at = p + 1;
    return c === COLON ? Tok.COLON : Tok.COMMA;
  }
  const assign = aluAssignAt(s, p);
  if (assign >= 0) {
    if ((assign & SIGNED_OP) !== 0) return -1;
    const op = assign & 0xff;
    tokValue[k] = op === AluOp.MOV ? 0 : op;
    at = p + opLength(assign);
    return op === AluOp.MOV ? Tok.EQ : Tok.ALU_SET;
  }
  if (c === MINUS) {
    tokValue[k] = 0;
    at = p + 1;
    return Tok.MINUS;
  }
  const cmp = comparisonAt(s, p);
  if (cmp < 0) return -1;
  tokValue[k] = cmp & 0xff;
  at = p + opLength(cmp);
  return Tok.CMP;
}

/**
 * Read the line at p into tokens: returns its shape key (0 for a blank line), or -1 when the
 * line has something this reader does not know or more than MAX_TOKENS tokens.
 */
export function lexLine(s: string, p: number): number {
  let key = 0;
  let k = 0;
  let prev = 0;
  for (;;) {
    p = blanks(s, p);
    const c = s.charCodeAt(p);
    if (c === LF || c !== c || c === HASH || (c === SLASH && s.charCodeAt(p + 1) === SLASH)) {
      lineStop = p;
      return key;
    }
    if (k === MAX_TOKENS) return -1;
    const start = p;
    let kind: number;
    const cls = CLASS[c];
    if ((cls & NAME_START) !== 0 && !(c === 115 && (CLASS[s.charCodeAt(p + 1)] & NAME_PART) === 0)) { // `s>` is an operator
      const e = nameEnd(s, p + 1);
      kind = nameKind(s, p, e, k);
      p = e;
    } else if ((c >= 48 && c <= 57) || (c === MINUS && (prev === Tok.EQ || prev === Tok.ALU_SET || prev === Tok.CMP))) {
      // A number; `-N` right after `=`, `op=` or a comparison is a negative immediate.
      const neg = c === MINUS;
      const v = numberAt(s, neg ? p + 1 : p);
      if (v < 0 || (neg ? v > -S32_MIN : v > U32_MAX)) return -1;
      tokValue[k] = neg ? -v : v; // stored as int32: u32 values keep their s32 pattern
      tokBase[k] = !neg && v > 0x7fffffff ? 1 : 0;
      kind = Tok.NUM;
      p = at;
    } else if (c === STAR && s.charCodeAt(p + 1) !== EQ) {
      const t = derefAt(s, p);
      if (t < 0) return -1;
      tokValue[k] = t;
      kind = Tok.DEREF;
      p = at;
    } else if (c === AT || (c === PERCENT && (CLASS[s.charCodeAt(p + 1)] & NAME_START) !== 0)) {
      kind = symbolTypeAt(s, p, k);
      p = at;
    } else if (c === LPAREN) {
      if (!memAt(s, p, k)) return -1;
      kind = Tok.MEM;
      p = at;
    } else {
      kind = operatorAt(s, p, k);
      p = at;
    }
    if (kind < 0) return -1;
    tokStart[k] = start;
    tokEnd[k] = p;
    key = key * 32 + kind;
    prev = kind;
    k++;
  }
}
