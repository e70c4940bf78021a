// One instruction as LLVM "pseudo-C" text. For every v1-v3 form this is exactly what
// llvm-objdump-14 -d prints (decimal immediates, `w` registers for ALU32/JMP32, and by default
// `r` registers for 8/16/32-bit loads, stores and `lock` adds, as llvm-objdump-14 does without
// --mattr=+alu32). Forms llvm-objdump-14 cannot print or misprints (sdiv, smod, mod, movsx,
// ldsx, bswap, gotol, may_goto, JSET, ST imm, fetch atomics on u32, load_acquire,
// store_release, addr_space_cast) get the text newer LLVM prints and our assembler reads back.
import type { Instruction } from '../instruction.js';
import {
  AluOp, AtomicOp, Class, JmpOp, Mode, Size, Source, LD_IMM64,
  classOf, modeOf, opOf, sizeOf, sourceOf,
} from '../opcode.js';

export interface FormatOptions {
  /**
   * Print 8/16/32-bit loads, stores and `lock` adds with `w` registers, like
   * `llvm-objdump-14 --mattr=+alu32`. Default false: llvm-objdump-14's default output.
   */
  readonly alu32?: boolean;
  /** Slot index of this instruction; with `symbolize`, jumps get a ` <target>` suffix. */
  readonly pc?: number;
  /**
   * Names a jump target slot (may be out of range), e.g. `prog+0x10`; the text is printed
   * as ` <...>` after the offset, as llvm-objdump does. Return undefined for no suffix.
   */
  readonly symbolize?: (targetSlot: number) => string | undefined;
}

const ALU_OPS: readonly (string | undefined)[] = [
  '+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', undefined, '%=', '^=', '=', 's>>=',
];
const JMP_OPS: readonly (string | undefined)[] = [
  undefined, '==', '>', '>=', '&', '!=', 's>', 's>=', undefined, undefined, '<', '<=', 's<', 's<=',
];
const SIZE_NAME: Readonly<Record<number, string>> = { [Size.W]: '32', [Size.H]: '16', [Size.B]: '8', [Size.DW]: '64' };
const ATOMIC_RMW: Readonly<Record<number, string>> = {
  [AtomicOp.ADD]: 'add', [AtomicOp.OR]: 'or', [AtomicOp.AND]: 'and', [AtomicOp.XOR]: 'xor',
};
const ATOMIC_LOCK_OP: Readonly<Record<number, string>> = {
  [AtomicOp.ADD]: '+=', [AtomicOp.OR]: '|=', [AtomicOp.AND]: '&=', [AtomicOp.XOR]: '^=',
};

export const UNKNOWN_TEXT = '<unknown>';

/** `(r1 + 8)` / `(r1 - 8)` without the parentheses. */
function addr(reg: number, off: number): string {
  return off < 0 ? `r${reg} - ${-off}` : `r${reg} + ${off}`;
}

function jumpOffset(off: number): string {
  return off < 0 ? `${off}` : `+${off}`;
}

function target(off: number, opts: FormatOptions | undefined): string {
  const base = jumpOffset(off);
  if (opts?.symbolize === undefined || opts.pc === undefined) return base;
  const name = opts.symbolize(opts.pc + 1 + off);
  return name === undefined ? base : `${base} <${name}>`;
}

/** Text of one instruction; `<unknown>` for an opcode no BPF tool defines. */
export function formatInstruction(insn: Instruction, opts?: FormatOptions): string {
  const { code, dst, src, off, imm } = insn;
  const cls = classOf(code);
  switch (cls) {
    case Class.ALU:
    case Class.ALU64:
      return formatAlu(insn, cls === Class.ALU64);
    case Class.JMP:
    case Class.JMP32:
      return formatJmp(insn, cls === Class.JMP32, opts);
    case Class.LD: {
      if (code === LD_IMM64) {
        if (src === 0) {
          const v = BigInt.asIntN(64, (BigInt((insn.imm2 ?? 0) >>> 0) << 32n) | BigInt(imm >>> 0));
          return `r${dst} = ${v} ll`;
        }
        // llvm-objdump-14 prints the pseudo form with a tab and without the high word.
        const hi = insn.imm2 ?? 0;
        return `ld_pseudo\tr${dst}, ${src}, ${imm >>> 0}${hi !== 0 ? `, ${hi >>> 0}` : ''}`;
      }
      const mode = modeOf(code);
      const size = sizeOf(code);
      if ((mode !== Mode.ABS && mode !== Mode.IND) || size === Size.DW) return UNKNOWN_TEXT;
      const w = SIZE_NAME[size];
      if (mode === Mode.ABS) return `r0 = *(u${w} *)skb[${imm}]`;
      // LD_IND reads at src + imm; llvm-objdump-14 drops a non-zero imm, we print it.
      return imm === 0 ? `r0 = *(u${w} *)skb[r${src}]` : `r0 = *(u${w} *)skb[r${src} ${imm < 0 ? '-' : '+'} ${Math.abs(imm)}]`;
    }
    case Class.LDX: {
      const mode = modeOf(code);
      const size = sizeOf(code);
      if (mode === Mode.MEM) {
        const reg = opts?.alu32 === true && size !== Size.DW ? 'w' : 'r';
        return `${reg}${dst} = *(u${SIZE_NAME[size]} *)(${addr(src, off)})`;
      }
      if (mode === Mode.MEMSX && size !== Size.DW) return `r${dst} = *(s${SIZE_NAME[size]} *)(${addr(src, off)})`;
      return UNKNOWN_TEXT;
    }
    case Class.ST:
      if (modeOf(code) !== Mode.MEM) return UNKNOWN_TEXT;
      return `*(u${SIZE_NAME[sizeOf(code)]} *)(${addr(dst, off)}) = ${imm}`;
    default: { // STX
      const mode = modeOf(code);
      const size = sizeOf(code);
      const narrow = size !== Size.DW;
      if (mode === Mode.MEM) {
        const reg = opts?.alu32 === true && narrow ? 'w' : 'r';
        return `*(u${SIZE_NAME[size]} *)(${addr(dst, off)}) = ${reg}${src}`;
      }
      if (mode !== Mode.ATOMIC) return UNKNOWN_TEXT;
      return formatAtomic(insn, size, opts);
    }
  }
}

function formatAtomic(insn: Instruction, size: number, opts: FormatOptions | undefined): string {
  const { dst, src, off, imm } = insn;
  const bits = SIZE_NAME[size]!;
  const narrow = size !== Size.DW;
  if (imm === AtomicOp.LOAD_ACQ) return `${narrow ? 'w' : 'r'}${dst} = load_acquire((u${bits} *)(${addr(src, off)}))`;
  if (imm === AtomicOp.STORE_REL) return `store_release((u${bits} *)(${addr(dst, off)}), ${narrow ? 'w' : 'r'}${src})`;
  if (size !== Size.W && size !== Size.DW) return UNKNOWN_TEXT;
  const is32 = size === Size.W;
  const r = is32 ? 'w' : 'r';
  const lock = ATOMIC_LOCK_OP[imm];
  if (lock !== undefined) {
    // llvm-objdump-14 prints a 32-bit lock add with r without --mattr=+alu32, and cannot print
    // the 32-bit or/and/xor at all: those get the w form that llvm-mc-14 reads.
    const reg = is32 && imm === AtomicOp.ADD && opts?.alu32 !== true ? 'r' : r;
    return `lock *(u${bits} *)(${addr(dst, off)}) ${lock} ${reg}${src}`;
  }
  if (imm === AtomicOp.XCHG) return `${r}${src} = xchg${is32 ? '32_32' : '_64'}(${addr(dst, off)}, ${r}${src})`;
  if (imm === AtomicOp.CMPXCHG) return `${r}0 = cmpxchg${is32 ? '32_32' : '_64'}(${addr(dst, off)}, ${r}0, ${r}${src})`;
  if ((imm & AtomicOp.FETCH) !== 0) {
    const name = ATOMIC_RMW[imm & ~AtomicOp.FETCH];
    if (name !== undefined) return `${r}${src} = atomic_fetch_${name}((u${bits} *)(${addr(dst, off)}), ${r}${src})`;
  }
  return UNKNOWN_TEXT;
}

function formatAlu(insn: Instruction, is64: boolean): string {
  const { code, dst, src, off, imm } = insn;
  const op = opOf(code);
  const x = sourceOf(code) === Source.X;
  const r = is64 ? 'r' : 'w';
  if (op === AluOp.END) {
    if (is64) return x ? UNKNOWN_TEXT : `r${dst} = bswap${imm} r${dst}`;
    return `r${dst} = ${x ? 'be' : 'le'}${imm} r${dst}`;
  }
  if (op === AluOp.NEG) return `${r}${dst} = -${r}${dst}`;
  const opText = ALU_OPS[op >> 4];
  if (opText === undefined) return UNKNOWN_TEXT;
  if (op === AluOp.MOV && x && off !== 0) {
    if (off === 1 && is64) return `r${dst} = addr_space_cast(r${src}, ${imm >>> 16}, ${imm & 0xffff})`;
    return `${r}${dst} = (s${off})${r}${src}`;
  }
  const signed = off === 1 && (op === AluOp.DIV || op === AluOp.MOD);
  const text = signed ? `s${opText}` : opText;
  return x ? `${r}${dst} ${text} ${r}${src}` : `${r}${dst} ${text} ${imm}`;
}

function formatJmp(insn: Instruction, is32: boolean, opts: FormatOptions | undefined): string {
  const { code, dst, src, off, imm } = insn;
  const op = opOf(code);
  const x = sourceOf(code) === Source.X;
  if (op === JmpOp.JA) {
    if (x) return UNKNOWN_TEXT;
    return is32 ? `gotol ${target(imm, opts)}` : `goto ${target(off, opts)}`;
  }
  if (!is32) {
    if (op === JmpOp.CALL) {
      if (!x) return `call ${imm}`;
      // LLVM <= 18 put the register in imm, LLVM >= 19 (and GCC, the kernel) in dst.
      return `callx r${imm !== 0 && dst === 0 ? imm : dst}`;
    }
    if (op === JmpOp.EXIT) return x ? UNKNOWN_TEXT : 'exit';
    if (op === JmpOp.JCOND) return x ? UNKNOWN_TEXT : `may_goto ${target(off, opts)}`;
  }
  const cmp = JMP_OPS[op >> 4];
  if (cmp === undefined) return UNKNOWN_TEXT;
  const r = is32 ? 'w' : 'r';
  return `if ${r}${dst} ${cmp} ${x ? `${r}${src}` : imm} goto ${target(off, opts)}`;
}
