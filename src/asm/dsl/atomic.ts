// Atomic read-modify-write on memory (STX|ATOMIC). Only 32- and 64-bit widths exist, except
// for load_acquire/store_release which take every width.
import type { Instruction } from '../instruction.js';
import { AtomicOp, Class, Mode, Size } from '../opcode.js';
import { AsmError } from '../errors.js';
import { callerLocation } from './location.js';
import { makeInsn, regOf, toOff16 } from './make.js';
import type { Reg } from './registers.js';
import { SIZE_BY_WIDTH, type Width } from './memory.js';

export type AtomicWidth = 'u32' | 'u64';

function atomic(width: AtomicWidth, dst: Reg, off: number, src: Reg, op: number): Instruction {
  if (width !== 'u32' && width !== 'u64') throw AsmError.at(`atomic operations take u32 or u64, not ${String(width)}`, callerLocation());
  const size = width === 'u32' ? Size.W : Size.DW;
  return makeInsn(Class.STX | Mode.ATOMIC | size, regOf(dst), regOf(src), toOff16(off), op);
}

export interface FetchOption {
  /** Return the old value in src (atomic_fetch_*). */
  readonly fetch?: boolean;
}
const fetchBit = (o?: FetchOption): number => (o?.fetch === true ? AtomicOp.FETCH : 0);

/** lock *(width *)(dst + off) += src */
export const atomicAdd = (width: AtomicWidth, dst: Reg, off: number, src: Reg, o?: FetchOption): Instruction =>
  atomic(width, dst, off, src, AtomicOp.ADD | fetchBit(o));
/** lock *(width *)(dst + off) |= src */
export const atomicOr = (width: AtomicWidth, dst: Reg, off: number, src: Reg, o?: FetchOption): Instruction =>
  atomic(width, dst, off, src, AtomicOp.OR | fetchBit(o));
/** lock *(width *)(dst + off) &= src */
export const atomicAnd = (width: AtomicWidth, dst: Reg, off: number, src: Reg, o?: FetchOption): Instruction =>
  atomic(width, dst, off, src, AtomicOp.AND | fetchBit(o));
/** lock *(width *)(dst + off) ^= src */
export const atomicXor = (width: AtomicWidth, dst: Reg, off: number, src: Reg, o?: FetchOption): Instruction =>
  atomic(width, dst, off, src, AtomicOp.XOR | fetchBit(o));
/** src = xchg(*(width *)(dst + off), src) */
export const atomicXchg = (width: AtomicWidth, dst: Reg, off: number, src: Reg): Instruction =>
  atomic(width, dst, off, src, AtomicOp.XCHG);
/** r0 = cmpxchg(*(width *)(dst + off), r0, src) */
export const atomicCmpxchg = (width: AtomicWidth, dst: Reg, off: number, src: Reg): Instruction =>
  atomic(width, dst, off, src, AtomicOp.CMPXCHG);

/** dst = load_acquire(*(width *)(src + off)). Note: LDX register roles inside an STX opcode. */
export function loadAcquire(width: Width, dst: Reg, src: Reg, off = 0): Instruction {
  return makeInsn(Class.STX | Mode.ATOMIC | SIZE_BY_WIDTH[width], regOf(dst), regOf(src), toOff16(off), AtomicOp.LOAD_ACQ);
}
/** store_release(*(width *)(dst + off), src) */
export function storeRelease(width: Width, dst: Reg, off: number, src: Reg): Instruction {
  return makeInsn(Class.STX | Mode.ATOMIC | SIZE_BY_WIDTH[width], regOf(dst), regOf(src), toOff16(off), AtomicOp.STORE_REL);
}
