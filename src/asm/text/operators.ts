// The operator spellings of LLVM's BPF syntax, read in one place for the statement parser
// (assembler.ts: `R op= X`, `if R cmp X goto L`) and the line reader (line-tokens.ts).
// Results are packed into one small integer so that reading allocates nothing.
import { AluOp, JmpOp } from '../opcode.js';
import { CH_AMP, CH_BANG, CH_CARET, CH_EQ, CH_GT, CH_LT, CH_MINUS, CH_PERCENT, CH_PIPE, CH_PLUS, CH_s, CH_SLASH, CH_STAR } from './lexer.js';

/** Set in an assignment operator's result for `s/=` and `s%=` (signed: off = 1). */
export const SIGNED_OP = 0x10000;

/** The operator's length in characters, from a result of aluAssignAt or comparisonAt. */
export const opLength = (packed: number): number => (packed >> 8) & 0xff;

/**
 * The assignment operator at p (`=`, `+=`, `-=`, `*=`, `/=`, `%=`, `|=`, `&=`, `^=`, `<<=`,
 * `>>=`, `s>>=`, `s/=`, `s%=`): its AluOp (MOV for `=`) | length << 8 | SIGNED_OP; -1 if none
 * (`==` is a comparison, not an assignment).
 */
export function aluAssignAt(s: string, p: number): number {
  const c1 = s.charCodeAt(p + 1);
  let op: number;
  let len = 2;
  let signed = 0;
  switch (s.charCodeAt(p)) {
    case CH_EQ: return c1 === CH_EQ ? -1 : AluOp.MOV | (1 << 8);
    case CH_PLUS: op = AluOp.ADD; break;
    case CH_MINUS: op = AluOp.SUB; break;
    case CH_STAR: op = AluOp.MUL; break;
    case CH_SLASH: op = AluOp.DIV; break;
    case CH_PERCENT: op = AluOp.MOD; break;
    case CH_PIPE: op = AluOp.OR; break;
    case CH_AMP: op = AluOp.AND; break;
    case CH_CARET: op = AluOp.XOR; break;
    case CH_LT: if (c1 !== CH_LT) return -1; op = AluOp.LSH; len = 3; break;
    case CH_GT: if (c1 !== CH_GT) return -1; op = AluOp.RSH; len = 3; break;
    case CH_s:
      len = 3;
      if (c1 === CH_SLASH) { op = AluOp.DIV; signed = SIGNED_OP; }
      else if (c1 === CH_PERCENT) { op = AluOp.MOD; signed = SIGNED_OP; }
      else if (c1 === CH_GT && s.charCodeAt(p + 2) === CH_GT) { op = AluOp.ARSH; len = 4; }
      else return -1;
      break;
    default: return -1;
  }
  if (s.charCodeAt(p + len - 1) !== CH_EQ) return -1;
  return op | (len << 8) | signed;
}

/** The comparison at p (`==` `!=` `>` `>=` `<` `<=` `s>` `s>=` `s<` `s<=` `&`): its JmpOp | length << 8; -1 if none. */
export function comparisonAt(s: string, p: number): number {
  const c0 = s.charCodeAt(p), c1 = s.charCodeAt(p + 1);
  switch (c0) {
    case CH_EQ: return c1 === CH_EQ ? JmpOp.JEQ | (2 << 8) : -1;
    case CH_BANG: return c1 === CH_EQ ? JmpOp.JNE | (2 << 8) : -1;
    case CH_AMP: return JmpOp.JSET | (1 << 8);
    case CH_GT: return c1 === CH_EQ ? JmpOp.JGE | (2 << 8) : JmpOp.JGT | (1 << 8);
    case CH_LT: return c1 === CH_EQ ? JmpOp.JLE | (2 << 8) : JmpOp.JLT | (1 << 8);
    case CH_s: {
      const eq = s.charCodeAt(p + 2) === CH_EQ;
      if (c1 === CH_GT) return eq ? JmpOp.JSGE | (3 << 8) : JmpOp.JSGT | (2 << 8);
      if (c1 === CH_LT) return eq ? JmpOp.JSLE | (3 << 8) : JmpOp.JSLT | (2 << 8);
      return -1;
    }
    default: return -1;
  }
}
