// `bpf-ts lint` as a user runs it (the built CLI): exit codes, output formats, input kinds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBpfTs } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'bpf-ts-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD_S = `\t.text
\t.section\txdp,"ax",@progbits
\t.globl\tgood
good:
\tr2 = *(u32 *)(r1 + 0)
\tr3 = *(u32 *)(r1 + 4)
\tr4 = r2
\tr4 += 14
\tif r4 > r3 goto out
\tr0 = *(u16 *)(r2 + 12)
out:
\tr0 = 2
\texit
`;
const BAD_S = GOOD_S.replace('r4 += 14', 'r4 += 12').replace('good', 'bad').replace('good:', 'bad:');

describe('bpf-ts lint', () => {
  const good = join(dir, 'good.s');
  const bad = join(dir, 'bad.s');
  writeFileSync(good, GOOD_S);
  writeFileSync(bad, BAD_S);

  it('exits 0 on a program the verifier accepts', () => {
    const r = runBpfTs(['lint', good]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('expected to accept');
  });

  it('exits 1 with the kernel wording on a predicted rejection', () => {
    const r = runBpfTs(['lint', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('invalid access to packet, off=12 size=2, R2(id=0,off=12,r=12)');
    expect(r.stdout).toContain('R2 offset is outside of the packet');
    // the assembly line that wrote the failing load
    expect(r.stdout).toContain(`${bad}:10: error:`);
    expect(r.stdout).toContain('| r0 = *(u16 *)(r2 + 12)');
  });

  it('prints the JSON document of DESIGN.md', () => {
    const r = runBpfTs(['lint', bad, '--format', 'json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { programs: Array<{ name: string; section: string; verdict: string; diagnostics: Array<{ insn: number; severity: string; message: string }> }> };
    expect(j.programs[0]).toMatchObject({ name: 'bad', section: 'xdp', verdict: 'reject' });
    expect(j.programs[0]!.diagnostics[0]).toMatchObject({ insn: 5, severity: 'error' });
    expect(runBpfTs(['lint', good, '--json']).stdout).toContain('"verdict": "accept"');
  });

  it('prints SARIF 2.1.0', () => {
    const r = runBpfTs(['lint', bad, '--format', 'sarif']);
    const s = JSON.parse(r.stdout) as { version: string; runs: Array<{ results: unknown[] }> };
    expect(s.version).toBe('2.1.0');
    expect(s.runs[0]!.results).toHaveLength(1);
  });

  it('lints clang objects with C source lines', () => {
    const r = runBpfTs(['lint', 'test/fixtures/obj/legacy.o']);
    // legacy_hash has 8-byte keys but the program passes a 4-byte one
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/legacy\.c:\d+:\d+: error: invalid read from stack R2 off=-4 size=8/);
  });

  it('lints a TypeScript program module (compiled like bpf-ts build)', () => {
    const r = runBpfTs(['lint', 'examples/drop-udp-port.ts', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { programs: Array<{ verdict: string }> };
    expect(j.programs.length).toBeGreaterThan(0);
    expect(j.programs.every((p) => p.verdict === 'accept')).toBe(true);
  });

  it('exits 2 on bad input and bad usage', () => {
    expect(runBpfTs(['lint', join(dir, 'missing.o')]).code).toBe(2);
    const junk = join(dir, 'junk.o');
    writeFileSync(junk, 'not an elf file at all');
    const r = runBpfTs(['lint', junk]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('    at ');
    expect(runBpfTs(['lint', good, '--format', 'xml']).code).toBe(2);
    expect(runBpfTs(['lint', good, '--type', 'nonsense']).code).toBe(2);
    const prof = join(dir, 'bad-profile.json');
    writeFileSync(prof, '{"kind":"something else"}');
    expect(runBpfTs(['lint', good, '--kernel', prof]).code).toBe(2);
  });

  it('lints against a kernel profile', () => {
    const prof = join(dir, 'profile.json');
    writeFileSync(prof, JSON.stringify({ kind: 'bpf-ts-kernel-profile', version: 1, kernelRelease: 'test', mapTypes: { hash: 1 }, helpers: { xdp: [1] } }));
    expect(runBpfTs(['lint', good, '--kernel', prof]).code).toBe(0);
  });
});
