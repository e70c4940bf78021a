import { describe, expect, it } from 'vitest';
import { BtfError } from '../../src/btf/errors.js';
import { ElfError } from '../../src/elf/errors.js';
import { linkProgram } from '../../src/elf/link.js';
import { parseObject } from '../../src/elf/parse-object.js';
import { fixtureObjects, loadFixture } from '../btf/fixtures.js';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

describe('parseObject and linkProgram on corrupted objects', () => {
  for (const name of fixtureObjects) {
    it(`${name}: random byte flips give ElfError/BtfError or a model whose programs link`, () => {
      const good = loadFixture(name).bytes;
      const next = rng(name.length * 7919);
      let parsed = 0;
      for (let i = 0; i < 400; i++) {
        const bad = good.slice();
        for (let k = 1 + (next() % 6); k > 0; k--) bad[next() % bad.length] = next() & 0xff;
        try {
          const obj = parseObject(bad);
          for (const p of obj.programs) linkProgram(obj, p.name);
          parsed++;
        } catch (e) {
          if (!(e instanceof ElfError) && !(e instanceof BtfError)) throw new Error(`flip ${i}: ${e instanceof Error ? e.stack : String(e)}`);
          expect((e as Error).message.includes('\n')).toBe(false);
        }
      }
      expect(parsed).toBeGreaterThan(0); // most flips land in DWARF and still parse
    });
  }
});
