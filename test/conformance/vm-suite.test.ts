// The VM against the bpf_conformance suite (313 programs, expected 64-bit r0), and the VM
// against the kernel on the same programs (BPF_PROG_TEST_RUN through the conformance harness).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConformanceVm } from '../../src/vm/conformance.js';
import { parseConformance } from '../../src/asm/conformance.js';
import { runConformanceProgram } from '../../src/vm/conformance.js';
import { checkConformanceKernel } from '../../cli/commands/conformance.js';
import { needKernel } from '../support/env.js';

const DIR = new URL('../../../shared/conformance/', import.meta.url).pathname;
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.data')).sort().map((f) => join(DIR, f));

describe('bpf_conformance suite in the VM', () => {
  it('has all 313 files', () => {
    expect(FILES.length).toBe(313);
  });

  it.each(FILES.map((f) => [basename(f), f]))('%s', (name, file) => {
    for (const engine of ['compiled', 'interpreter'] as const) {
      const out = checkConformanceVm(name, readFileSync(file, 'utf8'), engine);
      expect(out.reason, engine).toBeUndefined();
      expect(out.status, engine).toBe('pass');
      expect(out.actual, engine).toBe(out.expected);
    }
  });
});

describe('the VM agrees with the kernel on every conformance program the verifier accepts', () => {
  it('kernel harness', (ctx) => {
    needKernel(ctx);
    const disagreements: string[] = [];
    let accepted = 0;
    for (const file of FILES) {
      const name = basename(file);
      const text = readFileSync(file, 'utf8');
      const k = checkConformanceKernel(name, text);
      if (k.status === 'skip') {
        // The refusals are shifts by out-of-range immediates and callx: nothing else.
        expect(k.reason, name).toMatch(/invalid shift|unknown opcode 8d/);
        continue;
      }
      accepted++;
      const t = parseConformance(text, name);
      const vm = runConformanceProgram(t.insns, t.mem).r0;
      const kernelR0 = k.actual;
      if (`0x${vm.toString(16)}` !== kernelR0) disagreements.push(`${name}: vm 0x${vm.toString(16)} kernel ${kernelR0}`);
      if (k.status !== 'pass') disagreements.push(`${name}: kernel ${k.reason}`);
    }
    expect(disagreements).toEqual([]);
    expect(accepted).toBeGreaterThanOrEqual(300);
  });
});
