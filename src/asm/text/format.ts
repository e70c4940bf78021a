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

// Memory-operand openings per size, made once (a template per instruction would build a string
// each time): ' = *(u32 *)(', '*(u32 *)(', ' = *(s16 *)('.
const sizeTable = (f: (bits: string) => string): Readonly<Record<number, string>> =>
  Object.fromEntries(Object.entries(SIZE_NAME).map(([k, bits]) => [k, f(bits)]));
const LOAD_U = sizeTable((b) => ` = *(u${b} *)(`);
const LOAD_S = sizeTable((b) => ` = *(s${b} *)(`);
const STORE_U = sizeTable((b) => `*(u${b} *)(`);

/**
 * Where instruction text goes. The listing writes straight into its byte buffer (a 200,000-line
 * listing then makes no string per line); formatInstruction collects a string.
 */
export interface TextOut {
  /** Append text. */
  str(s: string): void;
  /** Append an integer in decimal (a safe integer: s32, u32 or a slot count). */
  int(n: number): void;
}

/** A TextOut that builds a string. */
class StringOut implements TextOut {
  s = '';
  str(s: string): void { this.s += s; }
  int(n: number): void { this.s += n; }
}

/** Text of one instruction; `<unknown>` for an opcode no BPF tool defines. */
export function formatInstruction(insn: Instruction, opts?: FormatOptions): string {
  const out = new StringOut();
  writeInstruction(out, insn, opts);
  return out.s;
}

/** `r1 + 8` / `r1 - 8` (the inside of a memory operand's parentheses). */
function addr(out: TextOut, reg: number, off: number): void {
  out.str('r');
  out.int(reg);
  out.str(off < 0 ? ' - ' : ' + ');
  out.int(off < 0 ? -off : off);
}

/** `rN` or `wN`. */
function reg(out: TextOut, w: boolean, n: number): void {
  out.str(w ? 'w' : 'r');
  out.int(n);
}

/** A jump offset (`+3`, `-2`) and, with a symbolizer, ` <target>`. */
function target(out: TextOut, off: number, opts: FormatOptions | undefined): void {
  if (off >= 0) out.str('+');
  out.int(off);
  if (opts?.symbolize === undefined || opts.pc === undefined) return;
  const name = opts.symbolize(opts.pc + 1 + off);
  if (name === undefined) return;
  out.str(' <');
  out.str(name);
  out.str('>');
}

/** The text of one instruction, written to `out`. */
export function writeInstruction(out: TextOut, insn: Instruction, opts?: FormatOptions): void {
  const { code, dst, src, off, imm } = insn;
  const cls = classOf(code);
  switch (cls) {
    case Class.ALU:
    case Class.ALU64:
      writeAlu(out, insn, cls === Class.ALU64);
      return;
    case Class.JMP:
    case Class.JMP32:
      writeJmp(out, insn, cls === Class.JMP32, opts);
      return;
    case Class.LD: {
      if (code === LD_IMM64) {
        if (src === 0) {
          const hi = insn.imm2 ?? 0;
          reg(out, false, dst);
          out.str(' = ');
          // The 64-bit value: a Number when it is a zero- or sign-extended 32-bit one.
          if (hi === 0) out.int(imm >>> 0);
          else if (hi === -1 && imm < 0) out.int(imm);
          else out.str(String(BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(imm >>> 0))));
          out.str(' ll');
          return;
        }
        // llvm-objdump-14 prints the pseudo form with a tab and without the high word.
        const hi = insn.imm2 ?? 0;
        out.str('ld_pseudo\tr');
        out.int(dst);
        out.str(', ');
        out.int(src);
        out.str(', ');
        out.int(imm >>> 0);
        if (hi !== 0) { out.str(', '); out.int(hi >>> 0); }
        return;
      }
      const mode = modeOf(code);
      const size = sizeOf(code);
      if ((mode !== Mode.ABS && mode !== Mode.IND) || size === Size.DW) { out.str(UNKNOWN_TEXT); return; }
      out.str(`r0 = *(u${SIZE_NAME[size]} *)skb[`);
      if (mode === Mode.ABS) out.int(imm);
      else {
        // LD_IND reads at src + imm; llvm-objdump-14 drops a non-zero imm, we print it.
        reg(out, false, src);
        if (imm !== 0) { out.str(imm < 0 ? ' - ' : ' + '); out.int(Math.abs(imm)); }
      }
      out.str(']');
      return;
    }
    case Class.LDX: {
      const mode = modeOf(code);
      const size = sizeOf(code);
      if (mode === Mode.MEM) {
        reg(out, opts?.alu32 === true && size !== Size.DW, dst);
        out.str(LOAD_U[size]!);
      } else if (mode === Mode.MEMSX && size !== Size.DW) {
        reg(out, false, dst);
        out.str(LOAD_S[size]!);
      } else {
        out.str(UNKNOWN_TEXT);
        return;
      }
      addr(out, src, off);
      out.str(')');
      return;
    }
    case Class.ST:
      if (modeOf(code) !== Mode.MEM) { out.str(UNKNOWN_TEXT); return; }
      out.str(STORE_U[sizeOf(code)]!);
      addr(out, dst, off);
      out.str(') = ');
      out.int(imm);
      return;
    default: { // STX
      const mode = modeOf(code);
      const size = sizeOf(code);
      if (mode === Mode.MEM) {
        out.str(STORE_U[size]!);
        addr(out, dst, off);
        out.str(') = ');
        reg(out, opts?.alu32 === true && size !== Size.DW, src);
        return;
      }
      if (mode !== Mode.ATOMIC) { out.str(UNKNOWN_TEXT); return; }
      writeAtomic(out, insn, size, opts);
    }
  }
}

function writeAtomic(out: TextOut, insn: Instruction, size: number, opts: FormatOptions | undefined): void {
  const { dst, src, off, imm } = insn;
  const bits = SIZE_NAME[size]!;
  const narrow = size !== Size.DW;
  if (imm === AtomicOp.LOAD_ACQ) {
    reg(out, narrow, dst);
    out.str(` = load_acquire((u${bits} *)(`);
    addr(out, src, off);
    out.str('))');
    return;
  }
  if (imm === AtomicOp.STORE_REL) {
    out.str(`store_release((u${bits} *)(`);
    addr(out, dst, off);
    out.str('), ');
    reg(out, narrow, src);
    out.str(')');
    return;
  }
  if (size !== Size.W && size !== Size.DW) { out.str(UNKNOWN_TEXT); return; }
  const is32 = size === Size.W;
  const lock = ATOMIC_LOCK_OP[imm];
  if (lock !== undefined) {
    // llvm-objdump-14 prints a 32-bit lock add with r without --mattr=+alu32, and cannot print
    // the 32-bit or/and/xor at all: those get the w form that llvm-mc-14 reads.
    out.str('lock ');
    out.str(STORE_U[size]!);
    addr(out, dst, off);
    out.str(`) ${lock} `);
    reg(out, is32 && !(imm === AtomicOp.ADD && opts?.alu32 !== true), src);
    return;
  }
  if (imm === AtomicOp.XCHG || imm === AtomicOp.CMPXCHG) {
    const xchg = imm === AtomicOp.XCHG;
    reg(out, is32, xchg ? src : 0);
    out.str(xchg ? ' = xchg' : ' = cmpxchg');
    out.str(is32 ? '32_32(' : '_64(');
    addr(out, dst, off);
    out.str(', ');
    reg(out, is32, xchg ? src : 0);
    if (!xchg) { out.str(', '); reg(out, is32, src); }
    out.str(')');
    return;
  }
  const name = (imm & AtomicOp.FETCH) !== 0 ? ATOMIC_RMW[imm & ~AtomicOp.FETCH] : undefined;
  if (name === undefined) { out.str(UNKNOWN_TEXT); return; }
  reg(out, is32, src);
  out.str(` = atomic_fetch_${name}((u${bits} *)(`);
  addr(out, dst, off);
  out.str('), ');
  reg(out, is32, src);
  out.str(')');
}

function writeAlu(out: TextOut, insn: Instruction, is64: boolean): void {
  const { code, dst, src, off, imm } = insn;
  const op = opOf(code);
  const x = sourceOf(code) === Source.X;
  const w = !is64;
  if (op === AluOp.END) {
    if (is64 && x) { out.str(UNKNOWN_TEXT); return; }
    reg(out, false, dst);
    out.str(is64 ? ' = bswap' : x ? ' = be' : ' = le');
    out.int(imm);
    out.str(' ');
    reg(out, false, dst);
    return;
  }
  if (op === AluOp.NEG) {
    reg(out, w, dst);
    out.str(' = -');
    reg(out, w, dst);
    return;
  }
  const opText = ALU_OPS[op >> 4];
  if (opText === undefined) { out.str(UNKNOWN_TEXT); return; }
  if (op === AluOp.MOV && x && off !== 0) {
    if (off === 1 && is64) {
      out.str(`r${dst} = addr_space_cast(r${src}, ${imm >>> 16}, ${imm & 0xffff})`);
      return;
    }
    reg(out, w, dst);
    out.str(' = (s');
    out.int(off);
    out.str(')');
    reg(out, w, src);
    return;
  }
  reg(out, w, dst);
  out.str(off === 1 && (op === AluOp.DIV || op === AluOp.MOD) ? ' s' : ' ');
  out.str(opText);
  out.str(' ');
  if (x) reg(out, w, src);
  else out.int(imm);
}

function writeJmp(out: TextOut, insn: Instruction, is32: boolean, opts: FormatOptions | undefined): void {
  const { code, dst, src, off, imm } = insn;
  const op = opOf(code);
  const x = sourceOf(code) === Source.X;
  if (op === JmpOp.JA) {
    if (x) { out.str(UNKNOWN_TEXT); return; }
    out.str(is32 ? 'gotol ' : 'goto ');
    target(out, is32 ? imm : off, opts);
    return;
  }
  if (!is32) {
    if (op === JmpOp.CALL) {
      if (!x) { out.str('call '); out.int(imm); return; }
      // LLVM <= 18 put the register in imm, LLVM >= 19 (and GCC, the kernel) in dst.
      out.str('callx ');
      reg(out, false, imm !== 0 && dst === 0 ? imm : dst);
      return;
    }
    if (op === JmpOp.EXIT) { out.str(x ? UNKNOWN_TEXT : 'exit'); return; }
    if (op === JmpOp.JCOND) {
      if (x) { out.str(UNKNOWN_TEXT); return; }
      out.str('may_goto ');
      target(out, off, opts);
      return;
    }
  }
  const cmp = JMP_OPS[op >> 4];
  if (cmp === undefined) { out.str(UNKNOWN_TEXT); return; }
  out.str('if ');
  reg(out, is32, dst);
  out.str(' ');
  out.str(cmp);
  out.str(' ');
  if (x) reg(out, is32, src);
  else out.int(imm);
  out.str(' goto ');
  target(out, off, opts);
}
