// The unprivileged stack rules against the kernel itself: a process holding CAP_BPF alone
// (no CAP_PERFMON, so no uninitialised stack reads) loads each program; `lint --unprivileged`
// must give the kernel's verdict and message. (Fully unprivileged loading is disabled here:
// kernel.unprivileged_bpf_disabled=2.)
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Instruction } from '../../src/asm/instruction.js';
import { lintInstructions } from '../../src/lint/lint.js';
import { REPO_ROOT } from '../support/cli.js';
import { needKernel, needOracle } from '../support/env.js';
import { EXIT_INSN, LDX_MEM, MOV64_IMM, ST_MEM, SZ } from './insn.js';

const PROGRAMS: Record<string, Instruction[]> = {
  nothingWritten: [LDX_MEM(SZ.DW, 0, 10, -8), EXIT_INSN()],
  belowWritten: [ST_MEM(SZ.DW, 10, -16, 0), LDX_MEM(SZ.DW, 0, 10, -8), MOV64_IMM(0, 0), EXIT_INSN()],
  partlyWritten: [ST_MEM(SZ.W, 10, -8, 0), LDX_MEM(SZ.DW, 0, 10, -8), MOV64_IMM(0, 0), EXIT_INSN()],
  written: [ST_MEM(SZ.DW, 10, -8, 0), LDX_MEM(SZ.DW, 0, 10, -8), MOV64_IMM(0, 0), EXIT_INSN()],
};

/** The kernel's verdict for each program, loaded by a process with CAP_BPF only. */
function kernelVerdicts(): Record<string, string> {
  const script = `const { Program } = await import(${JSON.stringify(`${REPO_ROOT}dist/src/loader/index.js`)});
const progs = ${JSON.stringify(PROGRAMS)}; const out = {};
for (const [n, insns] of Object.entries(progs)) {
  try { Program.load({ type: 'socket_filter', insns, license: 'GPL', logLevel: 1 }).close(); out[n] = 'accept'; }
  catch (e) { out[n] = (e.errorLines ?? [e.message]).join(' | '); }
}
console.log(JSON.stringify(out));`;
  const r = spawnSync('setpriv', ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all,+bpf', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Record<string, string>;
}

describe('--unprivileged stack reads against a CAP_BPF-only kernel load', () => {
  it('verdicts and messages agree', (ctx) => {
    needKernel(ctx);
    needOracle(ctx, 'setpriv');
    const kernel = kernelVerdicts();
    for (const [name, insns] of Object.entries(PROGRAMS)) {
      const lint = lintInstructions(insns, { type: 'socket_filter', unprivileged: true });
      const predicted = lint.verdict === 'accept' ? 'accept' : lint.diagnostics.find((d) => d.severity === 'error')!.message;
      expect(predicted, name).toBe(kernel[name]);
    }
  });
});
