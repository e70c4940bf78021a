// Loads and stores. Sizes are named as in C: u8, u16, u32, u64; s8..s32 sign-extend (v4).
import type { Instruction } from '../instruction.js';
import { Class, Mode, Size } from '../opcode.js';
import { makeInsn, regOf, toImm32, toOff16 } from './make.js';
import type { Reg } from './registers.js';

export type Width = 'u8' | 'u16' | 'u32' | 'u64';
export type SignedWidth = 's8' | 's16' | 's32';

export const SIZE_BY_WIDTH: Readonly<Record<Width | SignedWidth, number>> = {
  u8: Size.B, u16: Size.H, u32: Size.W, u64: Size.DW, s8: Size.B, s16: Size.H, s32: Size.W,
};

/** dst = *(width *)(src + off); signed widths sign-extend (ldsx, v4). */
export function load(width: Width | SignedWidth, dst: Reg, src: Reg, off = 0): Instruction {
  const mode = width[0] === 's' ? Mode.MEMSX : Mode.MEM;
  return makeInsn(Class.LDX | mode | SIZE_BY_WIDTH[width], regOf(dst), regOf(src), toOff16(off), 0);
}
/** *(width *)(dst + off) = src */
export function store(width: Width, dst: Reg, off: number, src: Reg): Instruction {
  return makeInsn(Class.STX | Mode.MEM | SIZE_BY_WIDTH[width], regOf(dst), regOf(src), toOff16(off), 0);
}
/** *(width *)(dst + off) = imm */
export function storeImm(width: Width, dst: Reg, off: number, imm: number): Instruction {
  return makeInsn(Class.ST | Mode.MEM | SIZE_BY_WIDTH[width], regOf(dst), 0, toOff16(off), toImm32(imm));
}

export const ldxb = (dst: Reg, src: Reg, off = 0): Instruction => load('u8', dst, src, off);
export const ldxh = (dst: Reg, src: Reg, off = 0): Instruction => load('u16', dst, src, off);
export const ldxw = (dst: Reg, src: Reg, off = 0): Instruction => load('u32', dst, src, off);
export const ldxdw = (dst: Reg, src: Reg, off = 0): Instruction => load('u64', dst, src, off);
export const stxb = (dst: Reg, off: number, src: Reg): Instruction => store('u8', dst, off, src);
export const stxh = (dst: Reg, off: number, src: Reg): Instruction => store('u16', dst, off, src);
export const stxw = (dst: Reg, off: number, src: Reg): Instruction => store('u32', dst, off, src);
export const stxdw = (dst: Reg, off: number, src: Reg): Instruction => store('u64', dst, off, src);

/** Legacy packet load (socket filters): r0 = ntoh(*(width *)skb[imm]). */
export function loadAbs(width: Exclude<Width, 'u64'>, imm: number): Instruction {
  return makeInsn(Class.LD | Mode.ABS | SIZE_BY_WIDTH[width], 0, 0, 0, toImm32(imm));
}
/** Legacy packet load: r0 = ntoh(*(width *)skb[src + imm]). */
export function loadInd(width: Exclude<Width, 'u64'>, src: Reg, imm = 0): Instruction {
  return makeInsn(Class.LD | Mode.IND | SIZE_BY_WIDTH[width], 0, regOf(src), 0, toImm32(imm));
}
