// The fixed-seed subset of `npm run fuzz`: every parser and interpreter, fed mutations of the
// real fixtures, ends in a normal answer or its own typed error — never another exception.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../fuzz/corpus.js';
import { fuzzTarget } from '../../fuzz/fuzz.js';
import { TARGETS } from '../../fuzz/targets.js';

const corpus = loadCorpus();

describe('fuzz subset (fixed seed)', () => {
  it('has seeds for every target', () => {
    expect(corpus.objects.length).toBeGreaterThan(5);
    expect(corpus.btf.length).toBeGreaterThan(3);
    expect(corpus.asm.length).toBeGreaterThan(0);
  });
  for (const target of TARGETS) {
    it(target.name, () => {
      const s = fuzzTarget(target, corpus, { seed: 20261129, iterations: target.name === 'lint-object' || target.name === 'object' ? 150 : 400, maxSize: 64 * 1024 });
      expect(s.runs).toBeGreaterThan(0);
      expect(s.crashes.map((c) => c.error.split('\n').slice(0, 3).join(' | ')), `${target.name}: crashes`).toEqual([]);
    });
  }
});

// Inputs that once crashed a target (found by `npm run fuzz`), kept as regression tests:
// <target>-<hash>.bin. Each must now end in the target's typed error or a normal answer.
describe('fuzz regressions', () => {
  const dir = new URL('./regressions/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.bin')).sort()) {
    it(file, () => {
      const target = TARGETS.find((t) => file.startsWith(`${t.name}-`));
      expect(target, `no target for ${file}`).toBeDefined();
      const data = new Uint8Array(readFileSync(new URL(file, dir)));
      try {
        target!.run(target!.input === 'text' ? new TextDecoder().decode(data) : data);
      } catch (e) {
        expect(target!.expected).toContain((e as Error).name);
      }
    });
  }
});
