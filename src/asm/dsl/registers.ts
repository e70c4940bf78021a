// Registers as typed values for the DSL, so `add(r1, 5)` and `add(r1, r2)` are told apart
// by type, not by guessing whether a number is a register.
import type { Register } from '../register.js';

export interface Reg {
  readonly kind: 'reg';
  readonly n: Register;
}

const reg = (n: Register): Reg => Object.freeze({ kind: 'reg', n });

/** Return value, and the first helper result. */
export const r0 = reg(0);
/** First argument (the context on entry). */
export const r1 = reg(1);
export const r2 = reg(2);
export const r3 = reg(3);
export const r4 = reg(4);
export const r5 = reg(5);
/** Callee-saved. */
export const r6 = reg(6);
export const r7 = reg(7);
export const r8 = reg(8);
export const r9 = reg(9);
/** Read-only frame pointer. */
export const r10 = reg(10);
export const fp = r10;

export const REGS: readonly Reg[] = [r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10];

export function isReg(x: unknown): x is Reg {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'reg';
}

/** An operand: a register, or an immediate (number, s32; 0xffffffff is accepted as -1). */
export type Operand = Reg | number;
