// Lint findings on DSL programs point at the TypeScript line that emitted the instruction.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { add, assemble, exit, jgt, label, ldxb, ldxw, mov, r0, r1, r2, r3, r4 } from '../../src/asm/dsl/index.js';
import { expectVerifierAccepts, expectVerifierRejects } from '../../src/lint/testing.js';

describe('lint on DSL programs', () => {
  it('accepts a checked packet read', () => {
    const { insns } = assemble([
      ldxw(r2, r1, 0), ldxw(r3, r1, 4), mov(r4, r2), add(r4, 14),
      jgt(r4, r3, 'out'), ldxb(r0, r2, 13), label('out'), mov(r0, 2), exit(),
    ]);
    expectVerifierAccepts(insns, { type: 'xdp' });
  });

  it('reports an unchecked packet read at the line that wrote it', () => {
    const { insns } = assemble([
      ldxw(r2, r1, 0),
      ldxb(r0, r2, 13), // the bad read
      exit(),
    ]);
    const report = expectVerifierRejects(insns, 'offset is outside of the packet', { type: 'xdp' });
    const d = report.diagnostics[0]!;
    expect(d.insn).toBe(1);
    expect(d.source?.file).toMatch(/dsl\.test\.ts$/);
    const lines = readFileSync(new URL(import.meta.url), 'utf8').split('\n');
    const want = lines.findIndex((l) => l.includes('// the bad read')) + 1;
    expect(d.source?.line).toBe(want);
  });
});
