// The conformance reader: ubpf-syntax encodings against llvm-mc-14 (the same programs in
// LLVM syntax), the v4 forms against the ISA table, labels, sections and errors.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleUbpf, parseConformance } from '../../src/asm/conformance.js';
import { encode } from '../../src/asm/encoding.js';
import { AsmError } from '../../src/asm/errors.js';
import { needOracle } from '../support/env.js';

const lines = (text: string) => text.split('\n').map((t, i) => ({ text: t.trim(), line: i + 1, column: 1 })).filter((l) => l.text !== '');
const bytesOf = (text: string): number[] => [...encode(assembleUbpf(lines(text)))];

// [ubpf, LLVM text llvm-mc-14 accepts] (asm-syntax.md part B, mapping table)
const CASES: ReadonlyArray<readonly [string, string]> = [
  ['mov %r1, 2', 'r1 = 2'], ['mov32 %r1, 2', 'w1 = 2'], ['mov %r0, -1', 'r0 = -1'], ['mov %r0, 0xffffffff', 'r0 = -1'],
  ['add32 %r0, %r1', 'w0 += w1'], ['add %r3, 0x7fffffff', 'r3 += 2147483647'], ['sub64 %r1, %r2', 'r1 -= r2'],
  ['mul %r1, 3', 'r1 *= 3'], ['div32 %r1, %r2', 'w1 /= w2'], ['or %r1, 16', 'r1 |= 16'], ['and32 %r1, 255', 'w1 &= 255'],
  ['lsh %r1, 3', 'r1 <<= 3'], ['rsh32 %r1, %r2', 'w1 >>= w2'], ['arsh %r1, 1', 'r1 s>>= 1'], ['xor32 %r1, %r2', 'w1 ^= w2'],
  ['neg %r1', 'r1 = -r1'], ['neg32 %r2', 'w2 = -w2'],
  ['le16 %r0', 'r0 = le16 r0'], ['le64 %r1', 'r1 = le64 r1'], ['be32 %r1', 'r1 = be32 r1'], ['be64 %r0', 'r0 = be64 r0'],
  ['lddw %r0, 0x1122334455667788', 'r0 = 0x1122334455667788 ll'], ['lddw %r2, -1', 'r2 = -1 ll'],
  ['ldxb %r0, [%r1+2]', 'r0 = *(u8 *)(r1 + 2)'], ['ldxh %r0, [%r1-2]', 'r0 = *(u16 *)(r1 - 2)'],
  ['ldxw %r0, [%r10-4]', 'r0 = *(u32 *)(r10 - 4)'], ['ldxdw %r3, [%r1]', 'r3 = *(u64 *)(r1 + 0)'],
  ['stxb [%r10-1], %r1', '*(u8 *)(r10 - 1) = r1'], ['stxh [%r10-2], %r1', '*(u16 *)(r10 - 2) = r1'],
  ['stxw [%r10-4], %r1', '*(u32 *)(r10 - 4) = r1'], ['stxdw [%r10-8], %r1', '*(u64 *)(r10 - 8) = r1'],
  ['lock add [%r10-8], %r1', 'lock *(u64 *)(r10 - 8) += r1'], ['lock add32 [%r1+8], %r2', 'lock *(u32 *)(r1 + 8) += w2'],
  ['lock or [%r1], %r2', 'lock *(u64 *)(r1 + 0) |= r2'], ['lock and [%r1], %r2', 'lock *(u64 *)(r1 + 0) &= r2'],
  ['lock xor32 [%r1], %r2', 'lock *(u32 *)(r1 + 0) ^= w2'],
  ['ja +3', 'goto +3'], ['ja -1', 'goto -1'], ['jeq %r1, 0, +1', 'if r1 == 0 goto +1'], ['jne %r1, %r2, +1', 'if r1 != r2 goto +1'],
  ['jgt %r1, 5, +2', 'if r1 > 5 goto +2'], ['jge %r1, %r2, +2', 'if r1 >= r2 goto +2'], ['jlt %r1, 5, +2', 'if r1 < 5 goto +2'],
  ['jle %r1, %r2, +2', 'if r1 <= r2 goto +2'], ['jsgt %r1, -5, +2', 'if r1 s> -5 goto +2'], ['jsge %r1, %r2, +2', 'if r1 s>= r2 goto +2'],
  ['jslt %r1, 5, +2', 'if r1 s< 5 goto +2'], ['jsle %r1, %r2, -2', 'if r1 s<= r2 goto -2'],
  ['jeq32 %r1, 7, +1', 'if w1 == 7 goto +1'], ['jne32 %r2, 0xffffff80, +1', 'if w2 != -128 goto +1'],
  ['jgt32 %r1, 7, +1', 'if w1 > 7 goto +1'], ['jsle32 %r1, %r2, +1', 'if w1 s<= w2 goto +1'],
  ['call 1', 'call 1'], ['call helper 6', 'call 6'], ['exit', 'exit'],
];

describe('ubpf syntax encodes like llvm-mc-14', () => {
  it('every form llvm-mc-14 can also assemble', (ctx) => {
    const llvmMc = needOracle(ctx, 'llvm-mc-14');
    const r = spawnSync(llvmMc, ['-triple', 'bpfel', '-mcpu=v3', '-show-encoding'], { input: CASES.map(([, l]) => l).join('\n'), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const enc = [...r.stdout.matchAll(/encoding: \[([^\]]*)\]/g)].map((m) => m[1]!.split(',').map((b) => Number(b.trim())));
    expect(enc).toHaveLength(CASES.length);
    CASES.forEach(([u], i) => expect(bytesOf(u), u).toEqual(enc[i]));
  });
});

describe('v4 and non-LLVM forms (opcode bytes from the ISA table)', () => {
  it.each([
    ['sdiv %r1, %r2', [0x3f, 0x21, 1, 0]], ['smod32 %r1, 3', [0x94, 0x01, 1, 0]],
    ['movsx832 %r2, %r1', [0xbc, 0x12, 8, 0]], ['movsx3264 %r0, %r9', [0xbf, 0x90, 32, 0]], ['movsx1664 %r0, %r9', [0xbf, 0x90, 16, 0]],
    ['swap16 %r0', [0xd7, 0x00, 0, 0]], ['bswap64 %r3', [0xd7, 0x03, 0, 0]],
    ['ldxsb %r0, [%r1]', [0x91, 0x10, 0, 0]], ['ldxsh %r0, [%r1+2]', [0x89, 0x10, 2, 0]], ['ldxsw %r0, [%r1]', [0x81, 0x10, 0, 0]],
    ['stw [%r10-4], 7', [0x62, 0x0a, 0xfc, 0xff]], ['stdw [%r1+0x7fff], 1', [0x7a, 0x01, 0xff, 0x7f]],
    ['jset %r1, %r2, +1', [0x4d, 0x21, 1, 0]], ['jset32 %r1, 4, +1', [0x46, 0x01, 1, 0]],
    ['lock fetch add [%r10-8], %r1', [0xdb, 0x1a, 0xf8, 0xff]], ['lock xchg [%r10-8], %r1', [0xdb, 0x1a, 0xf8, 0xff]],
    ['lock cmpxchg32 [%r10-8], %r1', [0xc3, 0x1a, 0xf8, 0xff]], ['call %r2', [0x8d, 0x02, 0, 0]],
    ['mod %r1, %r2', [0x9f, 0x21, 0, 0]],
  ] as const)('%s', (text, head) => {
    expect(bytesOf(text).slice(0, 4)).toEqual([...head]);
  });

  it('atomic imm values', () => {
    const imm = (t: string) => assembleUbpf(lines(t))[0]!.imm;
    expect(imm('lock fetch add [%r1], %r2')).toBe(0x01);
    expect(imm('lock fetch or32 [%r1], %r2')).toBe(0x41);
    expect(imm('lock and [%r1], %r2')).toBe(0x50);
    expect(imm('lock fetch xor [%r1], %r2')).toBe(0xa1);
    expect(imm('lock xchg32 [%r1], %r2')).toBe(0xe1);
    expect(imm('lock cmpxchg [%r1], %r2')).toBe(0xf1);
  });
});

describe('labels and targets', () => {
  it('resolves labels in slots (lddw counts twice) and `exit` to the first exit', () => {
    const insns = assembleUbpf(lines(`
      jeq %r1, 0, done
      lddw %r0, 5
      ja exit
      done:
      mov %r0, 1
      exit
      mov %r0, 2
      exit`));
    expect(insns[0]!.off).toBe(3); // slots: jeq 0, lddw 1-2, ja 3, mov 4 -> 4 - 1
    expect(insns[2]!.off).toBe(1); // ja at 3 -> exit at 5
    const call = assembleUbpf(lines('call local f\nexit\nf:\nexit'));
    expect(call[0]).toMatchObject({ code: 0x85, src: 1, imm: 1 });
    const ja32 = assembleUbpf(lines('ja32 L\nmov %r0, 1\nL:\nexit'));
    expect(ja32[0]).toMatchObject({ code: 0x06, off: 0, imm: 1 });
  });

  it('-- raw replaces -- asm (lddw.data)', () => {
    const t = parseConformance(readFileSync(new URL('../../../shared/conformance/lddw.data', import.meta.url), 'utf8'));
    expect(t.raw).toHaveLength(3);
    expect(encode(t.insns)).toEqual(encode(t.asm!));
    expect(t.result).toBe(0x1122334455667788n);
  });

  it('reads -- mem and -- result', () => {
    const t = parseConformance('-- asm\nldxb %r0, [%r1+1] # comment\nexit\n-- mem\n00 ff\n  aa\n-- result\n-1\n');
    expect([...t.mem!]).toEqual([0, 0xff, 0xaa]);
    expect(t.result).toBe(0xffffffffffffffffn);
  });
});

describe('errors carry line and column', () => {
  const err = (text: string): AsmError => {
    try {
      parseConformance(text);
    } catch (e) {
      expect(e).toBeInstanceOf(AsmError);
      return e as AsmError;
    }
    throw new Error('no error');
  };
  it.each([
    ['-- asm\nmov %r0, 1\nfoo %r1\nexit\n', 3, 1, /unknown instruction/],
    ['-- asm\nmov %r0,  0x100000000\nexit\n', 2, 11, /does not fit 32 bits/],
    ['-- asm\nmov %r0, 2147483648\n', 2, 10, /does not fit 32 bits/],
    ['-- asm\n  ja nowhere\n', 2, 6, /unknown label 'nowhere'/],
    ['-- asm\nL:\nL:\nexit\n', 3, 1, /duplicate label/],
    ['-- asm\nldxw %r0, [%r1+40000]\n', 2, 11, /does not fit 16 bits/],
    ['-- asm\nldxw %r0, %r1\n', 2, 11, /memory operand/],
    ['-- asm\nmov %x0, 1\n', 2, 5, /register/],
    ['-- asm\nadd %r1\n', 2, 1, /takes 2 operands/],
    ['-- asm\nexit\n-- result\nzz\n', 4, 1, /expected a number/],
    ['-- asm\nexit\n-- mem\n0g\n', 4, 1, /hex byte/],
    ['-- asm\nexit\n-- bogus\n', 3, 1, /unknown section/],
    ['# only a comment\n', 1, 1, /no -- asm/],
  ] as const)('%#: %s', (text, line, column, re) => {
    const e = err(text);
    expect(e.message).toMatch(re);
    expect([e.line, e.column]).toEqual([line, column]);
  });
});
