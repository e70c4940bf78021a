// The hand-written differential corpus: programs in raw Instruction form covering the
// reference catalogue's rejection classes and the accepted patterns a naive lint gets wrong.
// No expected verdicts live here: the live kernel labels every case in the test run.
import type { Instruction } from '../../src/asm/instruction.js';
import type { MapInfo } from '../../src/lint/map-info.js';
import {
  ALU, ALU32_IMM, ALU32_REG, ALU64_IMM, ALU64_REG, ATOMIC, CALL_HELPER, CALL_LOCAL, EXIT_INSN, JA, JMP, JMP32_IMM,
  JMP32_REG, JMP_IMM, JMP_REG, LDX_MEM, LD_IMM64_VAL, LD_MAP, MOV32_IMM, MOV32_REG, MOV64_IMM, MOV64_REG, RAW, ST_MEM,
  STX_MEM, SZ,
} from './insn.js';

export interface Case {
  readonly name: string;
  /** the family the case was written for (not a label: the kernel labels it) */
  readonly family: string;
  readonly insns: readonly Instruction[];
  /** program type name: xdp (default), sched_cls, socket_filter, cgroup_skb */
  readonly type?: 'xdp' | 'sched_cls' | 'socket_filter' | 'cgroup_skb';
}

export const CORPUS_MAPS: Readonly<Record<string, MapInfo & { readonly kernelType: number }>> = {
  m: { name: 'm', type: 1, kernelType: 1, keySize: 8, valueSize: 8, maxEntries: 4 },
  arr: { name: 'arr', type: 2, kernelType: 2, keySize: 4, valueSize: 16, maxEntries: 4 },
  rb: { name: 'rb', type: 27, kernelType: 27, keySize: 0, valueSize: 0, maxEntries: 4096 },
  big: { name: 'big', type: 2, kernelType: 2, keySize: 4, valueSize: 64, maxEntries: 1 },
};

const PROG_TYPE_IDS = { xdp: 6, sched_cls: 3, socket_filter: 1, cgroup_skb: 8 } as const;
export const progTypeId = (c: Case): number => PROG_TYPE_IDS[c.type ?? 'xdp'];

const R0_0 = MOV64_IMM(0, 0);
const RET0 = [R0_0, EXIT_INSN()];
/** r2 = data, r3 = data_end */
const PKT = [LDX_MEM(SZ.W, 2, 1, 0), LDX_MEM(SZ.W, 3, 1, 4)];
/** r0 = lookup(map, &key 0) with the key at fp-8 (8 bytes) */
const lookup = (map: string, keySize = 8): Instruction[] => [
  ST_MEM(keySize === 8 ? SZ.DW : SZ.W, 10, -8, 0), LD_MAP(1, map), MOV64_REG(2, 10), ALU64_IMM(ALU.ADD, 2, -8), CALL_HELPER(1),
];

const cases: Case[] = [];
const add = (family: string, name: string, insns: Instruction[], type?: Case['type']): void => {
  cases.push(type === undefined ? { family, name, insns } : { family, name, insns, type });
};

// ---- registers -------------------------------------------------------------------------
add('uninit_reg', 'r0 = r2', [MOV64_REG(0, 2), EXIT_INSN()]);
add('uninit_reg', 'r0 ^= r0 uninit', [ALU64_REG(ALU.XOR, 0, 0), EXIT_INSN()]);
add('uninit_r0', 'exit without r0', [MOV64_REG(2, 1), EXIT_INSN()]);
add('uninit_r0', 'r0 on one path', [LDX_MEM(SZ.W, 2, 1, 12), JMP_IMM(JMP.JEQ, 2, 0, 1), MOV64_IMM(0, 1), EXIT_INSN()]);
add('uninit_r0', 'r0 on both paths', [LDX_MEM(SZ.W, 2, 1, 12), JMP_IMM(JMP.JEQ, 2, 0, 2), MOV64_IMM(0, 1), EXIT_INSN(), MOV64_IMM(0, 2), EXIT_INSN()]);
add('reg_clobbered_by_call', 'r3 after call', [MOV64_REG(3, 1), CALL_HELPER(5), LDX_MEM(SZ.W, 0, 3, 12), EXIT_INSN()]);
add('reg_clobbered_by_call', 'r6 survives call', [MOV64_REG(6, 1), CALL_HELPER(5), LDX_MEM(SZ.W, 0, 6, 12), EXIT_INSN()]);
add('reg_clobbered_by_call', 'r1 after call', [CALL_HELPER(7), MOV64_REG(0, 1), EXIT_INSN()]);
add('uninit_reg', 'missing helper arg', [LD_MAP(1, 'm'), CALL_HELPER(1), R0_0, EXIT_INSN()]);
add('invalid_register', 'mov to r11', [RAW(0xb7, 11, 0, 0, 0), ...RET0]);
add('invalid_register', 'read r12', [RAW(0xbf, 0, 12, 0, 0), EXIT_INSN()]);
add('frame_pointer_write', 'r10 = 0', [MOV64_IMM(10, 0), ...RET0]);
add('frame_pointer_write', 'r10 += -8', [ALU64_IMM(ALU.ADD, 10, -8), ...RET0]);
add('frame_pointer_write', 'load into r10', [LDX_MEM(SZ.W, 10, 1, 0), ...RET0]);

// ---- control flow -------------------------------------------------------------------------
add('unreachable_insn', 'code after exit', [MOV64_IMM(0, 2), EXIT_INSN(), MOV64_IMM(0, 3), EXIT_INSN()]);
add('unreachable_insn', 'goto self', [JA(-1), EXIT_INSN()]);
add('jump_out_of_range', 'goto +5', [R0_0, JA(5), EXIT_INSN()]);
add('jump_out_of_range', 'cond -10', [R0_0, JMP_IMM(JMP.JEQ, 0, 0, -10), EXIT_INSN()]);
add('last_insn_not_exit', 'falls off', [R0_0, ALU64_IMM(ALU.ADD, 0, 1)]);
add('last_insn_not_exit', 'ends in cond jump', [R0_0, EXIT_INSN(), JMP_IMM(JMP.JEQ, 0, 0, -2)]);
add('dead_code', 'uninit read under const false', [MOV64_IMM(1, 0), JMP_IMM(JMP.JEQ, 1, 0, 1), MOV64_REG(0, 5), MOV64_IMM(0, 1), EXIT_INSN()]);
add('dead_code', 'scalar deref under const', [MOV64_IMM(2, 5), JMP_IMM(JMP.JGT, 2, 3, 1), LDX_MEM(SZ.W, 0, 2, 0), MOV64_IMM(0, 1), EXIT_INSN()]);
add('dead_code', 'live deref under unknown', [LDX_MEM(SZ.W, 2, 1, 12), JMP_IMM(JMP.JGT, 2, 3, 1), LDX_MEM(SZ.W, 0, 2, 0), MOV64_IMM(0, 1), EXIT_INSN()]);
add('dead_code', 'jmp32 const', [MOV64_IMM(1, -1), JMP32_IMM(JMP.JEQ, 1, -1, 1), MOV64_REG(0, 7), MOV64_IMM(0, 1), EXIT_INSN()]);
add('dead_code', 'range decides', [LDX_MEM(SZ.W, 2, 1, 12), ALU64_IMM(ALU.AND, 2, 7), JMP_IMM(JMP.JGT, 2, 7, 1), MOV64_IMM(0, 1), EXIT_INSN()]);
add('dead_code', 'range decides wrong side', [LDX_MEM(SZ.W, 2, 1, 12), ALU64_IMM(ALU.AND, 2, 7), JMP_IMM(JMP.JGT, 2, 6, 2), MOV64_IMM(0, 1), EXIT_INSN(), MOV64_REG(0, 5), EXIT_INSN()]);
add('dead_code', 'jset decides', [LDX_MEM(SZ.W, 2, 1, 12), ALU64_IMM(ALU.OR, 2, 4), JMP_IMM(JMP.JSET, 2, 4, 1), MOV64_REG(0, 5), MOV64_IMM(0, 1), EXIT_INSN()]);

// ---- loops ---------------------------------------------------------------------------------
add('bounded_loop', 'count up 10', [MOV64_IMM(1, 0), ALU64_IMM(ALU.ADD, 1, 1), JMP_IMM(JMP.JLT, 1, 10, -2), ...RET0]);
add('bounded_loop', 'count down', [MOV64_IMM(1, 100), ALU64_IMM(ALU.SUB, 1, 1), JMP_IMM(JMP.JNE, 1, 0, -2), ...RET0]);
add('bounded_loop', 'jmp32', [MOV32_IMM(1, 0), ALU32_IMM(ALU.ADD, 1, 1), JMP32_IMM(JMP.JLT, 1, 50, -2), ...RET0]);
add('bounded_loop', '1000 iterations', [MOV64_IMM(1, 0), MOV64_IMM(0, 0), ALU64_REG(ALU.ADD, 0, 1), ALU64_IMM(ALU.ADD, 1, 1), JMP_IMM(JMP.JLT, 1, 1000, -3), EXIT_INSN()]);
add('bounded_loop', 'nested', [MOV64_IMM(1, 0), MOV64_IMM(2, 0), ALU64_IMM(ALU.ADD, 2, 1), JMP_IMM(JMP.JLT, 2, 5, -2), ALU64_IMM(ALU.ADD, 1, 1), JMP_IMM(JMP.JLT, 1, 5, -5), ...RET0]);
add('bounded_loop', 'unknown start masked', [LDX_MEM(SZ.W, 1, 1, 12), ALU64_IMM(ALU.AND, 1, 15), ALU64_IMM(ALU.ADD, 1, 1), JMP_IMM(JMP.JLT, 1, 20, -2), ...RET0]);
add('bounded_loop', 'bound from ctx masked', [LDX_MEM(SZ.W, 3, 1, 16), ALU64_IMM(ALU.AND, 3, 31), MOV64_IMM(1, 0), ALU64_IMM(ALU.ADD, 1, 1), JMP_REG(JMP.JLT, 1, 3, -2), ...RET0]);
add('infinite_loop', 'cond loop same state', [R0_0, MOV64_REG(2, 0), JMP_IMM(JMP.JEQ, 0, 0, -2), EXIT_INSN()]);
add('infinite_loop', 'loop without progress', [MOV64_IMM(1, 5), MOV64_IMM(0, 0), JMP_IMM(JMP.JNE, 1, 0, -2), EXIT_INSN()]);
add('too_many_insns', 'loop 600000', [MOV64_IMM(1, 0), ALU64_IMM(ALU.ADD, 1, 1), JMP_IMM(JMP.JLT, 1, 600000, -2), ...RET0]);
add('infinite_loop', 'unknown bound unmasked', [LDX_MEM(SZ.W, 3, 1, 16), MOV64_IMM(1, 0), ALU64_IMM(ALU.ADD, 1, 1), JMP_REG(JMP.JLT, 1, 3, -2), ...RET0]);

// ---- stack --------------------------------------------------------------------------------
add('stack_oob', 'write fp+8', [STX_MEM(SZ.DW, 10, 1, 8), ...RET0]);
add('stack_oob', 'write fp-520', [STX_MEM(SZ.DW, 10, 1, -520), ...RET0]);
add('stack_oob', 'write fp-512 ok', [STX_MEM(SZ.DW, 10, 1, -512), ...RET0]);
add('stack_oob', 'write fp-4 size 8', [ST_MEM(SZ.W, 10, -4, 1), ST_MEM(SZ.DW, 10, -4, 1), ...RET0]);
add('stack_misaligned', 'u64 at fp-12', [STX_MEM(SZ.DW, 10, 1, -12), ...RET0]);
add('stack_misaligned', 'u32 at fp-6', [ST_MEM(SZ.W, 10, -6, 0), ...RET0]);
add('stack_misaligned', 'u16 at fp-2 ok', [ST_MEM(SZ.H, 10, -2, 0), ...RET0]);
add('stack_partial_ptr_fill', 'u32 fill of pointer', [STX_MEM(SZ.DW, 10, 1, -8), LDX_MEM(SZ.W, 1, 10, -8), ...RET0]);
add('stack_partial_ptr_fill', 'u64 fill of pointer ok', [STX_MEM(SZ.DW, 10, 1, -8), LDX_MEM(SZ.DW, 1, 10, -8), LDX_MEM(SZ.W, 0, 1, 12), EXIT_INSN()]);
add('stack_partial_spill', 'u32 spill of pointer', [STX_MEM(SZ.W, 10, 1, -8), ...RET0]);
add('stack_uninit', 'uninit stack read (priv ok)', [LDX_MEM(SZ.DW, 0, 10, -8), EXIT_INSN()]);
add('stack_uninit', 'uninit stack to helper', [MOV64_REG(2, 10), ALU64_IMM(ALU.ADD, 2, -8), LD_MAP(1, 'm'), CALL_HELPER(1), ...RET0]);
add('stack_var_off', 'fp + unbounded', [CALL_HELPER(7), MOV64_REG(2, 10), ALU64_REG(ALU.ADD, 2, 0), ...RET0]);
add('stack_var_off', 'fp + bounded read', [CALL_HELPER(7), ALU64_IMM(ALU.AND, 0, 7), MOV64_REG(2, 10), ALU64_IMM(ALU.ADD, 2, -16), ALU64_REG(ALU.ADD, 2, 0), LDX_MEM(SZ.B, 0, 2, 0), ...RET0]);
add('stack_spill', 'spill scalar and fill', [MOV64_IMM(1, 42), STX_MEM(SZ.DW, 10, 1, -8), LDX_MEM(SZ.DW, 0, 10, -8), EXIT_INSN()]);
add('stack_spill', 'spilled const bounds pkt', [...PKT, MOV64_IMM(4, 8), STX_MEM(SZ.DW, 10, 4, -8), LDX_MEM(SZ.DW, 4, 10, -8), MOV64_REG(5, 2), ALU64_REG(ALU.ADD, 5, 4), JMP_REG(JMP.JGT, 5, 3, 1), LDX_MEM(SZ.B, 0, 2, 7), ...RET0]);
add('stack_spill', 'spill pkt pointer and use', [...PKT, STX_MEM(SZ.DW, 10, 2, -16), MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 4), JMP_REG(JMP.JGT, 4, 3, 2), LDX_MEM(SZ.DW, 5, 10, -16), LDX_MEM(SZ.W, 0, 5, 0), ...RET0]);

// ---- packet access --------------------------------------------------------------------------
// 8 comparison shapes: [op, pkt is dst?, access on taken branch?]
const SHAPES: Array<[string, number, boolean, boolean]> = [
  ['pkt > end', JMP.JGT, true, false], ['end < pkt', JMP.JLT, false, false],
  ['pkt >= end', JMP.JGE, true, false], ['end <= pkt', JMP.JLE, false, false],
  ['pkt < end', JMP.JLT, true, true], ['end > pkt', JMP.JGT, false, true],
  ['pkt <= end', JMP.JLE, true, true], ['end >= pkt', JMP.JGE, false, true],
];
for (const [label, op, pktDst, safeTaken] of SHAPES) {
  for (const k of [0, 7, 8]) {
    for (const accessTaken of [false, true]) {
      const cmp = pktDst ? JMP_REG(op, 4, 3, 0) : JMP_REG(op, 3, 4, 0);
      const access = LDX_MEM(SZ.B, 0, 2, k);
      const body: Instruction[] = accessTaken
        ? [{ ...cmp, off: 2 }, MOV64_IMM(0, 1), EXIT_INSN(), access, MOV64_IMM(0, 2), EXIT_INSN()]
        : [{ ...cmp, off: 2 }, access, MOV64_IMM(0, 2), EXIT_INSN(), MOV64_IMM(0, 1), EXIT_INSN()];
      add('pkt_shapes', `${label} byte ${k} on ${accessTaken ? 'taken' : 'fall-through'}${accessTaken === safeTaken ? '' : ' (wrong side)'}`,
        [...PKT, MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 8), ...body]);
    }
  }
}
add('pkt_oob', 'no check', [...PKT, LDX_MEM(SZ.B, 0, 2, 0), EXIT_INSN()]);
add('pkt_oob', 'signed compare', [...PKT, MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 8), JMP_REG(JMP.JSGT, 4, 3, 1), LDX_MEM(SZ.B, 0, 2, 0), ...RET0]);
add('pkt_oob', 'jmp32 compare', [...PKT, MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 8), JMP32_REG(JMP.JGT, 4, 3, 1), LDX_MEM(SZ.B, 0, 2, 0), ...RET0]);
add('pkt_ok', 'via copy', [...PKT, MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 14), JMP_REG(JMP.JGT, 4, 3, 2), MOV64_REG(5, 2), LDX_MEM(SZ.H, 0, 5, 12), ...RET0]);
add('pkt_ok', 'after fixed advance', [...PKT, ALU64_IMM(ALU.ADD, 2, 14), MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 20), JMP_REG(JMP.JGT, 4, 3, 1), LDX_MEM(SZ.W, 0, 2, 16), ...RET0]);
add('pkt_ok', 'u64 load at 0 needs 8', [...PKT, MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 8), JMP_REG(JMP.JGT, 4, 3, 1), LDX_MEM(SZ.DW, 0, 2, 0), ...RET0]);
add('pkt_oob', 'u64 load at 1 needs 9', [...PKT, MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 8), JMP_REG(JMP.JGT, 4, 3, 1), LDX_MEM(SZ.DW, 0, 2, 1), ...RET0]);
add('pkt_oob', 'negative offset', [...PKT, MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 8), JMP_REG(JMP.JGT, 4, 3, 1), LDX_MEM(SZ.B, 0, 2, -1), ...RET0]);
add('pkt_ok', 'write after check', [...PKT, MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 8), JMP_REG(JMP.JGT, 4, 3, 1), ST_MEM(SZ.W, 2, 4, 7), ...RET0]);
add('pkt_ok', 'variable index bounded', [...PKT, LDX_MEM(SZ.W, 5, 1, 16), ALU64_IMM(ALU.AND, 5, 15), ALU64_REG(ALU.ADD, 2, 5), MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 4), JMP_REG(JMP.JGT, 4, 3, 1), LDX_MEM(SZ.W, 0, 2, 0), ...RET0]);
add('pkt_ptr_unbounded_math', 'pkt + unbounded', [...PKT, LDX_MEM(SZ.W, 5, 1, 16), ALU64_REG(ALU.ADD, 2, 5), ...RET0]);
add('pkt_ptr_unbounded_math', 'pkt + u64 from packet', [...PKT, MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 8), JMP_REG(JMP.JGT, 4, 3, 3), LDX_MEM(SZ.DW, 5, 2, 0), ALU64_REG(ALU.ADD, 2, 5), LDX_MEM(SZ.B, 0, 2, 0), ...RET0]);
add('pkt_loop', 'variable index loop', [...PKT, MOV64_IMM(0, 0), MOV64_IMM(5, 0),
  MOV64_REG(6, 2), ALU64_REG(ALU.ADD, 6, 5), MOV64_REG(7, 6), ALU64_IMM(ALU.ADD, 7, 1), JMP_REG(JMP.JGT, 7, 3, 4),
  LDX_MEM(SZ.B, 8, 6, 0), ALU64_REG(ALU.ADD, 0, 8), ALU64_IMM(ALU.ADD, 5, 1), JMP_IMM(JMP.JLT, 5, 16, -9), EXIT_INSN()]);
add('pkt_end_arith', 'data_end += 8', [...PKT, ALU64_IMM(ALU.ADD, 3, 8), ...RET0]);
add('invalid_mem_access_pkt_end', 'deref data_end', [...PKT, LDX_MEM(SZ.B, 0, 3, 0), EXIT_INSN()]);
add('pkt_meta', 'meta checked against data', [LDX_MEM(SZ.W, 2, 1, 8), LDX_MEM(SZ.W, 3, 1, 0), MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 4), JMP_REG(JMP.JGT, 4, 3, 1), LDX_MEM(SZ.W, 0, 2, 0), ...RET0]);
add('pkt_meta', 'meta unchecked', [LDX_MEM(SZ.W, 2, 1, 8), LDX_MEM(SZ.W, 0, 2, 0), ...RET0]);
add('pkt_ptr_invalidated', 'stale after adjust_head', [MOV64_REG(6, 1), ...PKT, MOV64_REG(7, 2), MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 8), JMP_REG(JMP.JGT, 4, 3, 5), MOV64_REG(1, 6), MOV64_IMM(2, 4), CALL_HELPER(44), LDX_MEM(SZ.B, 0, 7, 0), EXIT_INSN(), ...RET0]);
add('pkt_ptr_invalidated', 'reload after adjust_head', [MOV64_REG(6, 1), MOV64_IMM(2, 4), CALL_HELPER(44), LDX_MEM(SZ.W, 2, 6, 0), LDX_MEM(SZ.W, 3, 6, 4), MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 8), JMP_REG(JMP.JGT, 4, 3, 1), LDX_MEM(SZ.B, 0, 2, 0), ...RET0]);
add('pkt_ptr_invalidated', 'reload after adjust_meta', [MOV64_REG(6, 1), MOV64_IMM(2, -4), CALL_HELPER(54), LDX_MEM(SZ.W, 2, 6, 8), LDX_MEM(SZ.W, 3, 6, 0), MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 4), JMP_REG(JMP.JGT, 4, 3, 1), LDX_MEM(SZ.W, 0, 2, 0), ...RET0]);
add('pkt_oob', 'check then advance past', [...PKT, MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 8), JMP_REG(JMP.JGT, 4, 3, 2), ALU64_IMM(ALU.ADD, 2, 8), LDX_MEM(SZ.B, 0, 2, 0), ...RET0]);

// ---- ctx access ---------------------------------------------------------------------------------
for (const off of [0, 4, 8, 12, 16, 20, 24]) {
  for (const [sz, bytes] of [[SZ.B, 1], [SZ.H, 2], [SZ.W, 4], [SZ.DW, 8]] as const) {
    if (off === 24 && bytes !== 4) continue;
    add('ctx_access', `xdp_md load u${bytes * 8} at ${off}`, [LDX_MEM(sz, 0, 1, off), ...RET0]);
  }
}
add('ctx_access', 'xdp store ctx', [ST_MEM(SZ.W, 1, 12, 0), ...RET0]);
add('ctx_access', 'xdp stx ctx', [MOV64_IMM(2, 0), STX_MEM(SZ.W, 1, 2, 16), ...RET0]);
add('ctx_access', 'xdp negative', [LDX_MEM(SZ.W, 0, 1, -4), ...RET0]);
add('ctx_modified_ptr', 'r1 += 12 then load', [ALU64_IMM(ALU.ADD, 1, 12), LDX_MEM(SZ.W, 0, 1, 0), EXIT_INSN()]);
add('ctx_modified_ptr', 'ctx to helper modified', [ALU64_IMM(ALU.ADD, 1, 4), MOV64_IMM(2, 0), CALL_HELPER(44), ...RET0]);
add('atomic_on_ctx_or_pkt', 'atomic add on ctx', [MOV64_IMM(2, 1), ATOMIC(SZ.W, 1, 2, 12, 0), ...RET0]);
add('atomic', 'atomic add on stack', [ST_MEM(SZ.DW, 10, -8, 0), MOV64_IMM(2, 1), ATOMIC(SZ.DW, 10, 2, -8, 0), ...RET0]);
add('atomic', 'atomic fetch add on stack', [ST_MEM(SZ.DW, 10, -8, 0), MOV64_IMM(2, 1), ATOMIC(SZ.DW, 10, 2, -8, 1), MOV64_REG(0, 2), EXIT_INSN()]);
for (const [off, sz, bytes] of [[0, SZ.W, 4], [8, SZ.W, 4], [8, SZ.B, 1], [48, SZ.W, 4], [76, SZ.W, 4], [80, SZ.W, 4], [152, SZ.DW, 8], [2, SZ.H, 2], [168, SZ.DW, 8], [192, SZ.W, 4], [88, SZ.W, 4], [144, SZ.DW, 8]] as const) {
  add('ctx_access_skb', `tc __sk_buff u${bytes * 8} at ${off}`, [LDX_MEM(sz, 0, 1, off), ...RET0], 'sched_cls');
  add('ctx_access_skb', `socket __sk_buff u${bytes * 8} at ${off}`, [LDX_MEM(sz, 0, 1, off), ...RET0], 'socket_filter');
}
for (const off of [0, 8, 32, 48, 72]) {
  add('ctx_write_skb', `tc write u32 at ${off}`, [ST_MEM(SZ.W, 1, off, 0), ...RET0], 'sched_cls');
  add('ctx_write_skb', `tc stx u32 at ${off}`, [MOV64_IMM(2, 1), STX_MEM(SZ.W, 1, 2, off), ...RET0], 'sched_cls');
}
add('pkt_ok', 'tc packet access', [LDX_MEM(SZ.W, 2, 1, 76), LDX_MEM(SZ.W, 3, 1, 80), MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 14), JMP_REG(JMP.JGT, 4, 3, 1), LDX_MEM(SZ.H, 0, 2, 12), ...RET0], 'sched_cls');
add('ctx_access_skb', 'socket filter data', [LDX_MEM(SZ.W, 2, 1, 76), ...RET0], 'socket_filter');

// ---- maps ---------------------------------------------------------------------------------
add('map_value_or_null', 'no null check', [...lookup('m'), LDX_MEM(SZ.DW, 0, 0, 0), EXIT_INSN()]);
add('map_ok', 'null checked', [...lookup('m'), JMP_IMM(JMP.JEQ, 0, 0, 1), LDX_MEM(SZ.DW, 0, 0, 0), ...RET0]);
add('map_ok', 'null checked jne', [...lookup('m'), JMP_IMM(JMP.JNE, 0, 0, 2), MOV64_IMM(0, 1), EXIT_INSN(), LDX_MEM(SZ.DW, 0, 0, 0), ...RET0]);
add('map_ok', 'null check on copy', [...lookup('m'), MOV64_REG(6, 0), JMP_IMM(JMP.JEQ, 6, 0, 1), LDX_MEM(SZ.DW, 0, 0, 0), ...RET0]);
add('map_value_or_null', 'null branch deref', [...lookup('m'), JMP_IMM(JMP.JNE, 0, 0, 1), LDX_MEM(SZ.DW, 0, 0, 0), ...RET0]);
add('map_value_oob', 'off 8 of 8', [...lookup('m'), JMP_IMM(JMP.JEQ, 0, 0, 1), LDX_MEM(SZ.DW, 0, 0, 8), ...RET0]);
add('map_value_oob', 'off 4 u64 of 8', [...lookup('m'), JMP_IMM(JMP.JEQ, 0, 0, 1), LDX_MEM(SZ.DW, 0, 0, 4), ...RET0]);
add('map_value_oob', 'negative off', [...lookup('m'), JMP_IMM(JMP.JEQ, 0, 0, 1), LDX_MEM(SZ.B, 0, 0, -1), ...RET0]);
add('map_ok', 'array u32 key 16-byte value', [...lookup('arr', 4), JMP_IMM(JMP.JEQ, 0, 0, 1), LDX_MEM(SZ.DW, 0, 0, 8), ...RET0]);
add('map_value_oob', 'array value off 12 u64', [...lookup('arr', 4), JMP_IMM(JMP.JEQ, 0, 0, 1), LDX_MEM(SZ.DW, 0, 0, 12), ...RET0]);
add('map_value_var', 'var index bounded', [...lookup('big', 4), JMP_IMM(JMP.JEQ, 0, 0, 5), CALL_HELPER(7), ALU64_IMM(ALU.AND, 0, 7), MOV64_REG(1, 0), ALU64_IMM(ALU.LSH, 1, 3), MOV64_IMM(0, 0), ...RET0]);
add('map_value_var', 'var index into value', [...lookup('big', 4), JMP_IMM(JMP.JEQ, 0, 0, 6), MOV64_REG(6, 0), CALL_HELPER(7), ALU64_IMM(ALU.AND, 0, 7), ALU64_IMM(ALU.LSH, 0, 3), ALU64_REG(ALU.ADD, 6, 0), LDX_MEM(SZ.DW, 0, 6, 0), ...RET0]);
add('map_value_var', 'var index one too many', [...lookup('big', 4), JMP_IMM(JMP.JEQ, 0, 0, 6), MOV64_REG(6, 0), CALL_HELPER(7), ALU64_IMM(ALU.AND, 0, 15), ALU64_IMM(ALU.LSH, 0, 3), ALU64_REG(ALU.ADD, 6, 0), LDX_MEM(SZ.DW, 0, 6, 0), ...RET0]);
add('map_value_var', 'var index unbounded', [...lookup('big', 4), JMP_IMM(JMP.JEQ, 0, 0, 5), MOV64_REG(6, 0), CALL_HELPER(7), ALU64_REG(ALU.ADD, 6, 0), LDX_MEM(SZ.DW, 0, 6, 0), ...RET0]);
add('map_value_var', 'var index checked by compare', [...lookup('big', 4), JMP_IMM(JMP.JEQ, 0, 0, 7), MOV64_REG(6, 0), CALL_HELPER(7), JMP_IMM(JMP.JGT, 0, 56, 4), ALU64_REG(ALU.ADD, 6, 0), LDX_MEM(SZ.DW, 0, 6, 0), EXIT_INSN(), EXIT_INSN(), ...RET0]);
add('map_value_var', 'var index signed check only', [...lookup('big', 4), JMP_IMM(JMP.JEQ, 0, 0, 6), MOV64_REG(6, 0), CALL_HELPER(7), JMP_IMM(JMP.JSGT, 0, 56, 3), ALU64_REG(ALU.ADD, 6, 0), LDX_MEM(SZ.DW, 0, 6, 0), EXIT_INSN(), ...RET0]);
add('map_ok', 'update with stack value', [ST_MEM(SZ.DW, 10, -8, 0), ST_MEM(SZ.DW, 10, -16, 7), LD_MAP(1, 'm'), MOV64_REG(2, 10), ALU64_IMM(ALU.ADD, 2, -8), MOV64_REG(3, 10), ALU64_IMM(ALU.ADD, 3, -16), MOV64_IMM(4, 0), CALL_HELPER(2), ...RET0]);
add('map_ok', 'value passed back to update', [...lookup('m'), JMP_IMM(JMP.JEQ, 0, 0, 6), MOV64_REG(3, 0), LD_MAP(1, 'm'), MOV64_REG(2, 10), ALU64_IMM(ALU.ADD, 2, -8), MOV64_IMM(4, 0), CALL_HELPER(2), ...RET0]);
add('map_value_or_null', 'or_null passed to update', [...lookup('m'), MOV64_REG(3, 0), LD_MAP(1, 'm'), MOV64_REG(2, 10), ALU64_IMM(ALU.ADD, 2, -8), MOV64_IMM(4, 0), CALL_HELPER(2), ...RET0]);
add('map_ok', 'write into value', [...lookup('m'), JMP_IMM(JMP.JEQ, 0, 0, 2), MOV64_IMM(1, 5), STX_MEM(SZ.DW, 0, 1, 0), ...RET0]);
add('map_ok', 'atomic into value', [...lookup('m'), JMP_IMM(JMP.JEQ, 0, 0, 2), MOV64_IMM(1, 1), ATOMIC(SZ.DW, 0, 1, 0, 0), ...RET0]);
add('map_value_or_null', 'arith on or_null', [...lookup('m'), ALU64_IMM(ALU.ADD, 0, 4), ...RET0]);
add('helper_arg_type', 'key scalar', [LD_MAP(1, 'm'), MOV64_IMM(2, 0), CALL_HELPER(1), ...RET0]);
add('helper_arg_type', 'map scalar', [MOV64_IMM(1, 0), MOV64_IMM(2, 0), CALL_HELPER(1), ...RET0]);
add('helper_arg_type', 'key ctx', [LD_MAP(1, 'm'), MOV64_REG(2, 1), CALL_HELPER(1), ...RET0]);
add('helper_mem_oob', 'key at fp-4 of 8', [ST_MEM(SZ.W, 10, -4, 0), LD_MAP(1, 'm'), MOV64_REG(2, 10), ALU64_IMM(ALU.ADD, 2, -4), CALL_HELPER(1), ...RET0]);
add('helper_mem', 'key from packet', [...PKT, MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 8), JMP_REG(JMP.JGT, 4, 3, 3), LD_MAP(1, 'm'), CALL_HELPER(1), ...RET0]);
add('helper_mem', 'key from short packet', [...PKT, MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 4), JMP_REG(JMP.JGT, 4, 3, 3), LD_MAP(1, 'm'), CALL_HELPER(1), ...RET0]);
add('bad_map_fd', 'fd 0', [RAW(0x18, 1, 1, 0, 0), RAW(0, 0, 0, 0, 0), ...RET0]);

// ---- helpers -------------------------------------------------------------------------------
add('helper_invalid_id', 'call 999', [CALL_HELPER(999), ...RET0]);
add('helper_invalid_id', 'call 212', [CALL_HELPER(212), ...RET0]);
add('helper_invalid_id', 'call -1', [CALL_HELPER(-1), ...RET0]);
add('helper_not_allowed', 'skb_load_bytes in xdp', [CALL_HELPER(26), ...RET0]);
add('helper_not_allowed', 'get_current_pid_tgid in xdp', [CALL_HELPER(14), ...RET0]);
add('helper_not_allowed', 'skb_store_bytes in socket', [CALL_HELPER(9), ...RET0], 'socket_filter');
add('helper_ok', 'ktime', [CALL_HELPER(5), EXIT_INSN()]);
add('helper_ok', 'prandom', [CALL_HELPER(7), EXIT_INSN()]);
add('helper_ok', 'trace_printk', [ST_MEM(SZ.DW, 10, -8, 0x41), MOV64_REG(1, 10), ALU64_IMM(ALU.ADD, 1, -8), MOV64_IMM(2, 8), CALL_HELPER(6), ...RET0]);
add('helper_mem_oob', 'trace_printk size 16 at fp-8', [MOV64_REG(1, 10), ALU64_IMM(ALU.ADD, 1, -8), MOV64_IMM(2, 16), CALL_HELPER(6), ...RET0]);
add('helper_arg_size', 'trace_printk size 0', [MOV64_REG(1, 10), ALU64_IMM(ALU.ADD, 1, -8), MOV64_IMM(2, 0), CALL_HELPER(6), ...RET0]);
add('helper_unbounded_size', 'csum_diff random size', [CALL_HELPER(7), MOV64_REG(2, 0), MOV64_REG(1, 10), ALU64_IMM(ALU.ADD, 1, -8), MOV64_IMM(3, 0), MOV64_IMM(4, 0), MOV64_IMM(5, 0), CALL_HELPER(28), ...RET0]);
add('helper_ok', 'csum_diff null/0', [MOV64_IMM(1, 0), MOV64_IMM(2, 0), MOV64_IMM(3, 0), MOV64_IMM(4, 0), MOV64_IMM(5, 0), CALL_HELPER(28), ...RET0]);
add('helper_arg_size', 'xdp_load_bytes size 0', [MOV64_IMM(2, 0), MOV64_REG(3, 10), ALU64_IMM(ALU.ADD, 3, -8), MOV64_IMM(4, 0), CALL_HELPER(189), ...RET0]);
add('helper_ok', 'xdp_load_bytes 8', [MOV64_IMM(2, 0), MOV64_REG(3, 10), ALU64_IMM(ALU.ADD, 3, -8), MOV64_IMM(4, 8), CALL_HELPER(189), LDX_MEM(SZ.DW, 0, 10, -8), ...RET0]);
add('helper_arg_type', 'adjust_head scalar ctx', [MOV64_IMM(1, 0), MOV64_IMM(2, 0), CALL_HELPER(44), ...RET0]);
add('helper_ok', 'redirect', [MOV64_IMM(1, 1), MOV64_IMM(2, 0), CALL_HELPER(23), EXIT_INSN()]);
add('helper_ok', 'skb_load_bytes in tc', [MOV64_IMM(2, 0), MOV64_REG(3, 10), ALU64_IMM(ALU.ADD, 3, -8), MOV64_IMM(4, 8), CALL_HELPER(26), ...RET0], 'sched_cls');
add('map_func_mismatch', 'ringbuf_reserve on hash', [LD_MAP(1, 'm'), MOV64_IMM(2, 8), MOV64_IMM(3, 0), CALL_HELPER(131), ...RET0]);
add('map_func_mismatch', 'lookup on ringbuf', [ST_MEM(SZ.DW, 10, -8, 0), LD_MAP(1, 'rb'), MOV64_REG(2, 10), ALU64_IMM(ALU.ADD, 2, -8), CALL_HELPER(1), ...RET0]);

// ---- references -----------------------------------------------------------------------------
const tuple = [ST_MEM(SZ.DW, 10, -8, 0), ST_MEM(SZ.DW, 10, -16, 0), ST_MEM(SZ.DW, 10, -24, 0), ST_MEM(SZ.DW, 10, -32, 0), ST_MEM(SZ.DW, 10, -40, 0)];
const skLookup = [...tuple, MOV64_REG(2, 10), ALU64_IMM(ALU.ADD, 2, -40), MOV64_IMM(3, 36), MOV64_IMM(4, -1), MOV64_IMM(5, 0), CALL_HELPER(84)];
add('ref_leak', 'sk_lookup without release', [...skLookup, ...RET0]);
add('ref_ok', 'sk_lookup released', [...skLookup, JMP_IMM(JMP.JEQ, 0, 0, 2), MOV64_REG(1, 0), CALL_HELPER(86), ...RET0]);
add('ref_null_release', 'release without null check', [...skLookup, MOV64_REG(1, 0), CALL_HELPER(86), ...RET0]);
add('ref_double_release', 'double release', [...skLookup, JMP_IMM(JMP.JEQ, 0, 0, 4), MOV64_REG(6, 0), MOV64_REG(1, 0), CALL_HELPER(86), MOV64_REG(1, 6), CALL_HELPER(86), ...RET0]);
add('ref_leak', 'release on one path', [...skLookup, JMP_IMM(JMP.JEQ, 0, 0, 5), MOV64_REG(6, 0), LDX_MEM(SZ.W, 1, 6, 4), JMP_IMM(JMP.JEQ, 1, 0, 2), MOV64_REG(1, 6), CALL_HELPER(86), ...RET0]);
add('ref_ok', 'sk read field then release', [...skLookup, JMP_IMM(JMP.JEQ, 0, 0, 4), MOV64_REG(1, 0), LDX_MEM(SZ.W, 6, 1, 4), CALL_HELPER(86), MOV64_REG(0, 6), EXIT_INSN(), ...RET0]);
add('ref_ok', 'ringbuf reserve submit', [LD_MAP(1, 'rb'), MOV64_IMM(2, 8), MOV64_IMM(3, 0), CALL_HELPER(131), JMP_IMM(JMP.JEQ, 0, 0, 4), ST_MEM(SZ.DW, 0, 0, 1), MOV64_REG(1, 0), MOV64_IMM(2, 0), CALL_HELPER(132), ...RET0]);
add('ref_ok', 'ringbuf reserve discard', [LD_MAP(1, 'rb'), MOV64_IMM(2, 8), MOV64_IMM(3, 0), CALL_HELPER(131), JMP_IMM(JMP.JEQ, 0, 0, 3), MOV64_REG(1, 0), MOV64_IMM(2, 0), CALL_HELPER(133), ...RET0]);
add('ref_leak', 'ringbuf leak', [LD_MAP(1, 'rb'), MOV64_IMM(2, 8), MOV64_IMM(3, 0), CALL_HELPER(131), ...RET0]);
add('ringbuf_oob', 'ringbuf write past size', [LD_MAP(1, 'rb'), MOV64_IMM(2, 8), MOV64_IMM(3, 0), CALL_HELPER(131), JMP_IMM(JMP.JEQ, 0, 0, 4), ST_MEM(SZ.DW, 0, 4, 1), MOV64_REG(1, 0), MOV64_IMM(2, 0), CALL_HELPER(132), ...RET0]);
add('ref_null_release', 'ringbuf submit unchecked', [LD_MAP(1, 'rb'), MOV64_IMM(2, 8), MOV64_IMM(3, 0), CALL_HELPER(131), MOV64_REG(1, 0), MOV64_IMM(2, 0), CALL_HELPER(132), ...RET0]);

// ---- arithmetic -----------------------------------------------------------------------------
add('div_by_zero_imm', 'div imm 0', [MOV64_IMM(0, 1), ALU64_IMM(ALU.DIV, 0, 0), EXIT_INSN()]);
add('div_by_zero_imm', 'mod32 imm 0', [MOV64_IMM(0, 1), ALU32_IMM(ALU.MOD, 0, 0), EXIT_INSN()]);
add('div_by_zero_reg', 'div reg 0 ok', [MOV64_IMM(0, 1), MOV64_IMM(1, 0), ALU64_REG(ALU.DIV, 0, 1), EXIT_INSN()]);
add('div_by_zero_reg', 'mod reg 0 ok', [MOV64_IMM(0, 1), MOV64_IMM(1, 0), ALU64_REG(ALU.MOD, 0, 1), EXIT_INSN()]);
add('div_by_zero_reg', 'div32 reg 0 ok', [MOV64_IMM(0, 1), MOV64_IMM(1, 0), ALU32_REG(ALU.DIV, 0, 1), EXIT_INSN()]);
add('invalid_shift', 'lsh 64', [MOV64_IMM(0, 1), ALU64_IMM(ALU.LSH, 0, 64), EXIT_INSN()]);
add('invalid_shift', 'w lsh 32', [MOV64_IMM(0, 1), ALU32_IMM(ALU.LSH, 0, 32), EXIT_INSN()]);
add('invalid_shift', 'rsh 63 ok', [MOV64_IMM(0, 1), ALU64_IMM(ALU.RSH, 0, 63), EXIT_INSN()]);
add('invalid_shift', 'arsh -1', [MOV64_IMM(0, 1), ALU64_IMM(ALU.ARSH, 0, -1), EXIT_INSN()]);
add('invalid_shift', 'shift by reg 70 ok', [MOV64_IMM(0, 1), MOV64_IMM(1, 70), ALU64_REG(ALU.LSH, 0, 1), EXIT_INSN()]);
add('pointer_arith', 'fp -= 8', [MOV64_REG(1, 10), ALU64_IMM(ALU.SUB, 1, 8), ...RET0]);
add('pointer_arith', 'fp += -8 ok', [MOV64_REG(1, 10), ALU64_IMM(ALU.ADD, 1, -8), ...RET0]);
add('pointer_arith', 'ptr &= mask', [MOV64_REG(1, 10), ALU64_IMM(ALU.AND, 1, -8), ...RET0]);
add('pointer_arith', 'ptr *= 2', [MOV64_REG(1, 10), ALU64_IMM(ALU.MUL, 1, 2), ...RET0]);
add('pointer_arith', 'w1 += 4 on ptr', [ALU32_IMM(ALU.ADD, 1, 4), ...RET0]);
add('pointer_arith', 'w1 -= 4 on ptr ok', [ALU32_IMM(ALU.SUB, 1, 4), ...RET0]);
add('pointer_arith', 'w0 = w1 ok', [MOV32_REG(0, 1), EXIT_INSN()]);
add('pointer_arith', 'ptr += ptr', [MOV64_REG(2, 10), ALU64_REG(ALU.ADD, 2, 1), ...RET0]);
add('pointer_arith', 'ptr -= ptr ok', [MOV64_REG(2, 10), MOV64_REG(3, 10), ALU64_REG(ALU.SUB, 2, 3), MOV64_REG(0, 2), EXIT_INSN()]);
add('pointer_arith', 'return pointer ok', [MOV64_REG(0, 1), EXIT_INSN()]);
add('pointer_arith', 'compare pointer with 0 ok', [JMP_IMM(JMP.JEQ, 1, 0, 1), MOV64_IMM(0, 1), EXIT_INSN()]);
add('pointer_arith', 'neg on pointer ok', [MOV64_REG(0, 1), ALU64_IMM(ALU.NEG, 0, 0), EXIT_INSN()]);
add('pointer_arith', 'map_ptr += 8', [LD_MAP(1, 'm'), ALU64_IMM(ALU.ADD, 1, 8), ...RET0]);
add('alu_ok', 'bswap and friends', [MOV64_IMM(0, 0x1234), RAW(0xdc, 0, 0, 0, 16), RAW(0xd4, 0, 0, 0, 32), ALU64_IMM(ALU.ARSH, 0, 3), ALU64_IMM(ALU.NEG, 0, 0), EXIT_INSN()]);
add('alu_ok', 'mul/div/mod imm', [LDX_MEM(SZ.W, 0, 1, 12), ALU64_IMM(ALU.MUL, 0, 3), ALU64_IMM(ALU.DIV, 0, 7), ALU32_IMM(ALU.MOD, 0, 5), EXIT_INSN()]);
add('ld_imm64', '64-bit constant', [LD_IMM64_VAL(0, 0x1234567890n), EXIT_INSN()]);
add('ld_imm64', 'jump over ld_imm64', [LDX_MEM(SZ.W, 2, 1, 12), JMP_IMM(JMP.JEQ, 2, 0, 2), LD_IMM64_VAL(0, 0x100000000n), EXIT_INSN(), ...RET0]);
add('jump_into_ld_imm64', 'jump into middle', [LDX_MEM(SZ.W, 2, 1, 12), JMP_IMM(JMP.JEQ, 2, 0, 2), LD_IMM64_VAL(0, 0x100000000n), EXIT_INSN()]);
add('bad_ld_imm64', 'first half then exit', [RAW(0x18, 0, 0, 0, 1), EXIT_INSN(), EXIT_INSN()]);
add('bad_ld_imm64', 'unknown pseudo src', [RAW(0x18, 0, 7, 0, 1), RAW(0, 0, 0, 0, 0), EXIT_INSN()]);
add('bad_opcode', 'opcode ff', [RAW(0xff, 0, 0, 0, 0), ...RET0]);
add('bad_opcode', 'opcode 00', [RAW(0x00, 0, 0, 0, 0), ...RET0]);
add('bad_opcode', 'opcode 0x8f', [RAW(0x8f, 0, 0, 0, 0), ...RET0]);
add('reserved_fields', 'exit imm 1', [R0_0, RAW(0x95, 0, 0, 0, 1)]);
add('reserved_fields', 'ldx imm', [RAW(0x61, 0, 1, 0, 5), EXIT_INSN()]);
add('reserved_fields', 'alu src with imm', [RAW(0x07, 0, 1, 0, 5), EXIT_INSN()]);
add('reserved_fields', 'call with dst', [RAW(0x85, 1, 0, 0, 5), ...RET0]);
add('reserved_fields', 'mov imm with off', [RAW(0xb7, 0, 0, 3, 5), EXIT_INSN()]);
add('reserved_fields', 'ja with src', [RAW(0x05, 0, 1, 0, 0), ...RET0]);
add('ld_abs_not_allowed', 'ld_abs in xdp', [MOV64_REG(6, 1), RAW(0x30, 0, 0, 0, 0), EXIT_INSN()]);
add('ld_abs', 'ld_abs in socket filter', [MOV64_REG(6, 1), RAW(0x30, 0, 0, 0, 0), EXIT_INSN()], 'socket_filter');
add('ld_abs', 'ld_ind in socket filter', [MOV64_REG(6, 1), MOV64_IMM(2, 4), RAW(0x50, 0, 2, 0, 0), EXIT_INSN()], 'socket_filter');
add('retval_range', 'cgroup_skb returns 5', [MOV64_IMM(0, 5), EXIT_INSN()], 'cgroup_skb');
add('retval_range', 'cgroup_skb returns 1', [MOV64_IMM(0, 1), EXIT_INSN()], 'cgroup_skb');
add('retval_range', 'cgroup_skb returns masked', [LDX_MEM(SZ.W, 0, 1, 0), ALU64_IMM(ALU.AND, 0, 1), EXIT_INSN()], 'cgroup_skb');
add('retval_range', 'cgroup_skb returns unknown', [LDX_MEM(SZ.W, 0, 1, 0), EXIT_INSN()], 'cgroup_skb');
add('retval_range', 'xdp returns 99', [MOV64_IMM(0, 99), EXIT_INSN()]);

// ---- bpf-to-bpf calls -------------------------------------------------------------------------
const chain = (n: number, stack = 0): Instruction[] => {
  const p: Instruction[] = [R0_0, CALL_LOCAL(1), EXIT_INSN()];
  for (let i = 0; i < n; i++) {
    if (stack > 0) p.push(ST_MEM(SZ.DW, 10, -stack, 0));
    p.push(i < n - 1 ? CALL_LOCAL(1) : R0_0, EXIT_INSN());
  }
  return p;
};
add('call_stack', 'chain 6', chain(6));
add('call_stack', 'chain 7 (8 frames)', chain(7));
add('call_stack_too_deep', 'chain 8 (9 frames)', chain(8));
add('call_stack', 'chain 3 x 128 stack', chain(3, 128));
add('combined_stack_too_large', 'chain 4 x 160 stack', chain(4, 160));
add('recursion', 'self recursion', [R0_0, CALL_LOCAL(1), EXIT_INSN(), CALL_LOCAL(-1), EXIT_INSN()]);
add('combined_stack', '256 + 256 ok', [ST_MEM(SZ.DW, 10, -256, 0), CALL_LOCAL(2), R0_0, EXIT_INSN(), ST_MEM(SZ.DW, 10, -256, 0), R0_0, EXIT_INSN()]);
add('combined_stack_too_large', '512 + 64', [ST_MEM(SZ.DW, 10, -512, 0), CALL_LOCAL(2), R0_0, EXIT_INSN(), ST_MEM(SZ.DW, 10, -64, 0), R0_0, EXIT_INSN()]);
add('combined_stack_too_large', '264 + 256', [ST_MEM(SZ.DW, 10, -264, 0), CALL_LOCAL(2), R0_0, EXIT_INSN(), ST_MEM(SZ.DW, 10, -256, 0), R0_0, EXIT_INSN()]);
add('uninit_reg', 'callee reads r6', [MOV64_IMM(6, 1), CALL_LOCAL(2), R0_0, EXIT_INSN(), MOV64_REG(0, 6), EXIT_INSN()]);
add('subprog', 'callee reads r1 arg', [CALL_LOCAL(1), EXIT_INSN(), LDX_MEM(SZ.W, 0, 1, 12), EXIT_INSN()]);
add('subprog', 'caller r6 preserved', [MOV64_REG(6, 1), CALL_LOCAL(2), LDX_MEM(SZ.W, 0, 6, 12), EXIT_INSN(), MOV64_IMM(6, 0), R0_0, EXIT_INSN()]);
add('subprog', 'r1 clobbered after call', [CALL_LOCAL(2), LDX_MEM(SZ.W, 0, 1, 12), EXIT_INSN(), R0_0, EXIT_INSN()]);
add('subprog', 'no r0 unused ok', [CALL_LOCAL(2), R0_0, EXIT_INSN(), MOV64_IMM(2, 1), EXIT_INSN()]);
add('subprog', 'no r0 used', [CALL_LOCAL(1), EXIT_INSN(), MOV64_IMM(2, 1), EXIT_INSN()]);
add('subprog_ret_non_scalar', 'return fp', [CALL_LOCAL(2), R0_0, EXIT_INSN(), MOV64_REG(0, 10), ALU64_IMM(ALU.ADD, 0, -8), EXIT_INSN()]);
add('subprog', 'pass stack pointer to callee', [ST_MEM(SZ.DW, 10, -8, 5), MOV64_REG(1, 10), ALU64_IMM(ALU.ADD, 1, -8), CALL_LOCAL(1), EXIT_INSN(), LDX_MEM(SZ.DW, 0, 1, 0), EXIT_INSN()]);
add('subprog', 'callee pkt access checked', [MOV64_REG(6, 1), CALL_LOCAL(2), R0_0, EXIT_INSN(), ...PKT, MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 1), JMP_REG(JMP.JGT, 4, 3, 1), LDX_MEM(SZ.B, 0, 2, 0), ...RET0]);
add('jump_out_of_range', 'jump into other subprog', [CALL_LOCAL(2), JA(2), EXIT_INSN(), R0_0, EXIT_INSN()]);
add('unreachable_insn', 'subprog never called', [R0_0, EXIT_INSN(), R0_0, EXIT_INSN(), CALL_LOCAL(-3), EXIT_INSN()]);

// ---- may be more -----------------------------------------------------------------------------
add('jmp32', 'jmp32 refines low half', [LDX_MEM(SZ.W, 2, 1, 12), JMP32_IMM(JMP.JGT, 2, 7, 4), MOV64_REG(3, 10), ALU64_IMM(ALU.ADD, 3, -8), ALU64_REG(ALU.ADD, 3, 2), ST_MEM(SZ.B, 3, -8, 0), ...RET0]);
add('linked_regs', 'bound through copy', [CALL_HELPER(7), MOV64_REG(6, 0), JMP_IMM(JMP.JGT, 0, 7, 4), MOV64_REG(3, 10), ALU64_IMM(ALU.ADD, 3, -16), ALU64_REG(ALU.ADD, 3, 6), ST_MEM(SZ.B, 3, 0, 0), ...RET0]);

// ---- pruning: values that never matter must not multiply the explored states ---------------
const diamonds = (n: number, use: boolean): Instruction[] => {
  const p: Instruction[] = [MOV64_REG(6, 1)];
  for (let i = 0; i < n; i++) {
    p.push(CALL_HELPER(7), JMP_IMM(JMP.JSET, 0, 1, 2), MOV64_IMM(5, 1 + i), JA(1), MOV64_IMM(5, 8 + i), STX_MEM(SZ.DW, 10, 5, -8 * (1 + (i % 16))));
  }
  if (use) p.push(LDX_MEM(SZ.DW, 5, 10, -8), ALU64_IMM(ALU.AND, 5, 15), MOV64_REG(2, 10), ALU64_IMM(ALU.ADD, 2, -16), ALU64_REG(ALU.ADD, 2, 5), LDX_MEM(SZ.B, 0, 2, 0));
  p.push(MOV64_IMM(0, 2), EXIT_INSN());
  return p;
};
add('pruning', '24 diamonds storing constants', diamonds(24, false));
add('pruning', '12 diamonds, stored value used as a stack index', diamonds(12, true));
add('pruning', '40 diamonds storing constants', diamonds(40, false));

// ---- may_goto (6.9+): loops bounded at run time --------------------------------------------
const MAY_GOTO = (off: number): Instruction => RAW(0xe5, 0, 0, off, 0);
add('may_goto', 'counting loop', [MOV64_IMM(0, 0), MAY_GOTO(2), ALU64_IMM(ALU.ADD, 0, 1), JA(-3), EXIT_INSN()]);
add('may_goto', 'empty loop', [MOV64_IMM(0, 0), MAY_GOTO(1), JA(-2), EXIT_INSN()]);
add('may_goto', 'packet walk', [...PKT, MOV64_IMM(0, 0), MAY_GOTO(6), MOV64_REG(4, 2), ALU64_IMM(ALU.ADD, 4, 1), JMP_REG(JMP.JGT, 4, 3, 3), LDX_MEM(SZ.B, 5, 2, 0), MOV64_REG(2, 4), JA(-7), EXIT_INSN()]);
add('may_goto', 'bad imm', [MOV64_IMM(0, 0), RAW(0xe5, 0, 0, 1, 3), JA(-2), EXIT_INSN()]);
add('may_goto', 'uninit read in body', [MOV64_IMM(0, 0), MAY_GOTO(2), ALU64_REG(ALU.ADD, 0, 7), JA(-3), EXIT_INSN()]);

export const CORPUS: readonly Case[] = cases;
