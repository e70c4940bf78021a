// The built CLI: `bpf-ts asm` and `bpf-ts disasm` as a user runs them (needs `npx tsc -p tsconfig.json`).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readElf } from '../../src/elf/read-elf.js';
import { REPO_ROOT, runBpfTs } from '../support/cli.js';
import { needOracle } from '../support/env.js';
import { generateProgram } from './support/gen.js';
import { Scratch, llvmMc, run } from './support/oracle.js';

// Each case spawns the CLI a few times; on a busy machine that takes a while.
describe('bpf-ts asm / disasm', { timeout: 240_000 }, () => {
  const scratch = new Scratch();
  afterAll(() => scratch.dispose());

  it('asm writes the same object as llvm-mc-14; disasm prints what llvm-objdump-14 -d prints', (ctx) => {
    const mc = needOracle(ctx, 'llvm-mc-14');
    const objdump = needOracle(ctx, 'llvm-objdump-14');
    const source = generateProgram(77, { dialect: 'llvm14', maxInsns: 60 });
    const want = llvmMc(mc, scratch, 'cli', source);
    const src = scratch.path('cli.s');
    const out = scratch.path('cli.ours.o');
    const r = runBpfTs(['asm', src, '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(Buffer.from(readFileSync(out)).equals(Buffer.from(want))).toBe(true);

    // --alu32: llvm-objdump-14 without it cannot print 32-bit lock or/and/xor (we can).
    const d = runBpfTs(['disasm', out, '--alu32']);
    expect(d.code).toBe(0);
    expect(d.stdout).toBe(run(objdump, ['-d', '--mattr=+alu32', out]).stdout);
    const dr = runBpfTs(['disasm', out, '--reloc', '--alu32']);
    expect(dr.stdout).toBe(run(objdump, ['-d', '-r', '--mattr=+alu32', out]).stdout);
    const ds = runBpfTs(['disasm', out, '--section', '.text', '--alu32']);
    expect(ds.stdout).toBe(run(objdump, ['-d', '--mattr=+alu32', '-j', '.text', out]).stdout);

    // --source output assembles back to the same object sections (bytes) as llvm-mc's.
    const again = scratch.write('again.s', runBpfTs(['disasm', out, '--source']).stdout);
    const out2 = scratch.path('again.o');
    expect(runBpfTs(['asm', again, '-o', out2]).code).toBe(0);
    const model = (p: string): unknown => {
      const e = readElf(new Uint8Array(readFileSync(p)));
      return {
        sections: e.sections.map((x) => [x.name, x.type, x.flags, x.align, Buffer.from(x.data).toString('hex')]),
        relocations: e.relocations.map((r) => [r.section, r.offset, r.symbol, r.sectionSymbol === true, r.type]),
      };
    };
    expect(model(out2)).toEqual(model(out));
  });

  it('--json: asm summary and disasm listing', () => {
    const src = scratch.write('j.s', '\t.text\n\t.globl f\nf:\n\tr0 = 1\n\tif r0 > 2 goto +1\n\tr1 = 0x1122334455667788 ll\n\texit\n');
    const out = scratch.path('j.o');
    const a = runBpfTs(['asm', src, '-o', out, '--json']);
    expect(a.code).toBe(0);
    const summary = JSON.parse(a.stdout) as { statements: number; symbols: { name: string; binding: string }[] };
    expect(summary.statements).toBe(7);
    expect(summary.symbols).toEqual([expect.objectContaining({ name: 'f', binding: 'global' })]);
    const d = runBpfTs(['disasm', out, '--json']);
    expect(d.code).toBe(0);
    const listing = JSON.parse(d.stdout) as { sections: { name: string; instructions: { index: number; text: string }[] }[] };
    expect(listing.sections[0]!.instructions.map((i) => [i.index, i.text])).toEqual([
      [0, 'r0 = 1'], [1, 'if r0 > 2 goto +1 <f+0x18>'], [2, 'r1 = 1234605616436508552 ll'], [4, 'exit'],
    ]);
  });

  it('- is stdout for asm -o and stdin for disasm and lint', () => {
    const src = scratch.write('p.s', '\t.section xdp,"ax",@progbits\n\t.globl f\n\t.type f,@function\nf:\n\tr0 = 1\n\texit\n\t.size f, 16\n\t.section license,"aw",@progbits\n\t.asciz "GPL"\n');
    const out = scratch.path('p.o');
    expect(runBpfTs(['asm', src, '-o', out]).code).toBe(0);
    const bin = `"${process.execPath}" bin/bpf-ts.cjs`;
    const sh = (cmd: string): string => spawnSync('bash', ['-c', `set -o pipefail; ${cmd}`], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 }).stdout;
    expect(sh(`${bin} asm "${src}" -o - | cmp - "${out}" && echo same`)).toBe('same\n');
    const listing = runBpfTs(['disasm', out]).stdout;
    expect(sh(`${bin} disasm - < "${out}"`)).toBe(listing.replace(`${out}:`, '-:'));
    expect(JSON.parse(sh(`${bin} lint - --format json < "${out}"`))).toMatchObject({ programs: [{ name: 'f', verdict: 'accept' }] });
    const both = runBpfTs(['asm', src, '-o', '-', '--json']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('cannot go with --json');
  });

  it('an AsmError exits 2 with file:line:col on stderr', () => {
    const src = scratch.write('bad.s', '\tr1 = 1\n\tr1 = *(u32 *)(r2 + 40000)\n');
    const r = runBpfTs(['asm', src, '-o', scratch.path('bad.o')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${src}:2:21: offset 40000 is not a 16-bit signed integer`);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
  });

  it('disasm of a file that is not ELF exits 2; an unknown section is a usage error', () => {
    const junk = scratch.write('junk.o', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(runBpfTs(['disasm', junk]).code).toBe(2);
    const src = scratch.write('ok.s', 'exit\n');
    const out = scratch.path('ok.o');
    expect(runBpfTs(['asm', src, '-o', out]).code).toBe(0);
    const r = runBpfTs(['disasm', out, '--section', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no section named nope');
  });
  it('asm reads UTF-8 source (strings and a quoted symbol name) the way llvm-mc-14 does', (ctx) => {
    const mc = needOracle(ctx, 'llvm-mc-14');
    const source = [
      '\t.text',
      '\t.globl f',
      'f:',
      '\tr0 = 0',
      '\texit',
      '\t.section .rodata,"a",@progbits',
      '"ünïcode_sym":',
      '\t.ascii "héllo wörld ✓"',
      '\t.asciz "日本"',
      '',
    ].join('\n');
    const want = llvmMc(mc, scratch, 'utf8', source);
    const out = scratch.path('utf8.ours.o');
    const r = runBpfTs(['asm', scratch.path('utf8.s'), '-o', out]);
    expect(r.stderr).toBe('');
    expect(Buffer.from(readFileSync(out)).equals(Buffer.from(want))).toBe(true);
  });
});
