// Bad input: malformed assembly gives AsmError with a line and column (never another
// exception, never a hang); random bytes through the printer and the listing never throw.
import { describe, expect, it } from 'vitest';
import { AsmError } from '../../src/asm/errors.js';
import { assemble, formatInstruction, listSection } from '../../src/asm/text/index.js';
import { SectionFlag, SectionType } from '../../src/elf/elf-file.js';
import { expectAsmError } from './support/asm-error.js';
import { generateProgram, rng } from './support/gen.js';

describe('errors name the line and column', () => {
  const cases: [string, number, number, RegExp][] = [
    ['r1 = 1\n r1 += r11\n', 2, 8, /invalid register r11/],
    ['r1 = 0x100000000\n', 1, 6, /does not fit in 32 bits/],
    ['w1 = -2147483649\n', 1, 6, /does not fit in 32 bits/],
    ['r1 = *(u32 *)(r2 + 32768)\n', 1, 20, /not a 16-bit signed integer/],
    ['*(u64 *)(r10 - 32769) = r1\n', 1, 16, /not a 16-bit signed integer/],
    ['r1 = *(u32 *)(r2 + -8)\n', 1, 20, /signed offset/],
    ['goto +32768\n', 1, 6, /16-bit/],
    ['if r1 > 5 goto -32769\n', 1, 16, /16-bit/],
    ['gotol +2147483648\n', 1, 7, /32 bits/],
    ['r1 = 0x10000000000000000 ll\n', 1, 6, /64 bits/],
    ['\tr1 = r2\n\tr1 %= w2\n', 2, 8, /both be r or both be w/],
    ['r1 = -r2\n', 1, 7, /same register/],
    ['w1 = be32 w1\n', 1, 6, /r registers/],
    ['r1 = 5 ;\n', 1, 8, /unexpected/],
    ['foo r1\n', 1, 1, /unknown instruction 'foo'/],
    ['.bogus 1\n', 1, 1, /unknown directive/],
    ['goto nowhere\n', 1, 6, /not defined/],
    ['.byte 256\n', 1, 7, /out of range/],
    ['.short -32769\n', 1, 8, /out of range/],
    ['a:\na:\n', 2, 1, /already defined/],
    ['call .Lmissing\n', 1, 6, /undefined temporary symbol/],
    ['r1 = foo\n', 1, 6, /not a constant/],
    ['r0 = *(u64 *)skb[1]\n', 1, 7, /u8, u16 or u32/],
    ['\n\n   r1 = *(u32 *)(r2 + 8\n', 3, 24, /expected '\)'/],
    ['/* never closed\nr1 = 1\n', 1, 1, /unterminated comment/],
    ['.asciz "abc\n', 1, 8, /unterminated string/],
    ['r1 = 1 ll\nw1 = 1 ll\n', 2, 1, /64-bit register/],
    ['r1 = cmpxchg_64(r2 + 0, r0, r3)\n', 1, 6, /r0/],
    ['.section .bss\n r1 = 1\n', 2, 2, /NOBITS/],
  ];
  for (const [source, line, column, message] of cases) {
    it(JSON.stringify(source), () => { expectAsmError(source, line, column, message); });
  }
});

describe('fuzzing the assembler', () => {
  it('mutated valid programs: assemble or AsmError, nothing else', () => {
    const r = rng(0xbad);
    const alphabet = ' \t\n()*+-=<>&|^%!sulwr0123456789x.,:;#/"\\[]abcdefgll_';
    let errors = 0;
    for (let i = 0; i < 600; i++) {
      const base = generateProgram(0xf00 + i, { dialect: 'full', maxInsns: 12 });
      const chars = [...base];
      const edits = 1 + Math.floor(r() * 6);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(r() * chars.length);
        const kind = Math.floor(r() * 3);
        if (kind === 0) chars.splice(at, 1);
        else if (kind === 1) chars.splice(at, 0, alphabet[Math.floor(r() * alphabet.length)]!);
        else chars[at] = alphabet[Math.floor(r() * alphabet.length)]!;
      }
      const source = chars.join('');
      try {
        assemble(source);
      } catch (e) {
        if (!(e instanceof AsmError)) throw new Error(`not an AsmError (${String(e)}) for:\n${source}`);
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.column).toBeGreaterThanOrEqual(1);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(100);
  });

  it('random strings: assemble or AsmError', () => {
    const r = rng(0x5717);
    for (let i = 0; i < 3000; i++) {
      const n = Math.floor(r() * 80);
      let s = '';
      for (let k = 0; k < n; k++) s += String.fromCharCode(r() < 0.9 ? 32 + Math.floor(r() * 95) : Math.floor(r() * 0x3000));
      try {
        assemble(s);
      } catch (e) {
        if (!(e instanceof AsmError)) throw new Error(`not an AsmError (${String(e)}) for ${JSON.stringify(s)}`);
      }
    }
  });

  it('pathological input stays bounded: deep parentheses, long numbers, long lines', () => {
    expectAsmError(`r1 = ${'('.repeat(10_000)}1${')'.repeat(10_000)}\n`, 1, undefined, /nested too deeply/);
    expectAsmError(`r1 = ${'9'.repeat(100_000)}\n`, 1, 6, /too long/);
    expectAsmError(`.zero ${2 ** 31}\n`, 1, 7, /out of range/);
    expectAsmError(`.p2align 40\n`, 1, 10, /out of range/);
    const many = `${'r1 += 1 + 1 - 1\n'.repeat(50_000)}`;
    expect(assemble(many).statements).toBe(50_000);
  });
});

describe('fuzzing the printer and the listing', () => {
  it('random slots: formatInstruction and listSection never throw', () => {
    const r = rng(0xd15);
    const bytes = new Uint8Array(8 * 20_000 + 5);
    for (let k = 0; k < bytes.length; k++) bytes[k] = Math.floor(r() * 256);
    const sec = { name: 'x', type: SectionType.PROGBITS, flags: SectionFlag.ALLOC | SectionFlag.EXECINSTR, data: bytes, align: 8 };
    const listed = listSection({ bigEndian: false, sections: [sec], symbols: [], relocations: [] }, sec, { relocations: true });
    expect(listed.instructions.length).toBeGreaterThan(10_000);
    for (const i of listed.instructions) expect(typeof formatInstruction(i.insn, { alu32: true })).toBe('string');
  });
});
