// The one constructor every DSL builder goes through: checks field ranges and records
// where the user wrote the instruction.
import { AsmError } from '../errors.js';
import { type Instruction, fitsImm32, fitsS16 } from '../instruction.js';
import { callerLocation, pinnedLocation, sourceLocationCaptureEnabled } from './location.js';
import type { Operand, Reg } from './registers.js';

/** Wrap a 32-bit pattern written unsigned (0xffffffff) to the signed value stored in imm. */
export function toImm32(value: number, what = 'immediate'): number {
  if (!fitsImm32(value)) {
    throw AsmError.at(`${what} ${value} does not fit in 32 bits`, callerLocation());
  }
  return value | 0;
}

export function toOff16(value: number, what = 'offset'): number {
  if (!fitsS16(value)) throw AsmError.at(`${what} ${value} does not fit in a signed 16-bit field`, callerLocation());
  return value;
}

export function regOf(r: Reg): number {
  if (typeof r !== 'object' || r === null || r.kind !== 'reg') throw AsmError.at(`expected a register (r0..r10), got ${String(r)}`, callerLocation());
  return r.n;
}

export function makeInsn(code: number, dst: number, src: number, off: number, imm: number, ref?: string): Instruction {
  const insn: Instruction = { code, dst, src, off, imm };
  if (ref !== undefined) insn.ref = ref;
  if (sourceLocationCaptureEnabled() || pinnedLocation() !== undefined) {
    const loc = callerLocation();
    if (loc !== undefined) insn.loc = loc;
  }
  return insn;
}

/** Split an operand into (source bit, src register, imm). */
export function operand(src: Operand): { x: boolean; reg: number; imm: number } {
  if (typeof src === 'number') return { x: false, reg: 0, imm: toImm32(src) };
  return { x: true, reg: regOf(src), imm: 0 };
}
