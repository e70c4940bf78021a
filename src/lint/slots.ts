// The verifier works on 8-byte slots (LD_IMM64 is two), so the lint does too: kernel
// instruction numbers in messages are slot indices.
import type { Instruction } from '../asm/instruction.js';
import { LD_IMM64 } from '../asm/opcode.js';
import type { SourceLocation } from '../asm/source-location.js';

export interface Slot {
  readonly code: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
  /** symbolic reference of the instruction that starts at this slot */
  readonly ref?: string;
  readonly loc?: SourceLocation;
}

/** Slots of an instruction list; the second slot of LD_IMM64 carries imm2. */
export function slotsFromInstructions(insns: readonly Instruction[]): Slot[] {
  const out: Slot[] = [];
  for (const i of insns) {
    // coerce to the encoding's field widths, so malformed input cannot reach the interpreter
    const s: Slot = { code: (i.code | 0) & 0xff, dst: (i.dst | 0) & 0xf, src: (i.src | 0) & 0xf, off: ((i.off | 0) << 16) >> 16, imm: i.imm | 0 };
    out.push(i.ref !== undefined || i.loc !== undefined ? { ...s, ...(i.ref !== undefined ? { ref: i.ref } : {}), ...(i.loc !== undefined ? { loc: i.loc } : {}) } : s);
    if (i.code === LD_IMM64) out.push({ code: 0, dst: 0, src: 0, off: 0, imm: (i.imm2 ?? 0) | 0 });
  }
  return out;
}

/** Slots straight from little-endian bytecode (a trailing partial slot is ignored). */
export function slotsFromBytes(bytes: Uint8Array): Slot[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Slot[] = [];
  for (let p = 0; p + 8 <= bytes.length; p += 8) {
    const regs = bytes[p + 1]!;
    out.push({ code: bytes[p]!, dst: regs & 0xf, src: regs >> 4, off: dv.getInt16(p + 2, true), imm: dv.getInt32(p + 4, true) });
  }
  return out;
}
