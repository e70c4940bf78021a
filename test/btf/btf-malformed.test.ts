import { describe, expect, it } from 'vitest';
import { decodeBtfExt } from '../../src/btf/btf-ext.js';
import { decodeBtf } from '../../src/btf/decode-btf.js';
import { dumpBtf } from '../../src/btf/dump-btf.js';
import { BtfError } from '../../src/btf/errors.js';
import { loadFixture, sectionData } from './fixtures.js';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

function onlyBtfError(f: () => void, what: string): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof BtfError)) throw new Error(`${what}: threw ${e instanceof Error ? e.stack : String(e)}`);
  }
}

describe('BTF decoding of bad input', () => {
  const { elf } = loadFixture('core.o');
  const good = sectionData(elf, '.BTF')!.slice();
  const goodExt = sectionData(elf, '.BTF.ext')!.slice();

  it('truncations and random flips of .BTF give BtfError or a BTF that can be walked', () => {
    for (let n = 0; n < good.length; n += 3) onlyBtfError(() => dumpBtf(decodeBtf(good.subarray(0, n))), `cut ${n}`);
    const next = rng(4242);
    for (let i = 0; i < 3000; i++) {
      const bad = good.slice();
      for (let k = 1 + (next() % 4); k > 0; k--) bad[next() % bad.length] = next() & 0xff;
      onlyBtfError(() => {
        const btf = decodeBtf(bad);
        dumpBtf(btf);
        for (let id = 1; id < btf.typeCount; id++) {
          try { btf.sizeOf(id); } catch (e) { if (!(e instanceof BtfError)) throw e; }
        }
      }, `flip ${i}`);
    }
  });

  it('random flips of .BTF.ext give BtfError or records', () => {
    const btf = decodeBtf(good);
    const next = rng(99);
    for (let i = 0; i < 3000; i++) {
      const bad = goodExt.slice();
      for (let k = 1 + (next() % 4); k > 0; k--) bad[next() % bad.length] = next() & 0xff;
      onlyBtfError(() => decodeBtfExt(bad, btf), `flip ${i}`);
    }
  });

  it('a header claiming a huge type section is rejected up front', () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(12, 0xfffffff0, true);
    expect(() => decodeBtf(bad)).toThrow(BtfError);
  });
});
