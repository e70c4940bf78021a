// Issue 6: a load rejection and a lint finding read alike. The kernel's answer (`bpf-ts load`,
// and VerifierError from Program.load) and the lint's prediction name the same message,
// instruction and source line, in the same `file:line[:col]: error: msg [prog insn N]` format.
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { add, assemble, exit, jgt, label, ldxh, ldxw, mov, r0, r1, r2, r3, r4 } from '../../src/asm/dsl/index.js';
import { formatText } from '../../src/lint/format.js';
import { lintInstructions } from '../../src/lint/lint.js';
import { Program, VerifierError } from '../../src/loader/index.js';
import { REPO_ROOT, runBpfTs } from '../support/cli.js';
import { needKernel } from '../support/env.js';

/** `file:line[:col]: error: message [prog insn N]` → its parts. */
function finding(line: string): { file: string; line: number; message: string; prog: string; insn: number } {
  const m = /^(.+?):(\d+)(?::\d+)?: error: (.*) \[(\S+) insn (\d+)\]$/.exec(line);
  expect(m, `not a finding line: ${line}`).not.toBeNull();
  return { file: basename(m![1]!), line: Number(m![2]), message: m![3]!, prog: m![4]!, insn: Number(m![5]) };
}

describe('bpf-ts load and bpf-ts lint read alike', () => {
  it('legacy.o: same message, instruction and source line', (ctx) => {
    needKernel(ctx);
    const obj = `${REPO_ROOT}test/fixtures/obj/legacy.o`;
    const load = runBpfTs(['load', obj]);
    const lint = runBpfTs(['lint', obj]);
    expect(load.code).toBe(1);
    expect(lint.code).toBe(1);
    const kernel = finding(load.stderr.split('\n')[0]!);
    const predicted = finding(lint.stdout.split('\n')[0]!);
    expect(kernel.message).toMatch(/invalid read from stack/); // the kernel's own line
    expect(kernel).toEqual(predicted);
    // and the source text line that follows it
    expect(load.stderr.split('\n')[1]).toBe(lint.stdout.split('\n')[1]);
    expect(load.stderr.split('\n')[1]).toMatch(/^ {2}\| bpf_map_lookup_elem\(&legacy_hash, &k\);$/);
  });

  it('a DSL program with an unchecked packet read: VerifierError.diagnostic matches the lint diagnostic', (ctx) => {
    needKernel(ctx);
    const { insns } = assemble([
      ldxw(r2, r1, 0), // data
      ldxw(r3, r1, 4), // data_end
      mov(r4, r2),
      add(r4, 12),
      jgt(r4, r3, 'out'),
      ldxh(r0, r2, 12), // 2 bytes past the checked 12
      label('out'),
      mov(r0, 2),
      exit(),
    ]);
    let err: unknown;
    try {
      Program.load({ type: 'xdp', name: 'unchecked', insns }).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VerifierError);
    const v = err as VerifierError;
    const lint = lintInstructions(insns, { type: 'xdp', name: 'unchecked', section: 'xdp' });
    expect(lint.verdict).toBe('reject');
    const d = lint.diagnostics[0]!;
    expect(v.diagnostic.message).toMatch(/invalid access to packet/);
    expect({ message: v.diagnostic.message, insn: v.diagnostic.insn, line: v.diagnostic.source?.line, file: v.diagnostic.source?.file })
      .toEqual({ message: d.message, insn: d.insn, line: d.source?.line, file: d.source?.file });
    expect(v.diagnostic.source?.file).toContain('load-vs-lint.test.ts');
    expect(v.insn).toBe(v.diagnostic.insn);
    expect(v.errorLines[0]).toBe(v.diagnostic.message);
    // the CLI's rendering of both: the same first line
    const loadFirst = v.format().split('\n')[0]!;
    const lintFirst = formatText({ programs: [lint] }).split('\n')[0]!;
    expect(finding(loadFirst)).toEqual(finding(lintFirst));
  });
});
