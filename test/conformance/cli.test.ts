// `bpf-ts conformance DIR` as a user runs it (the built CLI).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBpfTs } from '../support/cli.js';
import { needKernel } from '../support/env.js';

const DIR = new URL('../../../shared/conformance/', import.meta.url).pathname;

describe('bpf-ts conformance', () => {
  it('--runtime vm --json: the whole suite passes', () => {
    const r = runBpfTs(['conformance', DIR, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { passed: number; failed: number; skipped: number; failures: unknown[] };
    expect(out).toMatchObject({ passed: 313, failed: 0, skipped: 0, failures: [] });
  });

  it('reports a failing test and exits 1; bad input exits 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-ts-conf-'));
    try {
      writeFileSync(join(dir, 'wrong.data'), '-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n');
      writeFileSync(join(dir, 'right.data'), '-- asm\nmov32 %r0, -1\nexit\n-- result\n0xffffffff\n');
      const r = runBpfTs(['conformance', dir, '--json']);
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout) as { passed: number; failed: number; failures: { name: string; actual: string; expected: string }[] };
      expect(out.passed).toBe(1);
      expect(out.failures).toEqual([expect.objectContaining({ name: 'wrong.data', actual: '0x1', expected: '0x2' })]);
      const text = runBpfTs(['conformance', dir]);
      expect(text.stdout).toMatch(/FAIL wrong\.data: r0 is 0x1, expected 0x2/);
      expect(runBpfTs(['conformance', dir, '--runtime', 'qemu']).code).toBe(2);
      expect(runBpfTs(['conformance', join(dir, 'missing')]).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--runtime kernel: passes what the verifier accepts, skips the rest with its reason', (ctx) => {
    needKernel(ctx);
    const r = runBpfTs(['conformance', DIR, '--runtime', 'kernel', '--json'], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { passed: number; failed: number; skipped: number; skips: { reason: string }[] };
    expect(out.failed).toBe(0);
    expect(out.passed + out.skipped).toBe(313);
    for (const s of out.skips) expect(s.reason).toMatch(/^verifier: /);
  });
});
