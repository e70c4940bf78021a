// Structural validity of one instruction: a known opcode, and every field the opcode
// does not use set to zero (RFC 9669 §3: "unused fields MUST be zero"; the kernel's
// check_* functions reject the same things with "... uses reserved fields").
import type { Instruction } from './instruction.js';
import {
  AluOp, AtomicOp, Class, JmpOp, Mode, Size, Source, LD_IMM64,
  classOf, modeOf, opOf, sizeOf, sourceOf,
} from './opcode.js';

const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

const VALID_ATOMIC_RMW = new Set<number>([
  AtomicOp.ADD, AtomicOp.ADD | AtomicOp.FETCH,
  AtomicOp.OR, AtomicOp.OR | AtomicOp.FETCH,
  AtomicOp.AND, AtomicOp.AND | AtomicOp.FETCH,
  AtomicOp.XOR, AtomicOp.XOR | AtomicOp.FETCH,
  AtomicOp.XCHG, AtomicOp.CMPXCHG,
]);

/**
 * Returns why the instruction is not valid, or undefined when it is.
 * Register numbers above 10 are reported; writes to r10 are a verifier rule, not checked here.
 */
export function invalidReason(insn: Instruction): string | undefined {
  const { code, dst, src, off, imm } = insn;
  if (dst > 10) return `invalid register r${dst} in dst of opcode ${hex(code)}`;
  const cls = classOf(code);
  switch (cls) {
    case Class.ALU:
    case Class.ALU64:
      return aluReason(insn, cls);
    case Class.JMP:
    case Class.JMP32:
      return jmpReason(insn, cls);
    case Class.LD:
      return ldReason(insn);
    case Class.LDX: {
      const mode = modeOf(code);
      if (mode !== Mode.MEM && !(mode === Mode.MEMSX && sizeOf(code) !== Size.DW)) return `unknown opcode ${hex(code)}`;
      if (src > 10) return `invalid register r${src} in src of opcode ${hex(code)}`;
      if (imm !== 0) return `BPF_LDX uses reserved fields: imm=${imm} must be 0`;
      return undefined;
    }
    case Class.ST:
      if (modeOf(code) !== Mode.MEM) return `unknown opcode ${hex(code)}`;
      if (src !== 0) return `BPF_ST uses reserved fields: src=${src} must be 0`;
      return undefined;
    default: { // STX
      if (src > 10) return `invalid register r${src} in src of opcode ${hex(code)}`;
      const mode = modeOf(code);
      if (mode === Mode.MEM) {
        return imm !== 0 ? `BPF_STX uses reserved fields: imm=${imm} must be 0` : undefined;
      }
      if (mode !== Mode.ATOMIC) return `unknown opcode ${hex(code)}`;
      if (imm === AtomicOp.LOAD_ACQ || imm === AtomicOp.STORE_REL) return undefined;
      if (!VALID_ATOMIC_RMW.has(imm)) return `invalid atomic operation imm=${hex(imm)}`;
      const size = sizeOf(code);
      if (size !== Size.W && size !== Size.DW) return `invalid atomic operand size in opcode ${hex(code)}`;
      return undefined;
    }
  }
}

function aluReason(insn: Instruction, cls: number): string | undefined {
  const { code, src, off, imm } = insn;
  const op = opOf(code);
  const x = sourceOf(code) === Source.X;
  const name = cls === Class.ALU64 ? 'BPF_ALU64' : 'BPF_ALU';
  if (op > AluOp.END) return `unknown opcode ${hex(code)}`;
  if (op === AluOp.END) {
    if (cls === Class.ALU64 && x) return `unknown opcode ${hex(code)}`; // 0xdf is reserved
    if (src !== 0 || off !== 0) return `BPF_END uses reserved fields`;
    if (imm !== 16 && imm !== 32 && imm !== 64) return `invalid byte swap width ${imm}: must be 16, 32 or 64`;
    return undefined;
  }
  if (op === AluOp.NEG) {
    if (x || src !== 0 || off !== 0 || imm !== 0) return `BPF_NEG uses reserved fields`;
    return undefined;
  }
  if (x) {
    if (src > 10) return `invalid register r${src} in src of opcode ${hex(code)}`;
  } else if (src !== 0) {
    return `${name} uses reserved fields: src=${src} must be 0 with an immediate operand`;
  }
  if (op === AluOp.MOV) {
    if (!x) return off !== 0 ? `${name} uses reserved fields: off=${off} must be 0` : undefined;
    if (off === 1 && cls === Class.ALU64) return undefined; // addr_space_cast: imm = dst_as << 16 | src_as
    const widths = cls === Class.ALU64 ? [0, 8, 16, 32] : [0, 8, 16];
    if (!widths.includes(off)) return `invalid movsx width off=${off}`;
    if (imm !== 0) return `${name} uses reserved fields: imm=${imm} must be 0 with a register operand`;
    return undefined;
  }
  if (op === AluOp.DIV || op === AluOp.MOD) {
    if (off !== 0 && off !== 1) return `${name} uses reserved fields: off=${off} must be 0 or 1`;
  } else if (off !== 0) {
    return `${name} uses reserved fields: off=${off} must be 0`;
  }
  if (x && imm !== 0) return `${name} uses reserved fields: imm=${imm} must be 0 with a register operand`;
  return undefined;
}

function jmpReason(insn: Instruction, cls: number): string | undefined {
  const { code, dst, src, off, imm } = insn;
  const op = opOf(code);
  const x = sourceOf(code) === Source.X;
  const jmp32 = cls === Class.JMP32;
  if (op === 0xf0) return `unknown opcode ${hex(code)}`;
  if (op === JmpOp.JA) {
    if (x || dst !== 0 || src !== 0) return `BPF_JA uses reserved fields`;
    if (jmp32 ? off !== 0 : imm !== 0) return `BPF_JA uses reserved fields`;
    return undefined;
  }
  if (op === JmpOp.CALL || op === JmpOp.EXIT || op === JmpOp.JCOND) {
    if (jmp32) return `unknown opcode ${hex(code)}`;
    if (op === JmpOp.EXIT) {
      if (x || dst !== 0 || src !== 0 || off !== 0 || imm !== 0) return `BPF_EXIT uses reserved fields`;
      return undefined;
    }
    if (op === JmpOp.JCOND) {
      if (x || dst !== 0 || src !== 0 || imm !== 0) return `may_goto uses reserved fields`;
      return undefined;
    }
    if (x) {
      // callx: LLVM >= 19 and GCC put the register in dst; LLVM <= 18 put it in imm.
      if (src !== 0 || off !== 0) return `callx uses reserved fields`;
      if (imm !== 0 && (dst !== 0 || imm < 0 || imm > 10)) return `callx uses reserved fields`;
      return undefined;
    }
    if (dst !== 0 || off !== 0) return `BPF_CALL uses reserved fields`;
    if (src > 2) return `BPF_CALL uses reserved fields: src=${src} is not helper (0), local (1) or kfunc (2)`;
    return undefined;
  }
  if (x) {
    if (src > 10) return `invalid register r${src} in src of opcode ${hex(code)}`;
    if (imm !== 0) return `jump uses reserved fields: imm=${imm} must be 0 with a register operand`;
  } else if (src !== 0) {
    return `jump uses reserved fields: src=${src} must be 0 with an immediate operand`;
  }
  return undefined;
}

function ldReason(insn: Instruction): string | undefined {
  const { code, dst, src, off } = insn;
  if (code === LD_IMM64) {
    if (off !== 0) return `BPF_LD_IMM64 uses reserved fields: off=${off} must be 0`;
    if (src > 6) return `invalid BPF_LD_IMM64 pseudo source ${src}`;
    return undefined;
  }
  const mode = modeOf(code);
  const size = sizeOf(code);
  if ((mode !== Mode.ABS && mode !== Mode.IND) || size === Size.DW) return `unknown opcode ${hex(code)}`;
  if (dst !== 0 || off !== 0 || (mode === Mode.ABS && src !== 0)) return `BPF_LD_[ABS|IND] uses reserved fields`;
  if (src > 10) return `invalid register r${src} in src of opcode ${hex(code)}`;
  return undefined;
}
