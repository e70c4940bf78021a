// A cursor over assembly source, working on char codes: no regular expressions and no token
// objects in the hot path. The parser asks for what it expects next (a register, a number,
// an identifier, a punctuation character) and gets a plain value back.
import { AsmError } from '../errors.js';
import { Size } from '../opcode.js';

export const CH_TAB = 9, CH_LF = 10, CH_CR = 13, CH_SPACE = 32, CH_BANG = 33, CH_QUOTE = 34,
  CH_HASH = 35, CH_DOLLAR = 36, CH_PERCENT = 37, CH_AMP = 38, CH_LPAREN = 40, CH_RPAREN = 41,
  CH_STAR = 42, CH_PLUS = 43, CH_COMMA = 44, CH_MINUS = 45, CH_DOT = 46, CH_SLASH = 47,
  CH_0 = 48, CH_7 = 55, CH_9 = 57, CH_COLON = 58, CH_LT = 60, CH_EQ = 61, CH_GT = 62,
  CH_AT = 64, CH_A = 65, CH_F = 70, CH_Z = 90, CH_LBRACKET = 91, CH_BACKSLASH = 92,
  CH_RBRACKET = 93, CH_CARET = 94, CH_UNDERSCORE = 95, CH_a = 97, CH_b = 98, CH_f = 102,
  CH_r = 114, CH_s = 115, CH_w = 119, CH_x = 120, CH_z = 122, CH_PIPE = 124;

/** Character classes: NAME_START begins a name, NAME_PART continues one, BLANK is skipped between tokens. */
export const NAME_START = 1, NAME_PART = 2, BLANK = 4;
/**
 * The class of each UTF-16 code unit, indexed directly (no call per character while the code is
 * cold); -1 and NaN (past the end of the input) read as undefined: no class.
 */
export const CHAR_CLASS = new Uint8Array(0x10000);
for (let c = CH_a; c <= CH_z; c++) CHAR_CLASS[c] = NAME_START | NAME_PART;
for (let c = CH_A; c <= CH_Z; c++) CHAR_CLASS[c] = NAME_START | NAME_PART;
for (const c of [CH_UNDERSCORE, CH_DOT, CH_DOLLAR]) CHAR_CLASS[c] = NAME_START | NAME_PART;
for (let c = CH_0; c <= CH_9; c++) CHAR_CLASS[c] = NAME_PART;
for (const c of [CH_SPACE, CH_TAB, CH_CR, 11, 12]) CHAR_CLASS[c] = BLANK;

export function isIdentStart(c: number): boolean {
  return (CHAR_CLASS[c] & NAME_START) !== 0;
}
export function isIdentPart(c: number): boolean {
  return (CHAR_CLASS[c] & NAME_PART) !== 0;
}
export function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/**
 * The memory type spelled at `p` (u8, u16, u32, u64, s8, s16, s32, followed by a character
 * that cannot continue a name): its Size, or -1. Read in place, without making a string.
 */
export function memSizeAt(src: string, p: number): number {
  const c0 = src.charCodeAt(p);
  if (c0 !== 117 /* u */ && c0 !== CH_s) return -1;
  const a = src.charCodeAt(p + 1);
  const b = src.charCodeAt(p + 2);
  let size: number;
  if (a === 56 /* 8 */) size = Size.B;
  else if (a === 49 /* 1 */ && b === 54 /* 6 */) size = Size.H;
  else if (a === 51 /* 3 */ && b === 50 /* 2 */) size = Size.W;
  else if (a === 54 /* 6 */ && b === 52 /* 4 */ && c0 !== CH_s) size = Size.DW;
  else return -1;
  const next = src.charCodeAt(p + (size === Size.B ? 2 : 3));
  return next === next && isIdentPart(next) ? -1 : size; // NaN (end of input) ends the name too
}

/**
 * The words that make `R = word ...` an instruction (byte swaps, atomics, load_acquire,
 * addr_space_cast) rather than a symbol: `r1 = be16 ll` is a malformed swap, not a map load.
 */
export const ASSIGN_WORDS: ReadonlySet<string> = new Set([
  'le16', 'le32', 'le64', 'be16', 'be32', 'be64', 'bswap16', 'bswap32', 'bswap64',
  'atomic_fetch_add', 'atomic_fetch_or', 'atomic_fetch_and', 'atomic_fetch_xor',
  'xchg_64', 'xchg32_32', 'cmpxchg_64', 'cmpxchg32_32', 'load_acquire', 'addr_space_cast',
]);

/** Longest line we keep scanning; a longer one is an error rather than a slow path. */
const MAX_NUMBER_DIGITS = 80;

export class Scanner {
  pos = 0;
  line = 1;
  lineStart = 0;
  /** Set by readNumber when the literal does not fit a double exactly. */
  big: bigint | undefined;

  constructor(readonly src: string, readonly file?: string) {}

  error(reason: string, pos: number = this.pos): AsmError {
    return new AsmError(reason, this.line, Math.max(1, pos - this.lineStart + 1), this.file);
  }

  get column(): number {
    return this.pos - this.lineStart + 1;
  }

  peek(): number {
    return this.pos < this.src.length ? this.src.charCodeAt(this.pos) : -1;
  }

  peekAt(k: number): number {
    const p = this.pos + k;
    return p < this.src.length ? this.src.charCodeAt(p) : -1;
  }

  /** Skip blanks and block comments (which may span lines) on the current statement. */
  skipSpace(): void {
    const s = this.src;
    const n = s.length;
    let p = this.pos;
    for (;;) {
      if (p >= n) break;
      const c = s.charCodeAt(p);
      if (CHAR_CLASS[c] === BLANK) { p++; continue; }
      if (c === CH_SLASH && p + 1 < n && s.charCodeAt(p + 1) === CH_STAR) {
        const end = s.indexOf('*/', p + 2);
        if (end < 0) { this.pos = p; throw this.error('unterminated comment'); }
        for (let q = p + 2; q < end; q++) {
          if (s.charCodeAt(q) === CH_LF) { this.line++; this.lineStart = q + 1; }
        }
        p = end + 2;
        continue;
      }
      break;
    }
    this.pos = p;
  }

  /** At the end of a statement: end of line, end of input or a line comment. */
  atStatementEnd(): boolean {
    const c = this.peek();
    return c === -1 || c === CH_LF || c === CH_HASH || (c === CH_SLASH && this.peekAt(1) === CH_SLASH);
  }

  /** Skip the rest of the line (a comment or an ignored directive), stopping before the newline. */
  skipToLineEnd(): void {
    const s = this.src;
    let p = this.pos;
    let inString = false;
    while (p < s.length) {
      const c = s.charCodeAt(p);
      if (c === CH_LF) break;
      if (inString) {
        if (c === CH_BACKSLASH) p++;
        else if (c === CH_QUOTE) inString = false;
      } else if (c === CH_QUOTE) inString = true;
      else if (c === CH_SLASH && s.charCodeAt(p + 1) === CH_STAR) {
        this.pos = p;
        this.skipSpace();
        p = this.pos;
        continue;
      }
      p++;
    }
    this.pos = p;
  }

  /** Demand the end of the statement (after blanks). */
  expectEnd(): void {
    this.skipSpace();
    if (!this.atStatementEnd()) throw this.error(`unexpected '${this.describeHere()}' at end of statement`);
  }

  /** Consume the newline ending the statement, if any. */
  nextLine(): void {
    this.skipToLineEnd();
    if (this.pos < this.src.length) {
      this.pos++;
      this.line++;
      this.lineStart = this.pos;
    }
  }

  describeHere(): string {
    const c = this.peek();
    if (c === -1) return 'end of input';
    if (c === CH_LF) return 'end of line';
    let end = this.pos + 1;
    if (isIdentPart(c)) while (end < this.src.length && isIdentPart(this.src.charCodeAt(end))) end++;
    return this.src.slice(this.pos, Math.min(end, this.pos + 32));
  }

  /** Consume `c` after optional blanks. */
  eat(c: number): boolean {
    this.skipSpace();
    if (this.peek() === c) { this.pos++; return true; }
    return false;
  }

  expect(c: number): void {
    this.skipSpace();
    if (this.peek() !== c) throw this.error(`expected '${String.fromCharCode(c)}' but found '${this.describeHere()}'`);
    this.pos++;
  }

  /** Consume a fixed word (an exact match followed by a non-identifier character). */
  eatWord(word: string): boolean {
    this.skipSpace();
    const s = this.src;
    const p = this.pos;
    if (!s.startsWith(word, p)) return false;
    if (p + word.length < s.length && isIdentPart(s.charCodeAt(p + word.length))) return false;
    this.pos = p + word.length;
    return true;
  }

  /** Move over the identifier that starts at the cursor; returns its end. */
  scanIdent(): number {
    const s = this.src;
    let p = this.pos + 1;
    while (p < s.length && isIdentPart(s.charCodeAt(p))) p++;
    this.pos = p;
    return p;
  }

  /** An identifier at the cursor (after blanks), or undefined. */
  readIdent(): string | undefined {
    this.skipSpace();
    const s = this.src;
    const start = this.pos;
    if (start >= s.length || !isIdentStart(s.charCodeAt(start))) return undefined;
    let p = start + 1;
    while (p < s.length && isIdentPart(s.charCodeAt(p))) p++;
    this.pos = p;
    return s.slice(start, p);
  }

  /**
   * A register `rN`/`wN` (any case) at the cursor: returns N, or N | 0x100 for a `w` register,
   * or -1 (nothing consumed) when the next word is not a register name. r11 and above are errors.
   */
  readRegister(): number {
    this.skipSpace();
    const s = this.src;
    const p = this.pos;
    const c = s.charCodeAt(p) | 0x20;
    if (c !== CH_r && c !== CH_w) return -1;
    let q = p + 1;
    let n = 0;
    while (q < s.length) {
      const d = s.charCodeAt(q);
      if (d < CH_0 || d > CH_9) break;
      n = n * 10 + (d - CH_0);
      q++;
      if (q - p > 4) break;
    }
    if (q === p + 1) return -1;
    if (q < s.length && isIdentPart(s.charCodeAt(q))) return -1;
    if (n > 10) throw this.error(`invalid register ${s.slice(p, q)}: registers are r0..r10`, p);
    this.pos = q;
    return c === CH_w ? n | 0x100 : n;
  }

  /**
   * An unsigned integer literal at the cursor: decimal, 0x hex, 0b binary or 0-prefixed octal
   * (as LLVM reads them). Returns NaN when there is none. When the value exceeds 2^53,
   * returns Infinity and leaves the exact value in `big`.
   */
  readNumber(): number {
    const s = this.src;
    const start = this.pos;
    let p = start;
    const c0 = s.charCodeAt(p);
    if (!(c0 >= CH_0 && c0 <= CH_9)) return Number.NaN;
    let radix = 10;
    if (c0 === CH_0) {
      const c1 = s.charCodeAt(p + 1) | 0x20;
      if (c1 === CH_x) { radix = 16; p += 2; }
      else if (c1 === CH_b && (s.charCodeAt(p + 2) === CH_0 || s.charCodeAt(p + 2) === CH_0 + 1)) { radix = 2; p += 2; }
      else if (isDigit(s.charCodeAt(p + 1))) { radix = 8; p += 1; }
    }
    const digitsStart = p;
    let v = 0;
    for (;;) {
      const c = s.charCodeAt(p);
      let d: number;
      if (c >= CH_0 && c <= CH_9) d = c - CH_0;
      else if (radix === 16 && (c | 0x20) >= CH_a && (c | 0x20) <= CH_f) d = (c | 0x20) - CH_a + 10;
      else break;
      if (d >= radix) throw this.error(`invalid digit in number`, p);
      v = v * radix + d;
      p++;
      if (p - digitsStart > MAX_NUMBER_DIGITS) throw this.error('number literal too long', start);
    }
    if (p === digitsStart) throw this.error('invalid number', start);
    if (isIdentPart(s.charCodeAt(p))) throw this.error(`invalid number '${this.src.slice(start, p + 1)}'`, start);
    this.pos = p;
    if (v > Number.MAX_SAFE_INTEGER) {
      const text = radix === 10 ? s.slice(start, p) : radix === 16 ? s.slice(start, p) : radix === 2 ? s.slice(start, p) : `0o${s.slice(digitsStart, p)}`;
      this.big = BigInt(text);
      return Number.POSITIVE_INFINITY;
    }
    return v;
  }

  /** A double-quoted string with C escapes, as bytes (UTF-8 for non-ASCII characters). */
  readString(): Uint8Array {
    this.skipSpace();
    if (this.peek() !== CH_QUOTE) throw this.error(`expected a string but found '${this.describeHere()}'`);
    const s = this.src;
    let p = this.pos + 1;
    const out: number[] = [];
    for (;;) {
      if (p >= s.length || s.charCodeAt(p) === CH_LF) throw this.error('unterminated string', this.pos);
      const c = s.charCodeAt(p);
      if (c === CH_QUOTE) { p++; break; }
      if (c !== CH_BACKSLASH) {
        if (c < 0x80) out.push(c);
        else for (const b of new TextEncoder().encode(String.fromCodePoint(s.codePointAt(p)!))) out.push(b);
        p += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
        continue;
      }
      p++;
      const e = s.charCodeAt(p);
      p++;
      switch (e) {
        case 110: out.push(10); break; // n
        case 116: out.push(9); break; // t
        case 114: out.push(13); break; // r
        case 98: out.push(8); break; // b
        case 102: out.push(12); break; // f
        case 118: out.push(11); break; // v
        case 97: out.push(7); break; // a
        case CH_x: {
          let v = 0;
          let k = 0;
          while (k < 2) {
            const h = s.charCodeAt(p) | 0x20;
            if (h >= CH_0 && h <= CH_9) v = v * 16 + (h - CH_0);
            else if (h >= CH_a && h <= CH_f) v = v * 16 + (h - CH_a + 10);
            else break;
            p++; k++;
          }
          if (k === 0) throw this.error('invalid \\x escape', p);
          out.push(v);
          break;
        }
        default:
          if (e >= CH_0 && e <= CH_7) {
            let v = e - CH_0;
            for (let k = 0; k < 2 && s.charCodeAt(p) >= CH_0 && s.charCodeAt(p) <= CH_7; k++) v = v * 8 + (s.charCodeAt(p++) - CH_0);
            out.push(v & 0xff);
          } else if (Number.isNaN(e)) {
            throw this.error('unterminated string', this.pos);
          } else {
            out.push(e & 0xff);
          }
      }
    }
    this.pos = p;
    return Uint8Array.from(out);
  }
}
