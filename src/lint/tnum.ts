// Tristate numbers (kernel/bpf/tnum.c): a 64-bit value where each bit is known 0, known 1,
// or unknown (mask bit set). value & mask is always 0.
export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

export const U64 = (1n << 64n) - 1n;
export const U32 = (1n << 32n) - 1n;
/** The high 32 bits of a 64-bit value (each BigInt operation allocates: constants are made once). */
export const HI32 = U64 & ~U32;
const u64 = (x: bigint): bigint => x & U64;

/** Bits needed for 0 < x < 2^64 (fls64), without making a string. */
function bitLength(x: bigint): number {
  const hi = Number(x >> 32n);
  return hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(Number(x & U32));
}

export const tnumConst = (v: bigint): Tnum => ({ value: u64(v), mask: 0n });
export const TNUM_UNKNOWN: Tnum = { value: 0n, mask: U64 };

/** Smallest tnum covering [min, max] (unsigned). */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = min ^ max;
  if (chi === 0n) return tnumConst(min);
  const bits = bitLength(chi);
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = (1n << BigInt(bits)) - 1n;
  return { value: min & ~delta & U64, mask: delta };
}

export const tnumIsConst = (a: Tnum): boolean => a.mask === 0n;

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = u64(a.mask + b.mask);
  const sv = u64(a.value + b.value);
  const sigma = u64(sm + sv);
  const chi = sigma ^ sv;
  const mu = chi | a.mask | b.mask;
  return { value: sv & ~mu & U64, mask: mu };
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return { value: dv & ~mu & U64, mask: mu };
}

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return { value: v, mask: alpha & beta & ~v & U64 };
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return { value: v, mask: mu & ~v & U64 };
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return { value: v & ~mu & U64, mask: mu };
}

export const tnumLshift = (a: Tnum, s: number): Tnum => ({ value: u64(a.value << BigInt(s)), mask: u64(a.mask << BigInt(s)) });
export const tnumRshift = (a: Tnum, s: number): Tnum => ({ value: a.value >> BigInt(s), mask: a.mask >> BigInt(s) });

/** Arithmetic shift right of a tnum viewed as `bits` wide (32 or 64). */
export function tnumArshift(a: Tnum, s: number, bits: 32 | 64): Tnum {
  const w = BigInt(bits);
  const sv = BigInt.asIntN(bits, a.value) >> BigInt(s);
  const sm = BigInt.asIntN(bits, a.mask) >> BigInt(s);
  return { value: BigInt.asUintN(bits, sv) & ((1n << w) - 1n), mask: BigInt.asUintN(bits, sm) };
}

export function tnumMul(a: Tnum, b: Tnum): Tnum {
  // Kernel's long multiplication: accumulate the known and unknown partial products.
  let av = a.value, am = a.mask, bb = b;
  let accV = u64(a.value * b.value);
  let accM: Tnum = { value: 0n, mask: 0n };
  for (let i = 0; i < 64 && (av !== 0n || am !== 0n); i++) {
    if ((av & 1n) !== 0n) accM = tnumAdd(accM, { value: 0n, mask: bb.mask });
    else if ((am & 1n) !== 0n) accM = tnumAdd(accM, { value: 0n, mask: bb.value | bb.mask });
    av >>= 1n; am >>= 1n;
    bb = tnumLshift(bb, 1);
  }
  return tnumAdd({ value: accV, mask: 0n }, accM);
}

export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return { value: v & ~mu & U64, mask: mu };
}

/** Zero-extend the low 32 bits. */
export const tnumSubreg = (a: Tnum): Tnum => ({ value: a.value & U32, mask: a.mask & U32 });
/** Keep the high 32 bits of a, the low 32 bits of sub. */
export const tnumWithSubreg = (a: Tnum, sub: Tnum): Tnum => tnumOr(
  { value: a.value & HI32, mask: a.mask & HI32 }, tnumSubreg(sub));

/** Whether every value of b is a value of a. */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if ((b.mask & ~a.mask & U64) !== 0n) return false;
  return (b.value & ~a.mask & U64) === a.value;
}

export const tnumEquals = (a: Tnum, b: Tnum): boolean => a.value === b.value && a.mask === b.mask;

/** Kernel-style text: a constant in hex, or (value; mask). */
export function tnumString(a: Tnum): string {
  if (a.mask === 0n) return `${a.value}`;
  return `(0x${a.value.toString(16)}; 0x${a.mask.toString(16)})`;
}
