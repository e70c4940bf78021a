// Scalar value tracking as the kernel does it: a tnum plus signed/unsigned bounds in 64 and
// 32 bits, kept consistent by `sync` (reg_bounds_sync). Values are bigints: smin/smax signed,
// umin/umax unsigned.
import {
  type Tnum, HI32, TNUM_UNKNOWN, U32, U64, tnumAdd, tnumAnd, tnumArshift, tnumConst, tnumIntersect,
  tnumIsConst, tnumLshift, tnumMul, tnumOr, tnumRange, tnumRshift, tnumSub, tnumSubreg,
  tnumWithSubreg, tnumXor,
} from './tnum.js';
import { AluOp, JmpOp } from '../asm/opcode.js';

export interface Scalar {
  readonly t: Tnum;
  readonly smin: bigint; readonly smax: bigint;
  readonly umin: bigint; readonly umax: bigint;
  readonly s32min: bigint; readonly s32max: bigint;
  readonly u32min: bigint; readonly u32max: bigint;
}

const S64MIN = -(1n << 63n), S64MAX = (1n << 63n) - 1n;
const S32MIN = -(1n << 31n), S32MAX = (1n << 31n) - 1n;
const BIT63 = 1n << 63n, BIT31 = 1n << 31n;
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);
const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

export const SCALAR_UNKNOWN: Scalar = {
  t: TNUM_UNKNOWN, smin: S64MIN, smax: S64MAX, umin: 0n, umax: U64,
  s32min: S32MIN, s32max: S32MAX, u32min: 0n, u32max: U32,
};

export function scalarConst(v: bigint): Scalar {
  const u = u64(v);
  return {
    t: tnumConst(u), smin: s64(u), smax: s64(u), umin: u, umax: u,
    s32min: s32(u), s32max: s32(u), u32min: u32(u), u32max: u32(u),
  };
}

export const isConst = (s: Scalar): boolean => tnumIsConst(s.t);
export const constValue = (s: Scalar): bigint => s.t.value;
export const isConst32 = (s: Scalar): boolean => (s.t.mask & U32) === 0n;

/** Unsigned range [lo, hi] of a 64-bit value. */
export function scalarRange(lo: bigint, hi: bigint): Scalar {
  return sync({ ...SCALAR_UNKNOWN, umin: lo, umax: hi }) ?? SCALAR_UNKNOWN;
}

type Mut = { -readonly [K in keyof Scalar]: Scalar[K] };

/** reg_bounds_sync: make tnum, 64- and 32-bit bounds agree. Undefined when empty. */
export function sync(input: Scalar): Scalar | undefined {
  let { t, umin, umax, smin, smax, u32min, u32max, s32min, s32max } = input;
  if (t.mask === 0n) {
    // a constant: everything follows from the value
    const v = t.value;
    if (v < umin || v > umax || s64(v) < smin || s64(v) > smax || u32(v) < u32min || u32(v) > u32max || s32(v) < s32min || s32(v) > s32max) return undefined;
    return scalarConst(v);
  }
  for (let round = 0; round < 3; round++) {
    const t0v = t.value, t0m = t.mask, a = umin, b = umax, c = smin, d = smax, e = u32min, f = u32max, g = s32min, h = s32max;
    // bounds from tnum
    const t32v = t.value & U32, t32m = t.mask & U32;
    s32min = max(s32min, s32(t32v | (t32m & BIT31)));
    s32max = min(s32max, s32(t32v | (t32m & S32MAX)));
    u32min = max(u32min, t32v);
    u32max = min(u32max, t32v | t32m);
    smin = max(smin, s64(t.value | (t.mask & BIT63)));
    smax = min(smax, s64(t.value | (t.mask & S64MAX)));
    umin = max(umin, t.value);
    umax = min(umax, t.value | t.mask);
    // 32 from 64 when the high halves agree
    if (umin >> 32n === umax >> 32n) {
      u32min = max(u32min, u32(umin)); u32max = min(u32max, u32(umax));
      if (s32(u32(umin)) <= s32(u32(umax))) { s32min = max(s32min, s32(umin)); s32max = min(s32max, s32(umax)); }
    }
    if (smin >> 32n === smax >> 32n && s32(smin) <= s32(smax)) {
      s32min = max(s32min, s32(smin)); s32max = min(s32max, s32(smax));
    }
    // signed <-> unsigned, 32
    if (s32(u32min) <= s32(u32max)) { s32min = max(s32min, s32(u32min)); s32max = min(s32max, s32(u32max)); }
    if (u32(s32min) <= u32(s32max)) { u32min = max(u32min, u32(s32min)); u32max = min(u32max, u32(s32max)); }
    // 64 from 32
    const nUmin = (umin & HI32) | u32min, nUmax = (umax & HI32) | u32max;
    if (nUmin <= nUmax) { umin = max(umin, nUmin); umax = min(umax, nUmax); }
    // signed <-> unsigned, 64
    if (s64(umin) <= s64(umax)) { smin = max(smin, s64(umin)); smax = min(smax, s64(umax)); }
    if (u64(smin) <= u64(smax)) { umin = max(umin, u64(smin)); umax = min(umax, u64(smax)); }
    if (umin > umax || smin > smax || u32min > u32max || s32min > s32max) return undefined;
    // tnum from bounds
    let t2 = tnumIntersect(t, tnumRange(umin, umax));
    const t32b = tnumIntersect(tnumSubreg(t2), tnumRange(u32min, u32max));
    t2 = tnumWithSubreg(t2, t32b);
    if ((t2.value & t2.mask) !== 0n) return undefined;
    t = t2;
    if (t.value === t0v && t.mask === t0m && umin === a && umax === b && smin === c && smax === d
      && u32min === e && u32max === f && s32min === g && s32max === h) break;
  }
  return { t, umin, umax, smin, smax, u32min, u32max, s32min, s32max };
}

const syncOrUnknown = (s: Scalar): Scalar => sync(s) ?? SCALAR_UNKNOWN;

/** Zero-extend the low 32 bits into a 64-bit scalar. */
export function zext32(s: Scalar): Scalar {
  return syncOrUnknown({
    t: tnumSubreg(s.t), umin: s.u32min, umax: s.u32max, smin: s.u32min, smax: s.u32max,
    s32min: s.s32min, s32max: s.s32max, u32min: s.u32min, u32max: s.u32max,
  });
}

/** Truncate to `bytes` (a narrow load or zero-extension), like coerce_reg_to_size. */
export function truncate(s: Scalar, bytes: number): Scalar {
  if (bytes >= 8) return s;
  const mask = (1n << BigInt(bytes * 8)) - 1n;
  const t = tnumAnd(s.t, tnumConst(mask));
  let umin = 0n, umax = mask;
  if ((s.umin & ~mask & U64) === (s.umax & ~mask & U64)) { umin = s.umin & mask; umax = s.umax & mask; }
  return syncOrUnknown({ ...SCALAR_UNKNOWN, t, umin, umax, smin: umin, smax: umax });
}

interface Bounds { t: Tnum; smin: bigint; smax: bigint; umin: bigint; umax: bigint }

function lo(s: Scalar): Bounds {
  return { t: tnumSubreg(s.t), smin: s.s32min, smax: s.s32max, umin: s.u32min, umax: s.u32max };
}
function hi(s: Scalar): Bounds {
  return { t: s.t, smin: s.smin, smax: s.smax, umin: s.umin, umax: s.umax };
}

/** One ALU op on bounds of width w. Shift amounts are constants below w (checked by the caller). */
function unbounded(t: Tnum, w: 32 | 64): Bounds {
  return w === 64 ? { t, smin: S64MIN, smax: S64MAX, umin: 0n, umax: U64 } : { t, smin: S32MIN, smax: S32MAX, umin: 0n, umax: U32 };
}

function arith(op: number, a: Bounds, b: Bounds, w: 32 | 64): Bounds {
  const UM = w === 64 ? U64 : U32;
  const SMN = w === 64 ? S64MIN : S32MIN, SMX = w === 64 ? S64MAX : S32MAX;
  const unb = (t: Tnum): Bounds => unbounded(t, w);
  const tw = (t: Tnum): Tnum => (w === 32 ? tnumSubreg(t) : t);
  switch (op) {
    case AluOp.ADD: {
      const t = tw(tnumAdd(a.t, b.t));
      const r = unb(t);
      const smin = a.smin + b.smin, smax = a.smax + b.smax;
      if (smin >= SMN && smax <= SMX) { r.smin = smin; r.smax = smax; }
      const umin = a.umin + b.umin, umax = a.umax + b.umax;
      if (umax <= UM) { r.umin = umin; r.umax = umax; }
      return r;
    }
    case AluOp.SUB: {
      const t = tw(tnumSub(a.t, b.t));
      const r = unb(t);
      const smin = a.smin - b.smax, smax = a.smax - b.smin;
      if (smin >= SMN && smax <= SMX) { r.smin = smin; r.smax = smax; }
      if (a.umin >= b.umax) { r.umin = a.umin - b.umax; r.umax = a.umax - b.umin; }
      return r;
    }
    case AluOp.MUL: {
      const t = tw(tnumMul(a.t, b.t));
      const r = unb(t);
      const umax = a.umax * b.umax;
      if (umax <= UM) { r.umin = a.umin * b.umin; r.umax = umax; }
      if (a.smin >= 0n && b.smin >= 0n && a.smax * b.smax <= SMX) { r.smin = a.smin * b.smin; r.smax = a.smax * b.smax; }
      return r;
    }
    case AluOp.AND: {
      const t = tnumAnd(a.t, b.t);
      const r = unb(t);
      r.umin = t.value; r.umax = min(a.umax, b.umax);
      if (a.smin >= 0n && b.smin >= 0n) { r.smin = r.umin; r.smax = r.umax; }
      return r;
    }
    case AluOp.OR: {
      const t = tnumOr(a.t, b.t);
      const r = unb(t);
      r.umin = max(a.umin, b.umin); r.umax = t.value | t.mask;
      if (a.smin >= 0n && b.smin >= 0n) { r.smin = r.umin; r.smax = r.umax; }
      return r;
    }
    case AluOp.XOR: {
      const t = tnumXor(a.t, b.t);
      const r = unb(t);
      r.umin = t.value; r.umax = t.value | t.mask;
      if (a.smin >= 0n && b.smin >= 0n) { r.smin = r.umin; r.smax = r.umax; }
      return r;
    }
    case AluOp.LSH: {
      const s = Number(b.umin);
      const t = tw(tnumLshift(a.t, s));
      const r = unb(t);
      if ((a.umax << BigInt(s)) <= UM) { r.umin = a.umin << BigInt(s); r.umax = a.umax << BigInt(s); }
      return r;
    }
    case AluOp.RSH: {
      const s = Number(b.umin);
      const t = tnumRshift(a.t, s);
      const r = unb(t);
      r.umin = a.umin >> BigInt(s); r.umax = a.umax >> BigInt(s);
      return r;
    }
    case AluOp.ARSH: {
      const s = Number(b.umin);
      const t = tnumArshift(a.t, s, w);
      const r = unb(t);
      r.smin = a.smin >> BigInt(s); r.smax = a.smax >> BigInt(s);
      return r;
    }
    default:
      return unb(w === 64 ? TNUM_UNKNOWN : tnumSubreg(TNUM_UNKNOWN));
  }
}

/** Whether the kernel computes a range for this op (is_safe_to_compute_dst_reg_range). */
export function tracksRange(op: number, src: Scalar, alu32: boolean): boolean {
  switch (op) {
    case AluOp.ADD: case AluOp.SUB: case AluOp.AND: case AluOp.OR: case AluOp.XOR: case AluOp.MUL: case AluOp.NEG:
      return true;
    case AluOp.LSH: case AluOp.RSH: case AluOp.ARSH:
      return alu32 ? isConst32(src) && src.u32max < 32n : isConst(src) && src.umax < 64n;
    default:
      return false;
  }
}

/** dst op= src for scalars, 64- or 32-bit (the 32-bit result is zero-extended). */
export function aluScalar(op: number, dst: Scalar, src: Scalar, alu32: boolean): Scalar {
  if (op === AluOp.NEG) return aluScalar(AluOp.SUB, scalarConst(0n), dst, alu32);
  if (dst.t.mask === 0n && src.t.mask === 0n) {
    const c = constFold(op, dst.t.value, src.t.value, alu32);
    if (c !== undefined) return scalarConst(c);
  }
  // the kernel returns before zero-extension here: a 32-bit op it cannot track is fully unknown
  if (!tracksRange(op, src, alu32)) return SCALAR_UNKNOWN;
  if (alu32) {
    const r = arith(op, lo(dst), lo(src), 32);
    return syncOrUnknown({
      t: r.t, umin: r.umin, umax: r.umax, smin: r.umin, smax: r.umax,
      u32min: r.umin, u32max: r.umax, s32min: r.smin, s32max: r.smax,
    });
  }
  const r = arith(op, hi(dst), hi(src), 64);
  const low32Only = op === AluOp.ADD || op === AluOp.SUB || op === AluOp.MUL || op === AluOp.AND
    || op === AluOp.OR || op === AluOp.XOR || op === AluOp.LSH;
  let l: Bounds = { t: tnumSubreg(r.t), smin: S32MIN, smax: S32MAX, umin: 0n, umax: U32 };
  if (low32Only && op !== AluOp.LSH) l = arith(op, lo(dst), lo(src), 32);
  return syncOrUnknown({
    t: r.t, smin: r.smin, smax: r.smax, umin: r.umin, umax: r.umax,
    u32min: l.umin, u32max: l.umax, s32min: l.smin, s32max: l.smax,
  });
}

/** Result of a comparison decided by the bounds: 1 taken, 0 not taken, -1 unknown. */
export function branchTaken(op: number, a: Scalar, b: Scalar, is32: boolean): 1 | 0 | -1 {
  const A = is32 ? lo(a) : hi(a), B = is32 ? lo(b) : hi(b);
  switch (op) {
    case JmpOp.JEQ: case JmpOp.JNE: {
      let eq: 1 | 0 | -1 = -1;
      if (A.t.mask === 0n && B.t.mask === 0n) eq = A.t.value === B.t.value ? 1 : 0;
      else if (A.umin > B.umax || A.umax < B.umin || A.smin > B.smax || A.smax < B.smin) eq = 0;
      else if (((A.t.value ^ B.t.value) & ~(A.t.mask | B.t.mask) & (is32 ? U32 : U64)) !== 0n) eq = 0;
      if (eq === -1) return -1;
      return op === JmpOp.JEQ ? eq : (eq === 1 ? 0 : 1);
    }
    case JmpOp.JSET:
      if (B.t.mask === 0n && (A.t.value & B.t.value) !== 0n) return 1;
      if (((A.t.value | A.t.mask) & (B.t.value | B.t.mask)) === 0n) return 0;
      return -1;
    case JmpOp.JGT: return A.umin > B.umax ? 1 : A.umax <= B.umin ? 0 : -1;
    case JmpOp.JGE: return A.umin >= B.umax ? 1 : A.umax < B.umin ? 0 : -1;
    case JmpOp.JLT: return A.umax < B.umin ? 1 : A.umin >= B.umax ? 0 : -1;
    case JmpOp.JLE: return A.umax <= B.umin ? 1 : A.umin > B.umax ? 0 : -1;
    case JmpOp.JSGT: return A.smin > B.smax ? 1 : A.smax <= B.smin ? 0 : -1;
    case JmpOp.JSGE: return A.smin >= B.smax ? 1 : A.smax < B.smin ? 0 : -1;
    case JmpOp.JSLT: return A.smax < B.smin ? 1 : A.smin >= B.smax ? 0 : -1;
    case JmpOp.JSLE: return A.smax <= B.smin ? 1 : A.smin > B.smax ? 0 : -1;
    default: return -1;
  }
}

const NEGATE: Readonly<Record<number, number>> = {
  [JmpOp.JEQ]: JmpOp.JNE, [JmpOp.JNE]: JmpOp.JEQ, [JmpOp.JGT]: JmpOp.JLE, [JmpOp.JLE]: JmpOp.JGT,
  [JmpOp.JGE]: JmpOp.JLT, [JmpOp.JLT]: JmpOp.JGE, [JmpOp.JSGT]: JmpOp.JSLE, [JmpOp.JSLE]: JmpOp.JSGT,
  [JmpOp.JSGE]: JmpOp.JSLT, [JmpOp.JSLT]: JmpOp.JSGE,
};
const FLIP: Readonly<Record<number, number>> = {
  [JmpOp.JEQ]: JmpOp.JEQ, [JmpOp.JNE]: JmpOp.JNE, [JmpOp.JGT]: JmpOp.JLT, [JmpOp.JLT]: JmpOp.JGT,
  [JmpOp.JGE]: JmpOp.JLE, [JmpOp.JLE]: JmpOp.JGE, [JmpOp.JSGT]: JmpOp.JSLT, [JmpOp.JSLT]: JmpOp.JSGT,
  [JmpOp.JSGE]: JmpOp.JSLE, [JmpOp.JSLE]: JmpOp.JSGE, [JmpOp.JSET]: JmpOp.JSET,
};

/**
 * Refine a and b assuming `a op b` holds (taken) or not (!taken). Returns undefined when the
 * assumption is impossible.
 */
export function refine(op: number, a: Scalar, b: Scalar, is32: boolean, taken: boolean): [Scalar, Scalar] | undefined {
  let o = op;
  if (!taken) {
    if (op === JmpOp.JSET) return refineJsetFalse(a, b, is32);
    o = NEGATE[op] ?? op;
  }
  if (o === JmpOp.JSET) {
    if (tnumIsConst(is32 ? tnumSubreg(b.t) : b.t)) {
      const v = is32 ? u32(b.t.value) : b.t.value;
      if (v !== 0n && (v & (v - 1n)) === 0n) {
        const na = sync({ ...a, t: tnumOr(a.t, tnumConst(v)) });
        return na === undefined ? undefined : [na, b];
      }
    }
    return [a, b];
  }
  // normalise to a {<,<=,==,!=} b
  if (o === JmpOp.JGT || o === JmpOp.JGE || o === JmpOp.JSGT || o === JmpOp.JSGE) {
    const r = refine(FLIP[o]!, b, a, is32, true);
    return r === undefined ? undefined : [r[1], r[0]];
  }
  const A: Mut = { ...a }, B: Mut = { ...b };
  const F = is32
    ? { umin: 'u32min', umax: 'u32max', smin: 's32min', smax: 's32max' } as const
    : { umin: 'umin', umax: 'umax', smin: 'smin', smax: 'smax' } as const;
  switch (o) {
    case JmpOp.JEQ: {
      const umin = max(A[F.umin], B[F.umin]), umax = min(A[F.umax], B[F.umax]);
      const smin = max(A[F.smin], B[F.smin]), smax = min(A[F.smax], B[F.smax]);
      A[F.umin] = B[F.umin] = umin; A[F.umax] = B[F.umax] = umax;
      A[F.smin] = B[F.smin] = smin; A[F.smax] = B[F.smax] = smax;
      if (is32) {
        const t = tnumIntersect(tnumSubreg(A.t), tnumSubreg(B.t));
        A.t = tnumWithSubreg(A.t, t); B.t = tnumWithSubreg(B.t, t);
      } else {
        A.t = B.t = tnumIntersect(A.t, B.t);
      }
      break;
    }
    case JmpOp.JNE: {
      const bc = is32 ? isConst32(B) : isConst(B), ac = is32 ? isConst32(A) : isConst(A);
      const adj = (X: Mut, v: bigint): void => {
        const sv = is32 ? s32(v) : s64(v);
        if (X[F.umin] === v) X[F.umin] = X[F.umin] + 1n;
        if (X[F.umax] === v) X[F.umax] = X[F.umax] - 1n;
        if (X[F.smin] === sv) X[F.smin] = X[F.smin] + 1n;
        if (X[F.smax] === sv) X[F.smax] = X[F.smax] - 1n;
      };
      if (bc) adj(A, is32 ? u32(B.t.value) : B.t.value);
      else if (ac) adj(B, is32 ? u32(A.t.value) : A.t.value);
      break;
    }
    case JmpOp.JLT:
      A[F.umax] = min(A[F.umax], B[F.umax] - 1n); B[F.umin] = max(B[F.umin], A[F.umin] + 1n); break;
    case JmpOp.JLE:
      A[F.umax] = min(A[F.umax], B[F.umax]); B[F.umin] = max(B[F.umin], A[F.umin]); break;
    case JmpOp.JSLT:
      A[F.smax] = min(A[F.smax], B[F.smax] - 1n); B[F.smin] = max(B[F.smin], A[F.smin] + 1n); break;
    case JmpOp.JSLE:
      A[F.smax] = min(A[F.smax], B[F.smax]); B[F.smin] = max(B[F.smin], A[F.smin]); break;
    default:
      return [a, b];
  }
  if (A[F.umin] > A[F.umax] || A[F.smin] > A[F.smax] || B[F.umin] > B[F.umax] || B[F.smin] > B[F.smax]) return undefined;
  const na = sync(A), nb = sync(B);
  if (na === undefined || nb === undefined) return undefined;
  return [na, nb];
}

function refineJsetFalse(a: Scalar, b: Scalar, is32: boolean): [Scalar, Scalar] | undefined {
  const bt = is32 ? tnumSubreg(b.t) : b.t;
  if (!tnumIsConst(bt)) return [a, b];
  const na = sync({ ...a, t: tnumAnd(a.t, tnumConst(~bt.value & U64)) });
  return na === undefined ? undefined : [na, b];
}

/** Whether every value in `cur` is in `old` (range_within + tnum_in). */
export function scalarWithin(old: Scalar, cur: Scalar): boolean {
  return old.umin <= cur.umin && old.umax >= cur.umax && old.smin <= cur.smin && old.smax >= cur.smax
    && old.u32min <= cur.u32min && old.u32max >= cur.u32max && old.s32min <= cur.s32min && old.s32max >= cur.s32max
    && (cur.t.mask & ~old.t.mask & U64) === 0n && (cur.t.value & ~old.t.mask & U64) === old.t.value;
}

export function scalarEquals(a: Scalar, b: Scalar): boolean {
  return a.t.value === b.t.value && a.t.mask === b.t.mask && a.umin === b.umin && a.umax === b.umax
    && a.smin === b.smin && a.smax === b.smax && a.u32min === b.u32min && a.u32max === b.u32max
    && a.s32min === b.s32min && a.s32max === b.s32max;
}

/** Kernel-log style scalar text: a constant, or scalar(smin=..,..). */
export function scalarString(s: Scalar): string {
  if (isConst(s)) return `${s64(s.t.value)}`;
  const parts: string[] = [];
  if (s.smin !== S64MIN) parts.push(`smin=${s.smin}`);
  if (s.smax !== S64MAX) parts.push(`smax=${s.smax}`);
  if (s.umin !== 0n) parts.push(`umin=${s.umin}`);
  if (s.umax !== U64) parts.push(`umax=${s.umax}`);
  return parts.length === 0 ? 'scalar()' : `scalar(${parts.join(',')})`;
}

export { S64MIN, S64MAX };

/** Exact result for two constants, for the ops whose range the kernel tracks. */
function constFold(op: number, a: bigint, b: bigint, alu32: boolean): bigint | undefined {
  const w = alu32 ? 32 : 64;
  const A = BigInt.asUintN(w, a), B = BigInt.asUintN(w, b);
  let r: bigint;
  switch (op) {
    case AluOp.ADD: r = A + B; break;
    case AluOp.SUB: r = A - B; break;
    case AluOp.MUL: r = A * B; break;
    case AluOp.AND: r = A & B; break;
    case AluOp.OR: r = A | B; break;
    case AluOp.XOR: r = A ^ B; break;
    case AluOp.LSH: if (B >= BigInt(w)) return undefined; r = A << B; break;
    case AluOp.RSH: if (B >= BigInt(w)) return undefined; r = A >> B; break;
    case AluOp.ARSH: if (B >= BigInt(w)) return undefined; r = BigInt.asIntN(w, A) >> B; break;
    default: return undefined;
  }
  return BigInt.asUintN(w, r);
}
