// Kernel-selftest-style instruction macros (include/linux/filter.h names) for the
// differential corpus: raw Instruction form, so the corpus needs neither the DSL nor the assembler.
import type { Instruction } from '../../src/asm/instruction.js';
import { splitImm64 } from '../../src/asm/instruction.js';
import { AluOp, Class, JmpOp, Mode, Size, Source, LD_IMM64, CALL, EXIT } from '../../src/asm/opcode.js';

const I = (code: number, dst: number, src: number, off: number, imm: number): Instruction => ({ code, dst, src, off, imm });

export const ALU = AluOp;
export const JMP = JmpOp;
export const SZ = { B: Size.B, H: Size.H, W: Size.W, DW: Size.DW } as const;

export const MOV64_IMM = (dst: number, imm: number): Instruction => I(Class.ALU64 | AluOp.MOV | Source.K, dst, 0, 0, imm);
export const MOV32_IMM = (dst: number, imm: number): Instruction => I(Class.ALU | AluOp.MOV | Source.K, dst, 0, 0, imm);
export const MOV64_REG = (dst: number, src: number): Instruction => I(Class.ALU64 | AluOp.MOV | Source.X, dst, src, 0, 0);
export const MOV32_REG = (dst: number, src: number): Instruction => I(Class.ALU | AluOp.MOV | Source.X, dst, src, 0, 0);
export const ALU64_IMM = (op: number, dst: number, imm: number): Instruction => I(Class.ALU64 | op | Source.K, dst, 0, 0, imm);
export const ALU32_IMM = (op: number, dst: number, imm: number): Instruction => I(Class.ALU | op | Source.K, dst, 0, 0, imm);
export const ALU64_REG = (op: number, dst: number, src: number): Instruction => I(Class.ALU64 | op | Source.X, dst, src, 0, 0);
export const ALU32_REG = (op: number, dst: number, src: number): Instruction => I(Class.ALU | op | Source.X, dst, src, 0, 0);
export const LDX_MEM = (size: number, dst: number, src: number, off: number): Instruction => I(Class.LDX | Mode.MEM | size, dst, src, off, 0);
export const STX_MEM = (size: number, dst: number, src: number, off: number): Instruction => I(Class.STX | Mode.MEM | size, dst, src, off, 0);
export const ST_MEM = (size: number, dst: number, off: number, imm: number): Instruction => I(Class.ST | Mode.MEM | size, dst, 0, off, imm);
export const ATOMIC = (size: number, dst: number, src: number, off: number, op: number): Instruction => I(Class.STX | Mode.ATOMIC | size, dst, src, off, op);
export const JMP_IMM = (op: number, dst: number, imm: number, off: number): Instruction => I(Class.JMP | op | Source.K, dst, 0, off, imm);
export const JMP_REG = (op: number, dst: number, src: number, off: number): Instruction => I(Class.JMP | op | Source.X, dst, src, off, 0);
export const JMP32_IMM = (op: number, dst: number, imm: number, off: number): Instruction => I(Class.JMP32 | op | Source.K, dst, 0, off, imm);
export const JMP32_REG = (op: number, dst: number, src: number, off: number): Instruction => I(Class.JMP32 | op | Source.X, dst, src, off, 0);
export const JA = (off: number): Instruction => I(Class.JMP | JmpOp.JA, 0, 0, off, 0);
export const CALL_HELPER = (id: number): Instruction => I(CALL, 0, 0, 0, id);
export const CALL_LOCAL = (rel: number): Instruction => I(CALL, 0, 1, 0, rel);
export const EXIT_INSN = (): Instruction => I(EXIT, 0, 0, 0, 0);
export const LD_IMM64_VAL = (dst: number, value: bigint): Instruction => ({ code: LD_IMM64, dst, src: 0, off: 0, ...splitImm64(value) });
/** LD_IMM64 of a map: the oracle patches the fd, the lint reads `ref`. */
export const LD_MAP = (dst: number, ref: string): Instruction => ({ code: LD_IMM64, dst, src: 1, off: 0, imm: 0, imm2: 0, ref });
export const RAW = (code: number, dst: number, src: number, off: number, imm: number): Instruction => I(code, dst, src, off, imm);
