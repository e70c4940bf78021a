// A seeded generator of XDP programs, mostly valid, with subtle mistakes injected at a
// small rate per block: off-by-one packet bounds, missing NULL checks, registers read after
// a helper clobbered them, misaligned or out-of-range stack slots, stale packet pointers.
import type { Instruction } from '../../src/asm/instruction.js';
import { slotCount } from '../../src/asm/instruction.js';
import type { Case } from './corpus.js';
import {
  ALU, ALU32_IMM, ALU64_IMM, ALU64_REG, CALL_HELPER, EXIT_INSN, JMP, JMP32_IMM, JMP_IMM, JMP_REG, LDX_MEM, LD_MAP,
  MOV64_IMM, MOV64_REG, ST_MEM, STX_MEM, SZ,
} from './insn.js';

/** mulberry32 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SIZES = [[SZ.B, 1], [SZ.H, 2], [SZ.W, 4], [SZ.DW, 8]] as const;

export function randomXdp(seed: number, mistakeRate = 0.08): Case {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const oops = (): boolean => r() < mistakeRate;
  const out: Instruction[] = [];
  let pktValid = true;
  const reloadPkt = (): Instruction[] => [LDX_MEM(SZ.W, 7, 6, 0), LDX_MEM(SZ.W, 8, 6, 4)];
  out.push(MOV64_REG(6, 1), ...reloadPkt(), MOV64_IMM(9, 0));
  const slots = (xs: readonly Instruction[]): number => xs.reduce((n, i) => n + slotCount(i), 0);

  const blocks: Array<() => Instruction[]> = [
    // packet bounds check + access
    () => {
      const b: Instruction[] = [];
      if (!pktValid && !oops()) { b.push(...reloadPkt()); pktValid = true; }
      const n = int(1, 64);
      const [sz, bytes] = pick(SIZES);
      let k = int(0, Math.max(0, n - bytes));
      if (oops()) k = n - bytes + 1;
      const fwd = pick([true, false]);
      b.push(MOV64_REG(4, 7), ALU64_IMM(ALU.ADD, 4, n));
      const load = LDX_MEM(sz, 0, 7, k);
      const store = ST_MEM(sz, 7, k, int(0, 255));
      const access = r() < 0.7 ? load : store;
      if (fwd) {
        const op = oops() ? pick([JMP.JGE, JMP.JSGT, JMP.JNE]) : pick([JMP.JGT, JMP.JGE]);
        b.push(r() < 0.5 ? JMP_REG(op, 4, 8, 1) : JMP_REG(op === JMP.JGT ? JMP.JLT : op === JMP.JGE ? JMP.JLE : op, 8, 4, 1), access);
      } else {
        const op = pick([JMP.JLE, JMP.JLT]);
        b.push(JMP_REG(op, 4, 8, 1), JMP_IMM(JMP.JA, 0, 0, 1), access);
      }
      return b;
    },
    // map lookup
    () => {
      const map = pick(['m', 'arr', 'big'] as const);
      const keySize = map === 'm' ? 8 : 4;
      const vs = map === 'm' ? 8 : map === 'arr' ? 16 : 64;
      const b: Instruction[] = [ST_MEM(keySize === 8 ? SZ.DW : SZ.W, 10, -8, int(0, 3)), LD_MAP(1, map), MOV64_REG(2, 10), ALU64_IMM(ALU.ADD, 2, oops() ? -4 : -8), CALL_HELPER(1)];
      const [sz, bytes] = pick(SIZES);
      let off = int(0, (vs - bytes) / bytes) * bytes;
      if (oops()) off = vs - bytes + pick([1, bytes]);
      const use = r() < 0.5 ? LDX_MEM(sz, 3, 0, off) : ST_MEM(sz, 0, off, int(0, 9));
      if (oops()) b.push(use);
      else b.push(JMP_IMM(JMP.JEQ, 0, 0, 1), use);
      pktValid = pktValid && true;
      return b;
    },
    // stack store / load
    () => {
      const [sz, bytes] = pick(SIZES);
      let off = -int(1, 64) * bytes;
      if (off < -512) off = -512;
      if (oops()) off = pick([off + 1, -520, 0]);
      const b: Instruction[] = [r() < 0.5 ? ST_MEM(sz, 10, off, int(0, 100)) : STX_MEM(sz, 10, 9, off)];
      if (r() < 0.6) b.push(LDX_MEM(sz, 3, 10, off));
      return b;
    },
    // scalar arithmetic
    () => {
      const b: Instruction[] = [MOV64_IMM(3, int(-50, 50)), LDX_MEM(SZ.W, 5, 6, pick([12, 16]))];
      for (let i = 0, n = int(1, 4); i < n; i++) {
        const op = pick([ALU.ADD, ALU.SUB, ALU.MUL, ALU.AND, ALU.OR, ALU.XOR, ALU.LSH, ALU.RSH, ALU.DIV, ALU.MOD, ALU.ARSH]);
        const shift = op === ALU.LSH || op === ALU.RSH || op === ALU.ARSH;
        if (r() < 0.5) b.push(ALU64_REG(pick([ALU.ADD, ALU.SUB, ALU.AND, ALU.OR, ALU.XOR, ALU.MUL, ALU.DIV, ALU.MOD]), 3, 5));
        else if (r() < 0.5) b.push(ALU32_IMM(op, 3, shift ? (oops() ? 32 : int(0, 31)) : op === ALU.DIV || op === ALU.MOD ? (oops() ? 0 : int(1, 9)) : int(-9, 9)));
        else b.push(ALU64_IMM(op, 3, shift ? (oops() ? 64 : int(0, 63)) : op === ALU.DIV || op === ALU.MOD ? (oops() ? 0 : int(1, 9)) : int(-9, 9)));
      }
      return b;
    },
    // helper call that clobbers r1-r5
    () => {
      const b: Instruction[] = [CALL_HELPER(pick([5, 7, 8])), MOV64_REG(9, 0), ALU64_IMM(ALU.AND, 9, 0xff)];
      if (oops()) b.push(MOV64_REG(9, pick([1, 2, 3])));
      return b;
    },
    // bounded loop
    () => {
      const bound = int(1, 40);
      return [MOV64_IMM(2, 0), ALU64_IMM(ALU.ADD, 2, 1), r() < 0.5 ? JMP_IMM(JMP.JLT, 2, bound, -2) : JMP32_IMM(JMP.JLT, 2, bound, -2)];
    },
    // ctx field read
    () => {
      let off = pick([0, 4, 8, 12, 16]);
      let sz: number = SZ.W;
      if (oops()) { off = pick([20, 24, 2, 12]); sz = pick([SZ.W, SZ.H, SZ.DW]); }
      return [LDX_MEM(sz, 3, 6, off)];
    },
    // adjust_head invalidates packet pointers
    () => {
      pktValid = false;
      return [MOV64_REG(1, 6), MOV64_IMM(2, pick([0, 4, -4])), CALL_HELPER(44)];
    },
    // variable packet index
    () => {
      const b: Instruction[] = [];
      if (!pktValid && !oops()) { b.push(...reloadPkt()); pktValid = true; }
      const mask = pick([7, 15, 31]);
      b.push(LDX_MEM(SZ.W, 5, 6, 16));
      if (!oops()) b.push(ALU64_IMM(ALU.AND, 5, mask));
      b.push(MOV64_REG(4, 7), ALU64_REG(ALU.ADD, 4, 5), MOV64_REG(3, 4), ALU64_IMM(ALU.ADD, 3, 2), JMP_REG(JMP.JGT, 3, 8, 1), LDX_MEM(SZ.H, 0, 4, oops() ? 1 : 0));
      return b;
    },
  ];
  const nBlocks = int(2, 7);
  for (let i = 0; i < nBlocks; i++) {
    const blk = pick(blocks)();
    if (r() < 0.3) {
      // skip the block on a data-dependent condition
      const cond = pick([JMP.JEQ, JMP.JNE, JMP.JGT, JMP.JSLT, JMP.JSET]);
      out.push(LDX_MEM(SZ.W, 1, 6, 12), JMP_IMM(cond, 1, int(0, 8), slots(blk)));
      // after a skipped adjust_head the packet pointers may or may not be valid: assume invalid
    }
    out.push(...blk);
  }
  if (!oops()) out.push(MOV64_IMM(0, pick([0, 1, 2, 3])));
  out.push(EXIT_INSN());
  return { family: 'random', name: `random#${seed}`, insns: out };
}

/**
 * A wilder generator: short sequences of arbitrary ALU, load/store, helper and forward-jump
 * instructions over r0-r9 (structurally valid, semantically anything). It stresses bounds
 * tracking, branch pruning and register typing far more than the block generator.
 */
export function randomWild(seed: number): Case {
  const r = rng(seed ^ 0x5bd1e995);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  // a rough static idea of what each register holds; 'any' lets mistakes through on purpose
  const init = new Set<number>([0, 1, 6, 7, 8, 10]);
  const scalars = new Set<number>([0]);
  const sreg = (): number => (r() < 0.04 || scalars.size === 0 ? int(0, 9) : pick([...scalars]));
  const anyInit = (): number => (r() < 0.04 ? int(0, 9) : pick([...init].filter((x) => x !== 10)));
  const dstScalar = (): number => (r() < 0.03 ? int(0, 9) : pick([0, 2, 3, 4, 5, 9]));
  const n = int(4, 28);
  const body: Instruction[] = [MOV64_REG(6, 1), LDX_MEM(SZ.W, 7, 1, 0), LDX_MEM(SZ.W, 8, 1, 4), MOV64_IMM(0, 0)];
  for (const rr of [2, 3, 4, 5, 9]) {
    if (r() < 0.85) { body.push(r() < 0.5 ? MOV64_IMM(rr, int(-4, 40)) : LDX_MEM(SZ.W, rr, 1, pick([12, 16]))); init.add(rr); scalars.add(rr); }
  }
  const consts = [0, 1, 2, 4, 7, 8, 14, 15, 16, 31, 32, 63, 64, 255, -1, -8, 0x7fffffff, -0x80000000];
  const setScalar = (d: number): void => { if (d !== 10) { init.add(d); scalars.add(d); } };
  for (let i = 0; i < n; i++) {
    const remaining = n - i;
    const k = r();
    if (k < 0.3) {
      const op = pick([ALU.ADD, ALU.SUB, ALU.MUL, ALU.DIV, ALU.OR, ALU.AND, ALU.LSH, ALU.RSH, ALU.MOD, ALU.XOR, ALU.MOV, ALU.ARSH]);
      const is64 = r() < 0.7;
      const d = op === ALU.MOV ? dstScalar() : sreg();
      const shift = op === ALU.LSH || op === ALU.RSH || op === ALU.ARSH;
      const imm = shift ? (r() < 0.05 ? 64 : int(0, is64 ? 63 : 31)) : (op === ALU.DIV || op === ALU.MOD) && r() < 0.95 ? int(1, 9) : pick(consts);
      if (r() < 0.5) body.push(is64 ? ALU64_IMM(op, d, imm) : ALU32_IMM(op, d, imm));
      else body.push(is64 ? ALU64_REG(op, d, sreg()) : { code: 0x04 | op | 0x08, dst: d, src: sreg(), off: 0, imm: 0 });
      setScalar(d);
    } else if (k < 0.38) {
      // pointer arithmetic on a copy of a pointer
      const d = pick([2, 3, 4, 5]);
      body.push(MOV64_REG(d, pick([7, 7, 7, 10, 10, 6, 8])), ALU64_IMM(pick([ALU.ADD, ALU.ADD, ALU.ADD, ALU.SUB]), d, pick([1, 2, 4, 8, 14, -8, -16])));
      init.add(d); scalars.delete(d);
    } else if (k < 0.5) {
      const base = pick([10, 10, 6, 6, 7]);
      const [sz, bytes] = pick(SIZES);
      const d = dstScalar();
      const off = base === 10 ? -bytes * int(1, 16) : base === 6 ? pick([0, 4, 8, 12, 16, 20]) : int(0, 12);
      if (base === 7) {
        // check then load (sometimes with too small a check)
        const need = off + bytes - (r() < 0.1 ? 1 : 0);
        body.push(MOV64_REG(1, 7), ALU64_IMM(ALU.ADD, 1, need), JMP_REG(JMP.JGT, 1, 8, 1), LDX_MEM(sz, d, 7, off));
        init.add(1); scalars.delete(1);
      } else {
        body.push(LDX_MEM(base === 6 ? SZ.W : sz, d, base, off));
      }
      if (base === 6 && off <= 8) { init.add(d); scalars.delete(d); } else setScalar(d);
    } else if (k < 0.6) {
      const [sz, bytes] = pick(SIZES);
      const off = -bytes * int(1, 16);
      if (r() < 0.5) { const v = anyInit(); body.push(STX_MEM(scalars.has(v) || r() < 0.1 ? sz : SZ.DW, 10, v, scalars.has(v) || r() < 0.1 ? off : -8 * int(1, 16))); }
      else body.push(ST_MEM(sz, 10, off, pick(consts)));
    } else if (k < 0.82 && remaining > 1) {
      const op = pick([JMP.JEQ, JMP.JNE, JMP.JGT, JMP.JGE, JMP.JLT, JMP.JLE, JMP.JSGT, JMP.JSGE, JMP.JSLT, JMP.JSLE, JMP.JSET]);
      const off = int(0, Math.min(4, remaining - 1));
      const j32 = r() < 0.25;
      if (r() < 0.6) body.push(j32 ? JMP32_IMM(op, sreg(), pick(consts), off) : JMP_IMM(op, sreg(), pick(consts), off));
      else body.push(j32 ? { code: 0x06 | op | 0x08, dst: sreg(), src: sreg(), off, imm: 0 } : JMP_REG(op, sreg(), sreg(), off));
    } else if (k < 0.92) {
      const map = pick(['m', 'arr'] as const);
      body.push(ST_MEM(map === 'm' ? SZ.DW : SZ.W, 10, -8, int(0, 5)), LD_MAP(1, map), MOV64_REG(2, 10), ALU64_IMM(ALU.ADD, 2, -8), CALL_HELPER(1));
      if (r() < 0.8) body.push(JMP_IMM(JMP.JEQ, 0, 0, 1));
      body.push(LDX_MEM(SZ.W, 0, 0, map === 'm' ? pick([0, 4, 4, 8]) : pick([0, 4, 8, 12, 16])));
      for (const x of [1, 2, 3, 4, 5]) { init.delete(x); scalars.delete(x); }
      setScalar(0);
    } else {
      body.push(CALL_HELPER(pick([5, 7, 8])));
      for (const x of [1, 2, 3, 4, 5]) { init.delete(x); scalars.delete(x); }
      setScalar(0);
    }
  }
  if (!scalars.has(0) && r() < 0.9) body.push(MOV64_IMM(0, 1));
  body.push(EXIT_INSN());
  // forward jumps count slots: re-target every jump so it lands inside the program
  const slotOf: number[] = [];
  let s = 0;
  for (const i of body) { slotOf.push(s); s += slotCount(i); }
  const fixed = body.map((ins, idx) => {
    const cls = ins.code & 7;
    if ((cls === 5 || cls === 6) && (ins.code & 0xf0) !== 0x80 && (ins.code & 0xf0) !== 0x90) {
      const targetIdx = Math.min(body.length - 1, idx + 1 + ins.off);
      return { ...ins, off: slotOf[targetIdx]! - slotOf[idx]! - 1 };
    }
    return ins;
  });
  return { family: 'wild', name: `wild#${seed}`, insns: fixed };
}

/**
 * One helper call with randomly typed arguments (ctx, map, stack buffer, packet, constants,
 * nothing): a sweep of the helper prototypes and argument checks.
 */
export function randomHelperCall(seed: number, ids: readonly number[], type: 'xdp' | 'sched_cls' = 'xdp'): Case {
  const r = rng(seed ^ 0x2545f491);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const id = pick(ids);
  const dataOff = type === 'xdp' ? 0 : 76, endOff = type === 'xdp' ? 4 : 80;
  const body: Instruction[] = [
    MOV64_REG(6, 1),
    ST_MEM(SZ.DW, 10, -8, 0), ST_MEM(SZ.DW, 10, -16, 0), ST_MEM(SZ.DW, 10, -24, 0), ST_MEM(SZ.DW, 10, -32, 0), ST_MEM(SZ.DW, 10, -40, 0),
    LDX_MEM(SZ.W, 7, 6, dataOff), LDX_MEM(SZ.W, 8, 6, endOff), MOV64_REG(2, 7), ALU64_IMM(ALU.ADD, 2, 40),
    JMP_REG(JMP.JGT, 2, 8, 0), // patched below to the exit
  ];
  const guard = body.length - 1;
  const kinds = ['ctx', 'map', 'ringbuf', 'stack8', 'stack40', 'pkt', 'zero', 'eight', 'big', 'neg', 'skip'] as const;
  const nArgs = 1 + Math.floor(r() * 5);
  for (let a = 1; a <= nArgs; a++) {
    const k = pick(kinds);
    switch (k) {
      case 'ctx': body.push(MOV64_REG(a, 6)); break;
      case 'map': body.push(LD_MAP(a, pick(['m', 'arr']))); break;
      case 'ringbuf': body.push(LD_MAP(a, 'rb')); break;
      case 'stack8': body.push(MOV64_REG(a, 10), ALU64_IMM(ALU.ADD, a, -8)); break;
      case 'stack40': body.push(MOV64_REG(a, 10), ALU64_IMM(ALU.ADD, a, -40)); break;
      case 'pkt': body.push(MOV64_REG(a, 7)); break;
      case 'zero': body.push(MOV64_IMM(a, 0)); break;
      case 'eight': body.push(MOV64_IMM(a, 8)); break;
      case 'big': body.push(MOV64_IMM(a, 64)); break;
      case 'neg': body.push(MOV64_IMM(a, -1)); break;
      case 'skip': break;
    }
  }
  body.push(CALL_HELPER(id), MOV64_IMM(0, 0), EXIT_INSN());
  const slotsTo = (i: number): number => body.slice(0, i).reduce((n, x) => n + slotCount(x), 0);
  body[guard] = { ...body[guard]!, off: slotsTo(body.length - 2) - slotsTo(guard) - 1 };
  return { family: `helper:${id}`, name: `helper#${id} seed ${seed}`, insns: body, type };
}
