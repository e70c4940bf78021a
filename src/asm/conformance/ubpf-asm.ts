// The ubpf / bpf_conformance assembly syntax (asm-syntax.md part B): `mov32 %r0, 1`,
// `ldxb %r0, [%r1+2]`, `lock fetch add [%r10-8], %r1`, `jeq %r1, 5, label`, `call local f`.
// Jump targets are labels or +N/-N slots relative to the next instruction; the bare label
// `exit` means the first `exit` instruction.
import { AsmError } from '../errors.js';
import { type Instruction, splitImm64 } from '../instruction.js';
import {
  AluOp, AtomicOp, CALL, CALLX, Class, EXIT, Endian, JmpOp, LD_IMM64, Mode, PseudoCall, Size, Source,
} from '../opcode.js';
import type { SectionLine } from './sections.js';

interface Token {
  readonly text: string;
  readonly column: number;
}

interface Pending {
  readonly insn: Instruction;
  readonly slot: number;
  /** Label to resolve into off (jumps), imm (ja32, call local). */
  readonly target?: { label: string; field: 'off' | 'imm'; tok: Token; line: number };
}

const ALU_OPS: Readonly<Record<string, { op: number; off?: number }>> = {
  add: { op: AluOp.ADD }, sub: { op: AluOp.SUB }, mul: { op: AluOp.MUL }, div: { op: AluOp.DIV },
  sdiv: { op: AluOp.DIV, off: 1 }, or: { op: AluOp.OR }, and: { op: AluOp.AND }, lsh: { op: AluOp.LSH },
  rsh: { op: AluOp.RSH }, mod: { op: AluOp.MOD }, smod: { op: AluOp.MOD, off: 1 }, xor: { op: AluOp.XOR },
  mov: { op: AluOp.MOV }, arsh: { op: AluOp.ARSH },
};

const JMP_OPS: Readonly<Record<string, number>> = {
  jeq: JmpOp.JEQ, jgt: JmpOp.JGT, jge: JmpOp.JGE, jset: JmpOp.JSET, jne: JmpOp.JNE, jsgt: JmpOp.JSGT,
  jsge: JmpOp.JSGE, jlt: JmpOp.JLT, jle: JmpOp.JLE, jslt: JmpOp.JSLT, jsle: JmpOp.JSLE,
};

const SIZES: Readonly<Record<string, number>> = { b: Size.B, h: Size.H, w: Size.W, dw: Size.DW };

const ATOMIC_OPS: Readonly<Record<string, number>> = {
  add: AtomicOp.ADD, or: AtomicOp.OR, and: AtomicOp.AND, xor: AtomicOp.XOR,
  xchg: AtomicOp.XCHG, cmpxchg: AtomicOp.CMPXCHG,
};

function tokenize(line: SectionLine): Token[] {
  const out: Token[] = [];
  const re = /[^\s,]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line.text)) !== null) out.push({ text: m[0], column: line.column + m.index });
  return out;
}

/** Assemble ubpf-syntax lines (the `-- asm` section) into instructions. */
export function assembleUbpf(lines: readonly SectionLine[], file = ''): Instruction[] {
  const labels = new Map<string, number>();
  const pending: Pending[] = [];
  let slot = 0;
  let firstExit: number | undefined;

  for (const line of lines) {
    const err = (reason: string, tok?: Token): AsmError => new AsmError(reason, line.line, tok?.column ?? line.column, file || undefined);
    const toks = tokenize(line);
    if (toks.length === 0) continue;
    const head = toks[0]!;
    if (toks.length === 1 && head.text.endsWith(':')) {
      const name = head.text.slice(0, -1);
      if (!/^[A-Za-z_.][\w.]*$/.test(name)) throw err(`invalid label name '${name}'`, head);
      if (labels.has(name)) throw err(`duplicate label '${name}'`, head);
      labels.set(name, slot);
      continue;
    }
    const loc = { file, line: line.line, column: head.column };
    const p = parseInstruction(toks, err);
    p.insn.loc = loc;
    if (p.insn.code === EXIT && firstExit === undefined) firstExit = slot;
    pending.push({ ...p, slot });
    slot += p.insn.code === LD_IMM64 ? 2 : 1;
  }

  return pending.map(({ insn, slot: at, target }) => {
    if (target === undefined) return insn;
    let dest = labels.get(target.label);
    if (dest === undefined && target.label === 'exit') dest = firstExit;
    if (dest === undefined) throw new AsmError(`unknown label '${target.label}'`, target.line, target.tok.column, file || undefined);
    const rel = dest - (at + 1);
    if (target.field === 'off' && (rel < -0x8000 || rel > 0x7fff)) {
      throw new AsmError(`jump to '${target.label}' is out of the 16-bit range`, target.line, target.tok.column, file || undefined);
    }
    return { ...insn, [target.field]: rel };
  });
}

type ErrFn = (reason: string, tok?: Token) => AsmError;

function parseInstruction(toks: Token[], err: ErrFn): { insn: Instruction; target?: Pending['target'] } {
  const head = toks[0]!;
  const mn = head.text.toLowerCase();
  const args = toks.slice(1);
  const line = (err('') as AsmError).line;
  const want = (n: number): void => {
    if (args.length !== n) throw err(`'${mn}' takes ${n} operand${n === 1 ? '' : 's'}, got ${args.length}`, args[n] ?? head);
  };
  const mk = (code: number, dst = 0, src = 0, off = 0, imm = 0): Instruction => ({ code, dst, src, off, imm });
  const target = (tok: Token, field: 'off' | 'imm'): { value: number; target?: Pending['target'] } => {
    if (/^[+-]?\d+$/.test(tok.text)) {
      const v = Number(tok.text);
      if (field === 'off' ? v < -0x8000 || v > 0x7fff : v < -0x80000000 || v > 0x7fffffff) throw err(`jump offset ${tok.text} out of range`, tok);
      return { value: v };
    }
    if (!/^[A-Za-z_.][\w.]*$/.test(tok.text)) throw err(`invalid jump target '${tok.text}'`, tok);
    return { value: 0, target: { label: tok.text, field, tok, line } };
  };

  if (mn === 'exit') { want(0); return { insn: mk(EXIT) }; }

  // ALU: OP[32|64] %rd, (%rs | imm)
  const alu = /^([a-z]+?)(32|64)?$/.exec(mn);
  if (alu && ALU_OPS[alu[1]!] !== undefined) {
    const { op, off = 0 } = ALU_OPS[alu[1]!]!;
    const cls = alu[2] === '32' ? Class.ALU : Class.ALU64;
    want(2);
    const dst = reg(args[0]!, err);
    if (isReg(args[1]!)) return { insn: mk(cls | op | Source.X, dst, reg(args[1]!, err), off) };
    return { insn: mk(cls | op | Source.K, dst, 0, off, imm32(args[1]!, err)) };
  }
  if (alu && alu[1] === 'neg') {
    want(1);
    return { insn: mk((alu[2] === '32' ? Class.ALU : Class.ALU64) | AluOp.NEG, reg(args[0]!, err)) };
  }
  const movsx = /^movsx(8|16|32)(32|64)$/.exec(mn);
  if (movsx) {
    const bits = Number(movsx[1]);
    const cls = movsx[2] === '32' ? Class.ALU : Class.ALU64;
    if (cls === Class.ALU && bits === 32) throw err(`'${mn}' is not an instruction (32-bit movsx takes 8 or 16)`, head);
    want(2);
    return { insn: mk(cls | AluOp.MOV | Source.X, reg(args[0]!, err), reg(args[1]!, err), bits) };
  }
  const end = /^(le|be|swap|bswap)(16|32|64)$/.exec(mn);
  if (end) {
    want(1);
    const code = end[1] === 'le' ? Class.ALU | AluOp.END | Endian.LE
      : end[1] === 'be' ? Class.ALU | AluOp.END | Endian.BE : Class.ALU64 | AluOp.END;
    return { insn: mk(code, reg(args[0]!, err), 0, 0, Number(end[2])) };
  }
  if (mn === 'lddw') {
    want(2);
    const { imm, imm2 } = splitImm64(imm64(args[1]!, err));
    return { insn: { ...mk(LD_IMM64, reg(args[0]!, err), 0, 0, imm), imm2 } };
  }
  const ldx = /^ldx(s?)(b|h|w|dw)$/.exec(mn);
  if (ldx) {
    if (ldx[1] === 's' && ldx[2] === 'dw') throw err(`'${mn}' is not an instruction`, head);
    want(2);
    const m = memOperand(args[1]!, err);
    return { insn: mk(Class.LDX | (ldx[1] ? Mode.MEMSX : Mode.MEM) | SIZES[ldx[2]!]!, reg(args[0]!, err), m.reg, m.off) };
  }
  const st = /^st(x?)(b|h|w|dw)$/.exec(mn);
  if (st) {
    want(2);
    const m = memOperand(args[0]!, err);
    const size = SIZES[st[2]!]!;
    if (st[1]) return { insn: mk(Class.STX | Mode.MEM | size, m.reg, reg(args[1]!, err), m.off) };
    return { insn: mk(Class.ST | Mode.MEM | size, m.reg, 0, m.off, imm32(args[1]!, err)) };
  }
  const ldabs = /^ld(abs|ind)(b|h|w|dw)$/.exec(mn);
  if (ldabs) {
    const size = SIZES[ldabs[2]!]!;
    if (ldabs[1] === 'abs') { want(1); return { insn: mk(Class.LD | Mode.ABS | size, 0, 0, 0, imm32(args[0]!, err)) }; }
    want(2);
    return { insn: mk(Class.LD | Mode.IND | size, 0, reg(args[0]!, err), 0, imm32(args[1]!, err)) };
  }
  if (mn === 'lock') return { insn: parseAtomic(args, head, err) };
  if (mn === 'ja') {
    want(1);
    const t = target(args[0]!, 'off');
    return { insn: mk(Class.JMP | JmpOp.JA, 0, 0, t.value), ...(t.target ? { target: t.target } : {}) };
  }
  if (mn === 'ja32') {
    want(1);
    const t = target(args[0]!, 'imm');
    return { insn: mk(Class.JMP32 | JmpOp.JA, 0, 0, 0, t.value), ...(t.target ? { target: t.target } : {}) };
  }
  const jmp = /^([a-z]+?)(32)?$/.exec(mn);
  if (jmp && JMP_OPS[jmp[1]!] !== undefined) {
    want(3);
    const cls = jmp[2] ? Class.JMP32 : Class.JMP;
    const dst = reg(args[0]!, err);
    const t = target(args[2]!, 'off');
    const insn = isReg(args[1]!)
      ? mk(cls | JMP_OPS[jmp[1]!]! | Source.X, dst, reg(args[1]!, err), t.value)
      : mk(cls | JMP_OPS[jmp[1]!]! | Source.K, dst, 0, t.value, imm32(args[1]!, err));
    return { insn, ...(t.target ? { target: t.target } : {}) };
  }
  if (mn === 'call') {
    if (args.length === 1 && isReg(args[0]!)) return { insn: mk(CALLX, reg(args[0]!, err)) };
    if (args.length === 1) return { insn: mk(CALL, 0, PseudoCall.HELPER, 0, imm32(args[0]!, err)) };
    want(2);
    const kind = args[0]!.text.toLowerCase();
    if (kind === 'helper') return { insn: mk(CALL, 0, PseudoCall.HELPER, 0, imm32(args[1]!, err)) };
    if (kind === 'runtime') return { insn: mk(CALL, 0, PseudoCall.KFUNC, 0, imm32(args[1]!, err)) };
    if (kind === 'local') {
      const t = target(args[1]!, 'imm');
      return { insn: mk(CALL, 0, PseudoCall.LOCAL, 0, t.value), ...(t.target ? { target: t.target } : {}) };
    }
    throw err(`unknown call kind '${args[0]!.text}' (expected local, helper or runtime)`, args[0]);
  }
  throw err(`unknown instruction '${head.text}'`, head);
}

function parseAtomic(args: Token[], head: Token, err: ErrFn): Instruction {
  let i = 0;
  let fetch = false;
  if (args[i]?.text.toLowerCase() === 'fetch') { fetch = true; i++; }
  const opTok = args[i++];
  if (!opTok) throw err("'lock' needs an operation", head);
  const m = /^([a-z]+?)(32)?$/.exec(opTok.text.toLowerCase());
  const base = m ? ATOMIC_OPS[m[1]!] : undefined;
  if (!m || base === undefined) throw err(`unknown atomic operation '${opTok.text}'`, opTok);
  if (fetch && (base === AtomicOp.XCHG || base === AtomicOp.CMPXCHG)) throw err(`'fetch' is implied by ${m[1]}`, opTok);
  if (args.length - i !== 2) throw err(`'lock ${opTok.text}' takes 2 operands`, args[i] ?? opTok);
  const mem = memOperand(args[i]!, err);
  const src = reg(args[i + 1]!, err);
  const size = m[2] ? Size.W : Size.DW;
  return { code: Class.STX | Mode.ATOMIC | size, dst: mem.reg, src, off: mem.off, imm: base | (fetch ? AtomicOp.FETCH : 0) };
}

const isReg = (t: Token): boolean => t.text.startsWith('%');

function reg(t: Token, err: ErrFn): number {
  const m = /^%r(\d{1,2})$/i.exec(t.text);
  if (!m) throw err(`expected a register %r0..%r10, got '${t.text}'`, t);
  const n = Number(m[1]);
  // r11..r15 are accepted so that negative tests can be written.
  if (n > 15) throw err(`invalid register '${t.text}'`, t);
  return n;
}

function parseInteger(text: string): bigint | undefined {
  const m = /^([+-]?)(0x[0-9a-f]+|\d+)$/i.exec(text);
  if (!m) return undefined;
  const v = BigInt(m[2]!);
  return m[1] === '-' ? -v : v;
}

/** 32-bit immediate: hex is an unsigned pattern up to 0xffffffff, decimal is within s32. */
function imm32(t: Token, err: ErrFn): number {
  const v = parseInteger(t.text);
  if (v === undefined) throw err(`expected an immediate, got '${t.text}'`, t);
  const hex = /^[+-]?0x/i.test(t.text);
  const ok = hex ? v >= -0x80000000n && v <= 0xffffffffn : v >= -0x80000000n && v <= 0x7fffffffn;
  if (!ok) throw err(`immediate ${t.text} does not fit 32 bits`, t);
  return Number(BigInt.asIntN(32, v));
}

/** lddw's immediate: hex up to 64 bits, or decimal within s64 (u64 accepted too). */
function imm64(t: Token, err: ErrFn): bigint {
  const v = parseInteger(t.text);
  if (v === undefined) throw err(`expected an immediate, got '${t.text}'`, t);
  if (v < -(1n << 63n) || v > (1n << 64n) - 1n) throw err(`immediate ${t.text} does not fit 64 bits`, t);
  return v;
}

/** `[%rN]`, `[%rN+off]`, `[%rN-off]`: off is s16 (hex read as a u16 pattern). */
function memOperand(t: Token, err: ErrFn): { reg: number; off: number } {
  const m = /^\[(%r\d{1,2})(?:([+-])(0x[0-9a-f]+|\d+))?\]$/i.exec(t.text);
  if (!m) throw err(`expected a memory operand like [%r1+8], got '${t.text}'`, t);
  const r = reg({ text: m[1]!, column: t.column + 1 }, err);
  if (m[2] === undefined) return { reg: r, off: 0 };
  let v = Number(BigInt(m[3]!));
  const hex = /^0x/i.test(m[3]!);
  if (hex && v <= 0xffff && m[2] === '+') v = (v << 16) >> 16;
  else v = m[2] === '-' ? -v : v;
  if (v < -0x8000 || v > 0x7fff) throw err(`offset ${m[2]}${m[3]} does not fit 16 bits`, t);
  return { reg: r, off: v };
}
