// Directives for common and external symbols (.comm, .lcomm, .extern), as clang emits them
// with -fcommon and for tentative definitions: the same object bytes as llvm-mc-14 in both
// byte orders, on the repository's assembly fixtures and on small sources of each form.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/text/index.js';
import { writeElf } from '../../src/elf/write-elf.js';
import { needOracle } from '../support/env.js';
import { expectAsmError } from './support/asm-error.js';
import { Scratch, llvmMc } from './support/oracle.js';

const scratch = new Scratch();
afterAll(() => scratch.dispose());

const FIXTURES = ['bss-weak.s', 'sections.s'].map((f) => readFileSync(new URL(`../fixtures/asm/${f}`, import.meta.url), 'utf8'));

const SOURCES = [
  // a global common symbol (SHN_COMMON, value = alignment), local ones placed in .bss, and
  // .bss used afterwards; relocations against each
  '\t.text\nf:\n\tr1 = g ll\n\tr2 = l ll\n\tr3 = m ll\n\texit\n\t.comm g,16,8\n\t.local l\n\t.comm l,4,4\n\t.lcomm m,12\n\t.type g,@object\n\t.section .bss,"aw",@nobits\nq:\n\t.zero 8\n',
  // .comm without alignment, a .bss that exists already, .extern of used and unused names
  '\t.bss\n\t.zero 3\n\t.text\nf:\n\tr1 = a ll\n\tr2 = e ll\n\texit\n\t.local a\n\t.comm a,8,8\n\t.comm b,2\n\t.extern e, unused\n\t.globl f\n',
  // a weak common symbol and a hidden one
  '\t.text\nf:\n\texit\n\t.weak w\n\t.comm w,4,4\n\t.hidden h\n\t.comm h,8,8\n',
];

describe('.comm, .lcomm and .extern', () => {
  it('assemble to llvm-mc-14\'s bytes (little and big endian)', (ctx) => {
    const mc = needOracle(ctx, 'llvm-mc-14');
    [...FIXTURES, ...SOURCES].forEach((source, i) => {
      for (const bigEndian of [false, true]) {
        const theirs = llvmMc(mc, scratch, `c${i}${bigEndian ? 'be' : ''}`, source, bigEndian ? 'bpfeb' : 'bpfel');
        const ours = writeElf(assemble(source, { bigEndian }).elf);
        expect(Buffer.from(ours).equals(Buffer.from(theirs)), `source ${i}${bigEndian ? ' (big endian)' : ''}`).toBe(true);
      }
    });
  });

  it('refuse what llvm-mc-14 refuses, at the right place', () => {
    const cases: [string, RegExp][] = [
      ['\t.lcomm m,12,16\n', /1:14: alignment not supported on this target/], // llvm-mc-14: the same, there
      ['x:\n\t.comm x,4\n', /2:8: symbol 'x' is already defined/],
      ['\t.comm y,4,3\n', /1:12: alignment must be a power of 2/],
      ['\t.comm z\n', /expected ','/],
    ];
    for (const [source, message] of cases) expectAsmError(source, undefined, undefined, message);
  });
});
