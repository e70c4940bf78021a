// Registers r0..r10. r10 is the read-only frame pointer; r0 holds return values,
// r1..r5 carry call arguments and are clobbered by calls, r6..r9 are callee-saved.

export type Register = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

export const R0 = 0 as const;
export const R1 = 1 as const;
export const R2 = 2 as const;
export const R3 = 3 as const;
export const R4 = 4 as const;
export const R5 = 5 as const;
export const R6 = 6 as const;
export const R7 = 7 as const;
export const R8 = 8 as const;
export const R9 = 9 as const;
/** Frame pointer: read-only, points one past the top of the 512-byte stack. */
export const R10 = 10 as const;
export const FP = R10;

/** Number of architectural registers. */
export const REGISTER_COUNT = 11;

export function isRegister(n: number): n is Register {
  return Number.isInteger(n) && n >= 0 && n <= 10;
}
