// 64-bit immediate loads (two slots). The pseudo forms name a map, a global variable or a
// function; the name is kept in `ref` and becomes a relocation or an fd at load time.
import { AsmError } from '../errors.js';
import { type Instruction, splitImm64 } from '../instruction.js';
import { LD_IMM64, PseudoLd } from '../opcode.js';
import { callerLocation } from './location.js';
import { makeInsn, regOf, toImm32 } from './make.js';
import type { Reg } from './registers.js';

function wide(dst: Reg, src: number, imm: number, imm2: number, ref?: string): Instruction {
  const insn = makeInsn(LD_IMM64, regOf(dst), src, 0, imm, ref);
  insn.imm2 = imm2;
  return insn;
}

/** dst = value (any 64-bit constant; numbers must be safe integers). */
export function lddw(dst: Reg, value: bigint | number): Instruction {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw AsmError.at(`lddw constant ${value} is not a safe integer: pass a bigint`, callerLocation());
  }
  const v = BigInt(value);
  if (v < -(1n << 63n) || v >= 1n << 64n) throw AsmError.at(`lddw constant ${v} does not fit in 64 bits`, callerLocation());
  const { imm, imm2 } = splitImm64(v);
  return wide(dst, PseudoLd.NONE, imm, imm2);
}

/** dst = &map (the map named `map`, relocated to its fd at load time). */
export function ldMap(dst: Reg, map: string): Instruction {
  return wide(dst, PseudoLd.MAP_FD, 0, 0, map);
}

/** dst = &map's value + offset (global data, array map of one element). */
export function ldMapValue(dst: Reg, map: string, offset = 0): Instruction {
  return wide(dst, PseudoLd.MAP_VALUE, 0, toImm32(offset, 'map value offset'), map);
}

/** dst = &symbol: a global variable or other data symbol, relocated like clang's `r1 = sym ll`. */
export function ldSymbol(dst: Reg, symbol: string, addend = 0): Instruction {
  return wide(dst, PseudoLd.NONE, toImm32(addend, 'addend'), 0, symbol);
}

/** dst = address of the function at `label` (callbacks for bpf_loop, timers). */
export function ldFunc(dst: Reg, label: string): Instruction {
  return wide(dst, PseudoLd.FUNC, 0, 0, label);
}

/** dst = kernel variable with this BTF id. */
export function ldBtfId(dst: Reg, btfId: number): Instruction {
  return wide(dst, PseudoLd.BTF_ID, toImm32(btfId, 'BTF id'), 0);
}

/** dst = map at index `index` of the fd_array passed at load. */
export function ldMapIdx(dst: Reg, index: number): Instruction {
  return wide(dst, PseudoLd.MAP_IDX, toImm32(index, 'map index'), 0);
}

/** dst = value of the map at `index` of the fd_array, + offset. */
export function ldMapIdxValue(dst: Reg, index: number, offset = 0): Instruction {
  return wide(dst, PseudoLd.MAP_IDX_VALUE, toImm32(index, 'map index'), toImm32(offset, 'map value offset'));
}
