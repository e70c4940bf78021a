// Soundness of the value tracking against concrete 64-bit arithmetic: for random concrete
// operands inside random abstract values, the abstract result must contain the concrete
// result, refinement must keep values that satisfy the branch, and a decided branch must
// agree with the concrete comparison.
import { describe, expect, it } from 'vitest';
import { AluOp, JmpOp } from '../../src/asm/opcode.js';
import { type Scalar, aluScalar, branchTaken, refine, scalarConst, scalarRange, sync } from '../../src/lint/scalar.js';
import { tnumAdd, tnumAnd, tnumConst, tnumIn, tnumMul, tnumOr, tnumRange, tnumSub, tnumXor } from '../../src/lint/tnum.js';
import { rng } from './random-gen.js';

const U64 = (1n << 64n) - 1n;
const r = rng(7);
const rand64 = (): bigint => {
  const k = r();
  if (k < 0.2) return BigInt(Math.floor(r() * 16));
  if (k < 0.4) return BigInt.asUintN(64, -BigInt(Math.floor(r() * 16)));
  if (k < 0.6) return BigInt(Math.floor(r() * 0x100000000));
  return (BigInt(Math.floor(r() * 0x100000000)) << 32n) | BigInt(Math.floor(r() * 0x100000000));
};

function contains(s: Scalar, v: bigint): boolean {
  const u = BigInt.asUintN(64, v), sv = BigInt.asIntN(64, v);
  const u32 = BigInt.asUintN(32, v), s32 = BigInt.asIntN(32, v);
  return u >= s.umin && u <= s.umax && sv >= s.smin && sv <= s.smax && u32 >= s.u32min && u32 <= s.u32max
    && s32 >= s.s32min && s32 <= s.s32max && (u & ~s.t.mask & U64) === s.t.value;
}

/** A random abstract value holding v: a range around it, or masked bits. */
function around(v: bigint): Scalar {
  const k = r();
  if (k < 0.3) return scalarConst(v);
  if (k < 0.6) {
    const lo = v - BigInt(Math.floor(r() * 1000)), hi = v + BigInt(Math.floor(r() * 1000));
    if (lo >= 0n && hi <= U64) return scalarRange(lo, hi);
  }
  const mask = BigInt(Math.floor(r() * 0xffff)) << BigInt(Math.floor(r() * 40));
  return sync({ ...scalarRange(0n, U64), t: { value: v & ~mask & U64, mask: mask & U64 } })!;
}

function concrete(op: number, a: bigint, b: bigint, w: 32 | 64): bigint {
  const A = BigInt.asUintN(w, a), B = BigInt.asUintN(w, b);
  switch (op) {
    case AluOp.ADD: return BigInt.asUintN(w, A + B);
    case AluOp.SUB: return BigInt.asUintN(w, A - B);
    case AluOp.MUL: return BigInt.asUintN(w, A * B);
    case AluOp.AND: return A & B;
    case AluOp.OR: return A | B;
    case AluOp.XOR: return A ^ B;
    case AluOp.LSH: return BigInt.asUintN(w, A << (B % BigInt(w)));
    case AluOp.RSH: return A >> (B % BigInt(w));
    default: return BigInt.asUintN(w, BigInt.asIntN(w, A) >> (B % BigInt(w)));
  }
}

function holds(op: number, a: bigint, b: bigint, is32: boolean): boolean {
  const w = is32 ? 32 : 64;
  const ua = BigInt.asUintN(w, a), ub = BigInt.asUintN(w, b), sa = BigInt.asIntN(w, a), sb = BigInt.asIntN(w, b);
  switch (op) {
    case JmpOp.JEQ: return ua === ub;
    case JmpOp.JNE: return ua !== ub;
    case JmpOp.JGT: return ua > ub;
    case JmpOp.JGE: return ua >= ub;
    case JmpOp.JLT: return ua < ub;
    case JmpOp.JLE: return ua <= ub;
    case JmpOp.JSGT: return sa > sb;
    case JmpOp.JSGE: return sa >= sb;
    case JmpOp.JSLT: return sa < sb;
    case JmpOp.JSLE: return sa <= sb;
    default: return (ua & ub) !== 0n;
  }
}

describe('tnum', () => {
  it('operations contain the concrete results', () => {
    for (let i = 0; i < 3000; i++) {
      const a = rand64(), b = rand64();
      const ma = BigInt(Math.floor(r() * 0xff)) << BigInt(Math.floor(r() * 50));
      const mb = BigInt(Math.floor(r() * 0xff)) << BigInt(Math.floor(r() * 50));
      const ta = { value: a & ~ma & U64, mask: ma & U64 }, tb = { value: b & ~mb & U64, mask: mb & U64 };
      const cases: Array<[ReturnType<typeof tnumAdd>, bigint]> = [
        [tnumAdd(ta, tb), (a + b) & U64], [tnumSub(ta, tb), (a - b) & U64], [tnumAnd(ta, tb), a & b],
        [tnumOr(ta, tb), a | b], [tnumXor(ta, tb), a ^ b], [tnumMul(ta, tb), (a * b) & U64],
      ];
      for (const [t, v] of cases) {
        expect(tnumIn(t, tnumConst(v)), `${a} ${b}`).toBe(true);
        expect(t.value & t.mask).toBe(0n);
      }
    }
  });

  it('tnumRange is the smallest tnum holding both ends (the kernel: fls64 of min ^ max)', () => {
    for (let i = 0; i < 3000; i++) {
      let lo = rand64(), hi = rand64();
      if (lo > hi) [lo, hi] = [hi, lo];
      const t = tnumRange(lo, hi);
      const chi = lo ^ hi;
      const bits = chi === 0n ? 0 : chi.toString(2).length;
      const expected = bits > 63 ? U64 : (1n << BigInt(bits)) - 1n;
      expect(t.mask, `${lo} ${hi}`).toBe(expected);
      expect(tnumIn(t, tnumConst(lo)) && tnumIn(t, tnumConst(hi))).toBe(true);
    }
    for (const b of [0, 1, 31, 32, 33, 62, 63]) expect(tnumRange(0n, 1n << BigInt(b)).mask).toBe(b === 63 ? U64 : (2n << BigInt(b)) - 1n);
  });
});

describe('scalar tracking', () => {
  const OPS = [AluOp.ADD, AluOp.SUB, AluOp.MUL, AluOp.AND, AluOp.OR, AluOp.XOR, AluOp.LSH, AluOp.RSH, AluOp.ARSH];
  it('ALU results contain the concrete result (64- and 32-bit)', () => {
    for (let i = 0; i < 4000; i++) {
      const op = OPS[i % OPS.length]!;
      const alu32 = (i & 1) === 1;
      const a = rand64();
      const shift = op === AluOp.LSH || op === AluOp.RSH || op === AluOp.ARSH;
      const b = shift ? BigInt(Math.floor(r() * (alu32 ? 32 : 64))) : rand64();
      const A = around(a), B = shift ? scalarConst(b) : around(b);
      const res = aluScalar(op, A, B, alu32);
      const c = concrete(op, a, b, alu32 ? 32 : 64);
      expect(contains(res, c), `op ${op} alu32=${alu32} a=${a} b=${b}`).toBe(true);
    }
  });

  it('branch decisions and refinements are sound', () => {
    const JOPS = [JmpOp.JEQ, JmpOp.JNE, JmpOp.JGT, JmpOp.JGE, JmpOp.JLT, JmpOp.JLE, JmpOp.JSGT, JmpOp.JSGE, JmpOp.JSLT, JmpOp.JSLE, JmpOp.JSET];
    for (let i = 0; i < 4000; i++) {
      const op = JOPS[i % JOPS.length]!;
      const is32 = i % 3 === 0;
      const a = rand64();
      const b = r() < 0.5 ? a + BigInt(Math.floor(r() * 5)) - 2n : rand64();
      const A = around(a), B = around(BigInt.asUintN(64, b));
      const truth = holds(op, a, b, is32);
      const taken = branchTaken(op, A, B, is32);
      if (taken !== -1) expect(taken === 1, `op ${op} ${a} ${b} is32=${is32}`).toBe(truth);
      const refined = refine(op, A, B, is32, truth);
      expect(refined, `refine dropped a feasible branch: op ${op} ${a} ${b}`).toBeDefined();
      expect(contains(refined![0], a)).toBe(true);
      expect(contains(refined![1], BigInt.asUintN(64, b))).toBe(true);
    }
  });
});
