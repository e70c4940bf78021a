// 64-bit arithmetic on (hi, lo) pairs of int32 words, the VM's register representation.
// Common operations stay in int32 arithmetic; 64-bit division falls back to BigInt.

/** High 32 bits of the unsigned 64-bit product of two u32 values. */
export function mulHiU32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

export const toBigU = (hi: number, lo: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
export const toBigS = (hi: number, lo: number): bigint => (BigInt(hi) << 32n) | BigInt(lo >>> 0);

/** Low word of a bigint. */
export const bigLo = (v: bigint): number => Number(BigInt.asIntN(32, v));
/** High word of a bigint. */
export const bigHi = (v: bigint): number => Number(BigInt.asIntN(32, v >> 32n));

export const bswap16 = (x: number): number => ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
export const bswap32 = (x: number): number =>
  ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);

/** Unsigned compare of (ah, al) with (bh, bl): -1, 0 or 1. */
export function cmpU64(ah: number, al: number, bh: number, bl: number): number {
  if (ah !== bh) return (ah >>> 0) < (bh >>> 0) ? -1 : 1;
  if (al !== bl) return (al >>> 0) < (bl >>> 0) ? -1 : 1;
  return 0;
}

/** Signed compare of (ah, al) with (bh, bl): -1, 0 or 1. */
export function cmpS64(ah: number, al: number, bh: number, bl: number): number {
  if (ah !== bh) return ah < bh ? -1 : 1;
  if (al !== bl) return (al >>> 0) < (bl >>> 0) ? -1 : 1;
  return 0;
}
