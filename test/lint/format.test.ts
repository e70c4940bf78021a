// Output shapes: the JSON document DESIGN.md specifies, SARIF 2.1.0's required structure,
// compiler-style text with the source line, and the user-facing test helpers.
import { describe, expect, it } from 'vitest';
import type { Instruction } from '../../src/asm/instruction.js';
import { formatJson, formatSarif, formatText } from '../../src/lint/format.js';
import { lintInstructions } from '../../src/lint/lint.js';
import { expectVerifierAccepts, expectVerifierRejects, verifierMatchers, VerifierExpectationError } from '../../src/lint/testing.js';
import { EXIT_INSN, LDX_MEM, MOV64_IMM, SZ } from './insn.js';

const loc = (line: number): Instruction['loc'] => ({ file: 'prog.ts', line, column: 3 });
const bad: Instruction[] = [
  { ...LDX_MEM(SZ.W, 2, 1, 0), loc: loc(10) },
  { ...LDX_MEM(SZ.B, 0, 2, 0), loc: loc(11) },
  { ...EXIT_INSN(), loc: loc(12) },
];
const good: Instruction[] = [MOV64_IMM(0, 2), EXIT_INSN()];

describe('report formats', () => {
  const report = { programs: [lintInstructions(bad, { name: 'p', section: 'xdp' }), lintInstructions(good, { name: 'q', section: 'xdp' })] };

  it('points at the DSL source line', () => {
    const d = report.programs[0]!.diagnostics[0]!;
    expect(d.insn).toBe(1);
    expect(d.source).toEqual({ file: 'prog.ts', line: 11, column: 3 });
    expect(d.message).toBe('invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)');
    expect(d.notes).toEqual(['R2 offset is outside of the packet']);
  });

  it('JSON is {"programs":[{name,section,verdict,diagnostics:[{insn,severity,message,source}]}]}', () => {
    const j = JSON.parse(JSON.stringify(formatJson(report))) as { programs: Array<Record<string, unknown>> };
    expect(Object.keys(j)).toEqual(['programs']);
    expect(j.programs.map((p) => [p.name, p.section, p.verdict])).toEqual([['p', 'xdp', 'reject'], ['q', 'xdp', 'accept']]);
    const d = (j.programs[0]!.diagnostics as Array<Record<string, unknown>>)[0]!;
    expect(d).toMatchObject({ insn: 1, severity: 'error', source: { file: 'prog.ts', line: 11, column: 3 } });
    expect(j.programs[1]!.diagnostics).toEqual([]);
  });

  it('SARIF has the 2.1.0 required members', () => {
    const s = JSON.parse(JSON.stringify(formatSarif(report, 'prog.o'))) as {
      version: string; runs: Array<{ tool: { driver: { name: string; rules: Array<{ id: string }> } }; results: Array<Record<string, unknown>> }>;
    };
    expect(s.version).toBe('2.1.0');
    expect(s.runs).toHaveLength(1);
    const run = s.runs[0]!;
    expect(run.tool.driver.name).toBe('bpf-ts lint');
    expect(run.results).toHaveLength(1);
    const res = run.results[0] as { ruleId: string; level: string; message: { text: string }; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> };
    expect(run.tool.driver.rules.map((r) => r.id)).toContain(res.ruleId);
    expect(res.level).toBe('error');
    expect(res.message.text).toContain('invalid access to packet');
    expect(res.locations[0]!.physicalLocation.artifactLocation.uri).toBe('prog.ts');
    expect(res.locations[0]!.physicalLocation.region.startLine).toBe(11);
  });

  it('text reads like a compiler error', () => {
    const t = formatText(report, 'prog.o');
    expect(t).toContain('prog.ts:11:3: error: invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0) [p insn 1]');
    expect(t).toContain('hint: ');
    expect(t).toContain('q (xdp): the verifier is expected to accept it');
  });
});

describe('test helpers', () => {
  it('expectVerifierAccepts / expectVerifierRejects', () => {
    expect(expectVerifierAccepts(good).verdict).toBe('accept');
    expect(() => expectVerifierAccepts(bad)).toThrow(VerifierExpectationError);
    expect(expectVerifierRejects(bad, 'offset is outside of the packet').verdict).toBe('reject');
    expect(() => expectVerifierRejects(good)).toThrow(/accepts it/);
    expect(() => expectVerifierRejects(bad, 'no such text')).toThrow(/mentioning/);
  });

  it('works as vitest matchers', () => {
    expect.extend(verifierMatchers);
    const e = expect as unknown as (v: unknown) => { toPassVerifier(): void; toFailVerifier(s?: string): void; not: { toPassVerifier(): void } };
    e(good).toPassVerifier();
    e(bad).not.toPassVerifier();
    e(bad).toFailVerifier('R2 offset is outside');
  });
});

describe('hints', () => {
  it('an access that runs past the top of the stack frame explains offset + size', () => {
    const prog: Instruction[] = [MOV64_IMM(0, 0), LDX_MEM(SZ.DW, 0, 10, 0), EXIT_INSN()];
    const r = lintInstructions(prog, { type: 'xdp' });
    expect(r.verdict).toBe('reject');
    expect(r.diagnostics[0]!.message).toBe('invalid read from stack R10 off=0 size=8');
    expect(r.diagnostics[0]!.hint).toMatch(/offset \+ size <= 0/);
  });
});
