import { LD_IMM64 } from './opcode.js';
import type { SourceLocation } from './source-location.js';

/**
 * One eBPF instruction as plain data. LD_IMM64 is a single Instruction that occupies
 * two 8-byte slots; its high 32 bits live in `imm2`.
 *
 * Offsets and immediates are stored as the signed values the encoding holds
 * (off: s16, imm and imm2: s32).
 */
export interface Instruction {
  /** The opcode byte. */
  code: number;
  /** Destination register number (0..10; 11..15 only in invalid input). */
  dst: number;
  /** Source register number, or a pseudo value for LD_IMM64 and CALL. */
  src: number;
  /** Signed 16-bit offset: memory displacement, jump distance, or an opcode modifier (sdiv, movsx). */
  off: number;
  /** Signed 32-bit immediate. */
  imm: number;
  /** LD_IMM64 only: the second slot's imm, the upper 32 bits of the constant (signed). */
  imm2?: number;
  /**
   * A name to resolve later: a label for jumps and local calls, a map, data or function
   * symbol for LD_IMM64, an extern for calls. It becomes an offset or a relocation.
   */
  ref?: string;
  /** Where the instruction was written. */
  loc?: SourceLocation;
}

/** Bytes in one instruction slot. */
export const SLOT_SIZE = 8;

/** Whether the instruction takes two slots (LD_IMM64). */
export function isWide(insn: Instruction): boolean {
  return insn.code === LD_IMM64;
}

/** Number of 8-byte slots an instruction occupies. */
export function slotCount(insn: Instruction): 1 | 2 {
  return insn.code === LD_IMM64 ? 2 : 1;
}

/** Slot index of each instruction, plus the total at the end (length n + 1). */
export function slotOffsets(insns: readonly Instruction[]): Int32Array {
  const out = new Int32Array(insns.length + 1);
  let slot = 0;
  for (let i = 0; i < insns.length; i++) {
    out[i] = slot;
    slot += insns[i]!.code === LD_IMM64 ? 2 : 1;
  }
  out[insns.length] = slot;
  return out;
}

/** The 64-bit constant of an LD_IMM64, as an unsigned bigint. */
export function imm64(insn: Instruction): bigint {
  return (BigInt((insn.imm2 ?? 0) >>> 0) << 32n) | BigInt(insn.imm >>> 0);
}

/** Split a 64-bit constant into LD_IMM64's (imm, imm2), both signed 32-bit. */
export function splitImm64(value: bigint): { imm: number; imm2: number } {
  const v = BigInt.asUintN(64, value);
  return { imm: Number(BigInt.asIntN(32, v)), imm2: Number(BigInt.asIntN(32, v >> 32n)) };
}

/** Whether n fits a signed 16-bit field. */
export const fitsS16 = (n: number): boolean => Number.isInteger(n) && n >= -0x8000 && n <= 0x7fff;
/** Whether n fits a signed 32-bit field. */
export const fitsS32 = (n: number): boolean => Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff;
/** Whether n fits 32 bits read as either signed or unsigned (0xffffffff means -1). */
export const fitsImm32 = (n: number): boolean => Number.isInteger(n) && n >= -0x80000000 && n <= 0xffffffff;
