// Mutation-based input generation: start from real inputs (fixtures), apply a few random
// edits (bit flips, byte sets to boundary values, truncation, duplication of a chunk, splices
// of another seed, interesting 32-bit values), and keep every input under a size cap.

export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0 || 1;
  }
  /** xorshift32: fast, deterministic for a seed. */
  next(): number {
    let x = this.#s;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return (this.#s = x);
  }
  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
}

const INTERESTING32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

export function mutateBytes(seed: Uint8Array, other: Uint8Array, rng: Rng, maxSize: number): Uint8Array {
  let b = seed.slice(0, maxSize);
  const edits = 1 + rng.below(8);
  for (let e = 0; e < edits; e++) {
    const len = b.length;
    switch (rng.below(7)) {
      case 0: if (len > 0) b[rng.below(len)]! ^= 1 << rng.below(8); break;
      case 1: if (len > 0) b[rng.below(len)] = [0, 0xff, 0x7f, 0x80][rng.below(4)]!; break;
      case 2: b = b.slice(0, rng.below(len + 1)); break;
      case 3: {
        if (len < 4) break;
        const at = rng.below(len - 3);
        new DataView(b.buffer, b.byteOffset).setUint32(at, INTERESTING32[rng.below(INTERESTING32.length)]!, rng.below(2) === 0);
        break;
      }
      case 4: {
        if (len === 0 || len * 2 > maxSize) break;
        const from = rng.below(len);
        const n = Math.min(len - from, 1 + rng.below(64));
        const out = new Uint8Array(len + n);
        const at = rng.below(len + 1);
        out.set(b.subarray(0, at));
        out.set(b.subarray(from, from + n), at);
        out.set(b.subarray(at), at + n);
        b = out;
        break;
      }
      case 5: {
        if (other.length === 0) break;
        const cut = rng.below(len + 1);
        const from = rng.below(other.length);
        const tail = other.subarray(from, from + Math.max(0, maxSize - cut));
        const out = new Uint8Array(cut + tail.length);
        out.set(b.subarray(0, cut));
        out.set(tail, cut);
        b = out;
        break;
      }
      default: if (len > 0) b[rng.below(len)] = rng.below(256);
    }
  }
  return b;
}

const TOKENS = ['r0', 'r1', 'r10', 'r11', 'w1', '=', '+=', 's/=', '(', ')', '*(u64 *)', '*(s8 *)', 'goto', '+', '-',
  'if', '&', '0x7fffffff', '-2147483649', '4294967296', 'll', 'call', 'exit', '.section', '.long', 'sym', ':', ',',
  'lock', 'atomic_fetch_add(', '\n', ' ', '\t', '"', '#', '//', '/*', '.L1', 'may_goto', 'gotol', '%r1', '[%r10-8]', 'lddw'];

export function mutateText(seed: string, other: string, rng: Rng, maxSize: number): string {
  let s = seed.slice(0, maxSize);
  const edits = 1 + rng.below(6);
  for (let e = 0; e < edits; e++) {
    const at = rng.below(s.length + 1);
    switch (rng.below(5)) {
      case 0: s = s.slice(0, at) + TOKENS[rng.below(TOKENS.length)]! + s.slice(at); break;
      case 1: s = s.slice(0, at) + s.slice(at + 1 + rng.below(16)); break;
      case 2: s = s.slice(0, at) + String.fromCharCode(rng.below(128)) + s.slice(at); break;
      case 3: { const from = rng.below(other.length + 1); s = s.slice(0, at) + other.slice(from, from + rng.below(200)); break; }
      default: { const line = s.split('\n'); const i = rng.below(line.length); line.splice(rng.below(line.length + 1), 0, line[i] ?? ''); s = line.join('\n'); }
    }
  }
  return s.slice(0, maxSize);
}
