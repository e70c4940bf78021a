// Arithmetic: one function per operation; the `32` variants use the ALU class (32-bit,
// zero-extending), the others ALU64. `op(dst, src)` takes a register or an immediate.
import type { Instruction } from '../instruction.js';
import { AluOp, Class, Endian, Source } from '../opcode.js';
import { AsmError } from '../errors.js';
import { callerLocation } from './location.js';
import { makeInsn, regOf, toImm32 } from './make.js';
import type { Operand, Reg } from './registers.js';

function alu(cls: number, op: number, dst: Reg, src: Operand, off = 0): Instruction {
  if (typeof src === 'number') return makeInsn(cls | op | Source.K, regOf(dst), 0, off, toImm32(src));
  return makeInsn(cls | op | Source.X, regOf(dst), regOf(src), off, 0);
}

type Binary = (dst: Reg, src: Operand) => Instruction;
const op64 = (op: number, off = 0): Binary => (dst, src) => alu(Class.ALU64, op, dst, src, off);
const op32 = (op: number, off = 0): Binary => (dst, src) => alu(Class.ALU, op, dst, src, off);

/** dst += src */
export const add = op64(AluOp.ADD);
export const add32 = op32(AluOp.ADD);
/** dst -= src */
export const sub = op64(AluOp.SUB);
export const sub32 = op32(AluOp.SUB);
/** dst *= src */
export const mul = op64(AluOp.MUL);
export const mul32 = op32(AluOp.MUL);
/** dst /= src, unsigned (x / 0 = 0) */
export const div = op64(AluOp.DIV);
export const div32 = op32(AluOp.DIV);
/** dst s/= src, signed (v4) */
export const sdiv = op64(AluOp.DIV, 1);
export const sdiv32 = op32(AluOp.DIV, 1);
/** dst %= src, unsigned (x % 0 = x) */
export const mod = op64(AluOp.MOD);
export const mod32 = op32(AluOp.MOD);
/** dst s%= src, signed (v4) */
export const smod = op64(AluOp.MOD, 1);
export const smod32 = op32(AluOp.MOD, 1);
/** dst |= src */
export const or = op64(AluOp.OR);
export const or32 = op32(AluOp.OR);
/** dst &= src */
export const and = op64(AluOp.AND);
export const and32 = op32(AluOp.AND);
/** dst ^= src */
export const xor = op64(AluOp.XOR);
export const xor32 = op32(AluOp.XOR);
/** dst <<= src */
export const lsh = op64(AluOp.LSH);
export const lsh32 = op32(AluOp.LSH);
/** dst >>= src (logical) */
export const rsh = op64(AluOp.RSH);
export const rsh32 = op32(AluOp.RSH);
/** dst s>>= src (arithmetic) */
export const arsh = op64(AluOp.ARSH);
export const arsh32 = op32(AluOp.ARSH);
/** dst = src (an immediate is sign-extended to 64 bits) */
export const mov = op64(AluOp.MOV);
/** wdst = wsrc (upper 32 bits cleared) */
export const mov32 = op32(AluOp.MOV);

/** dst = -dst */
export function neg(dst: Reg): Instruction {
  return makeInsn(Class.ALU64 | AluOp.NEG, regOf(dst), 0, 0, 0);
}
export function neg32(dst: Reg): Instruction {
  return makeInsn(Class.ALU | AluOp.NEG, regOf(dst), 0, 0, 0);
}

/** dst = (sN)src, sign-extending the low `bits` of src to 64 bits (v4). */
export function movsx(dst: Reg, src: Reg, bits: 8 | 16 | 32): Instruction {
  return makeInsn(Class.ALU64 | AluOp.MOV | Source.X, regOf(dst), regOf(src), checkWidth(bits, [8, 16, 32]), 0);
}
/** wdst = (sN)wsrc, sign-extending to 32 bits (v4). */
export function movsx32(dst: Reg, src: Reg, bits: 8 | 16): Instruction {
  return makeInsn(Class.ALU | AluOp.MOV | Source.X, regOf(dst), regOf(src), checkWidth(bits, [8, 16]), 0);
}

/** dst = addr_space_cast(src, dstAs, srcAs) (arena pointers). */
export function addrSpaceCast(dst: Reg, src: Reg, dstAs: number, srcAs: number): Instruction {
  return makeInsn(Class.ALU64 | AluOp.MOV | Source.X, regOf(dst), regOf(src), 1, ((dstAs & 0xffff) << 16) | (srcAs & 0xffff));
}

type Width = 16 | 32 | 64;
function checkWidth<T extends number>(bits: T, allowed: readonly number[]): T {
  if (!allowed.includes(bits)) throw AsmError.at(`width ${bits} is not one of ${allowed.join(', ')}`, callerLocation());
  return bits;
}

/** dst = htole<bits>(dst): convert to little-endian, zero-extending. */
export function toLe(dst: Reg, bits: Width): Instruction {
  return makeInsn(Class.ALU | AluOp.END | Endian.LE, regOf(dst), 0, 0, checkWidth(bits, [16, 32, 64]));
}
/** dst = htobe<bits>(dst): convert to big-endian (network order), zero-extending. */
export function toBe(dst: Reg, bits: Width): Instruction {
  return makeInsn(Class.ALU | AluOp.END | Endian.BE, regOf(dst), 0, 0, checkWidth(bits, [16, 32, 64]));
}
/** dst = bswap<bits>(dst): unconditional byte swap (v4). */
export function bswap(dst: Reg, bits: Width): Instruction {
  return makeInsn(Class.ALU64 | AluOp.END, regOf(dst), 0, 0, checkWidth(bits, [16, 32, 64]));
}
