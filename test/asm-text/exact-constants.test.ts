// Constants the way llvm-mc-14 computes them: exactly, in 64-bit two's complement (no value
// rounded through a double), `.set` symbols beyond 2^53 in the symbol table, and zeros in
// NOBITS sections (clang writes zero-initialised globals in .bss as `.quad 0`). Same object
// bytes as llvm-mc-14; what llvm-mc-14 would truncate without a word is an error here.
import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/text/index.js';
import { writeElf } from '../../src/elf/write-elf.js';
import { readElf } from '../../src/elf/read-elf.js';
import { needOracle } from '../support/env.js';
import { expectAsmError } from './support/asm-error.js';
import { Scratch, llvmMc } from './support/oracle.js';

const scratch = new Scratch();
afterAll(() => scratch.dispose());

const SOURCES = [
  '\t.text\n\t.quad 9007199254740992 + 1\n\t.quad 0x20000000000001 * 3\n\t.quad 0x4000000000000000 / 3 - 1\n',
  '\t.text\n\tr1 = 9007199254740993 + 2 ll\n\tr2 = 0x7fffffffffffffff + 1 ll\n\tr3 = 0xffffffffffffffff + 2 ll\n\tr4 = -1 + 0x10000000000 ll\n',
  '\t.text\n\t.quad (1 << 62) + (1 << 61) + 7\n\t.quad ~0x123456789abcdef0\n\t.quad -0x8000000000000000\n\t.long 0x100000000 >> 4\n',
  '\t.set M, 0x1234567890abcdef\n\t.set N, -0x20000000000001\n\t.globl M\n\t.text\n\tr1 = M ll\n\tr2 = N ll\n\t.quad M, N\n',
  '\t.section .bss,"aw",@nobits\n\t.globl cnt\n\t.p2align 3\ncnt:\n\t.quad 0\n\t.size cnt, 8\nb:\n\t.byte 0, 0\n\t.short 0\n\t.long 0\n\t.zero 4\n',
];

describe('exact constants', () => {
  it('assemble to llvm-mc-14\'s bytes', (ctx) => {
    const mc = needOracle(ctx, 'llvm-mc-14');
    SOURCES.forEach((source, i) => {
      const theirs = llvmMc(mc, scratch, `x${i}`, source);
      const ours = writeElf(assemble(source).elf);
      expect(Buffer.from(ours).equals(Buffer.from(theirs)), source).toBe(true);
    });
  });

  it('a symbol value beyond 2^53 reads back exactly', () => {
    const elf = readElf(writeElf(assemble('\t.set M, 0x1234567890abcdef\n\t.globl M\n').elf));
    expect(elf.symbols.find((s) => s.name === 'M')?.bigValue).toBe(0x1234567890abcdefn);
  });

  it('refuses what llvm-mc-14 would truncate or cannot store', () => {
    const cases: [string, RegExp][] = [
      ['\t.quad 1 << 70\n', /shift amount 70 is not in \[0, 63\]/],
      ['\t.byte 0xffffffffffffffff\n', /out of range literal value/],
      ['\t.bss\n\t.long 1\n', /NOBITS: it can only hold zeros/],
      ['\t.bss\nx:\n\t.quad x\n', /NOBITS: it can only hold zeros/],
      ['\tr1 = 1 << 1000000000000 ll\n', /shift amount/],
    ];
    for (const [source, message] of cases) expectAsmError(source, undefined, undefined, message);
  });
});
