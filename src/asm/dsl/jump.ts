// Jumps. A target is a label name (resolved by `assemble`) or a number of slots relative to
// the next instruction. The `32` variants compare the low 32 bits (JMP32 class).
import type { Instruction } from '../instruction.js';
import { Class, JmpOp, MAY_GOTO, Source } from '../opcode.js';
import { makeInsn, regOf, toImm32, toOff16 } from './make.js';
import type { Operand, Reg } from './registers.js';

/** A jump target: a label, or a relative slot count. */
export type Target = string | number;

function target(t: Target): { off: number; ref?: string } {
  return typeof t === 'string' ? { off: 0, ref: t } : { off: toOff16(t, 'jump offset') };
}

function cond(cls: number, op: number, dst: Reg, src: Operand, to: Target): Instruction {
  const off = typeof to === 'string' ? 0 : toOff16(to, 'jump offset');
  const ref = typeof to === 'string' ? to : undefined;
  if (typeof src === 'number') return makeInsn(cls | op | Source.K, regOf(dst), 0, off, toImm32(src), ref);
  return makeInsn(cls | op | Source.X, regOf(dst), regOf(src), off, 0, ref);
}

type Cond = (dst: Reg, src: Operand, to: Target) => Instruction;
const j64 = (op: number): Cond => (dst, src, to) => cond(Class.JMP, op, dst, src, to);
const j32 = (op: number): Cond => (dst, src, to) => cond(Class.JMP32, op, dst, src, to);

/** goto target (16-bit offset; `assemble` turns it into gotol when the target is too far). */
export function ja(to: Target): Instruction {
  const t = target(to);
  return makeInsn(Class.JMP | JmpOp.JA, 0, 0, t.off, 0, t.ref);
}
/** gotol target: unconditional jump with a 32-bit offset (v4). */
export function gotol(to: Target): Instruction {
  if (typeof to === 'string') return makeInsn(Class.JMP32 | JmpOp.JA, 0, 0, 0, 0, to);
  return makeInsn(Class.JMP32 | JmpOp.JA, 0, 0, 0, toImm32(to, 'jump offset'));
}
/** may_goto target: taken when the kernel's loop budget runs out (Linux 6.9+). */
export function mayGoto(to: Target): Instruction {
  const t = target(to);
  return makeInsn(MAY_GOTO, 0, 0, t.off, 0, t.ref);
}

/** if dst == src goto */
export const jeq = j64(JmpOp.JEQ);
export const jeq32 = j32(JmpOp.JEQ);
/** if dst != src goto */
export const jne = j64(JmpOp.JNE);
export const jne32 = j32(JmpOp.JNE);
/** if dst > src goto (unsigned) */
export const jgt = j64(JmpOp.JGT);
export const jgt32 = j32(JmpOp.JGT);
/** if dst >= src goto (unsigned) */
export const jge = j64(JmpOp.JGE);
export const jge32 = j32(JmpOp.JGE);
/** if dst < src goto (unsigned) */
export const jlt = j64(JmpOp.JLT);
export const jlt32 = j32(JmpOp.JLT);
/** if dst <= src goto (unsigned) */
export const jle = j64(JmpOp.JLE);
export const jle32 = j32(JmpOp.JLE);
/** if dst s> src goto */
export const jsgt = j64(JmpOp.JSGT);
export const jsgt32 = j32(JmpOp.JSGT);
/** if dst s>= src goto */
export const jsge = j64(JmpOp.JSGE);
export const jsge32 = j32(JmpOp.JSGE);
/** if dst s< src goto */
export const jslt = j64(JmpOp.JSLT);
export const jslt32 = j32(JmpOp.JSLT);
/** if dst s<= src goto */
export const jsle = j64(JmpOp.JSLE);
export const jsle32 = j32(JmpOp.JSLE);
/** if dst & src goto */
export const jset = j64(JmpOp.JSET);
export const jset32 = j32(JmpOp.JSET);

/** Comparison operators as written in LLVM assembly. */
export type Comparison = '==' | '!=' | '>' | '>=' | '<' | '<=' | 's>' | 's>=' | 's<' | 's<=' | '&';

const OP_BY_COMPARISON: Readonly<Record<Comparison, number>> = {
  '==': JmpOp.JEQ, '!=': JmpOp.JNE, '>': JmpOp.JGT, '>=': JmpOp.JGE, '<': JmpOp.JLT, '<=': JmpOp.JLE,
  's>': JmpOp.JSGT, 's>=': JmpOp.JSGE, 's<': JmpOp.JSLT, 's<=': JmpOp.JSLE, '&': JmpOp.JSET,
};

/** `jumpIf(r1, '>', 5, 'out')` reads like `if r1 > 5 goto out`. */
export function jumpIf(dst: Reg, cmp: Comparison, src: Operand, to: Target): Instruction {
  return cond(Class.JMP, OP_BY_COMPARISON[cmp], dst, src, to);
}
/** The 32-bit form of jumpIf: `if w1 > 5 goto out`. */
export function jumpIf32(dst: Reg, cmp: Comparison, src: Operand, to: Target): Instruction {
  return cond(Class.JMP32, OP_BY_COMPARISON[cmp], dst, src, to);
}
