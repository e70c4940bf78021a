// A small seeded PRNG for generated tests (mulberry32), so every failure reproduces.
export function rng(seed: number): { u32(): number; int(n: number): number; pick<T>(xs: readonly T[]): T; u64(): bigint; chance(p: number): boolean } {
  let s = seed >>> 0;
  const u32 = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    u32,
    int: (n: number) => u32() % n,
    pick: <T>(xs: readonly T[]): T => xs[u32() % xs.length]!,
    u64: () => (BigInt(u32()) << 32n) | BigInt(u32()),
    chance: (p: number) => u32() / 4294967296 < p,
  };
}
