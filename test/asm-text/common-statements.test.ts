// The common-statement matcher (src/asm/text/common-statements.ts) against the general parser:
// for every source, assembling with and without the matcher gives the same object bytes and
// statement count, or the same error at the same line and column. Sources: generated programs
// of both dialects (both byte orders), the same programs with random edits, and lines chosen to
// sit on each edge of what the matcher accepts.
import { describe, expect, it } from 'vitest';
import { AsmError } from '../../src/asm/errors.js';
import { Assembler } from '../../src/asm/text/assembler.js';
import { assemble } from '../../src/asm/text/index.js';
import { writeElf } from '../../src/elf/write-elf.js';
import { generateProgram, rng } from './support/gen.js';

function outcome(source: string, commonStatements: boolean, bigEndian = false): string {
  try {
    const { elf, statements } = assemble(source, { commonStatements, bigEndian });
    return `${statements} statements ${Buffer.from(writeElf(elf)).toString('hex')}`;
  } catch (e) {
    if (!(e instanceof AsmError)) throw new Error(`not an AsmError (${String(e)}) for:\n${source}`);
    return `error ${e.message}`;
  }
}

function expectSameBothWays(source: string, bigEndian = false): string {
  const fast = outcome(source, true, bigEndian);
  expect(fast, source).toBe(outcome(source, false, bigEndian));
  return fast;
}

/** Share of the statements that the matcher read itself. */
function commonShare(source: string): number {
  const asm = new Assembler(source, {});
  asm.run();
  return asm.commonRead / asm.statements;
}

describe('common-statement matcher vs the general parser', () => {
  it('generated programs: same objects (both dialects, both byte orders)', () => {
    for (let i = 0; i < 150; i++) {
      const dialect = i % 2 === 0 ? 'llvm14' : 'full';
      const source = generateProgram(0xc0de + i, { dialect, maxInsns: 60 });
      expect(expectSameBothWays(source, i % 5 === 0)).not.toMatch(/^error/);
    }
  });

  it('reads most statements of clang-like code itself', () => {
    const source = generateProgram(0xc0de, { dialect: 'llvm14', maxInsns: 400 });
    expect(commonShare(source)).toBeGreaterThan(0.6);
    const typical = [
      '\t.globl f', '\t.p2align 3', '\t.type f,@function', 'f:', '\tr1 = r6', '\tw2 = 5', '\tr3 += r4', '\tw5 <<= 3', '\tr6 s>>= 1', '\tr1 = *(u32 *)(r2 + 4)',
      '\tr1 = *(s16 *)(r2 - 2)', '\t*(u64 *)(r10 - 8) = r1', '\t*(u32 *)(r10 - 4) = -1', '\tlock *(u64 *)(r1 + 0) += r2',
      '\tif r1 > r2 goto f', '\tif w1 s<= -7 goto f', '\tgoto f', '\tcall 12', '\tcall f', '\tr1 = m ll', '\tr2 = be32 r2',
      '\texit # done', '.Lfunc_end0:', '\t.size f, .Lfunc_end0-f', '\t.section .maps,"aw",@progbits', '\t.long 1', '\t.quad m', '',
    ].join('\n');
    const asm = new Assembler(typical, {});
    asm.run();
    expect(asm.commonRead).toBe(asm.statements - 1); // all but .section
  });

  it('programs with random edits: same object or same error', () => {
    const r = rng(0xed17);
    const alphabet = ' \t\n()*+-=<>&|^%!sulwr0123456789x.,:;#/"\\[]abcdefgll_R';
    let errors = 0;
    for (let i = 0; i < 800; i++) {
      const chars = [...generateProgram(0xe0 + i, { dialect: i % 2 === 0 ? 'llvm14' : 'full', maxInsns: 12 })];
      for (let e = 1 + Math.floor(r() * 4); e > 0; e--) {
        const at = Math.floor(r() * chars.length);
        const kind = Math.floor(r() * 3);
        if (kind === 0) chars.splice(at, 1);
        else if (kind === 1) chars.splice(at, 0, alphabet[Math.floor(r() * alphabet.length)]!);
        else chars[at] = alphabet[Math.floor(r() * alphabet.length)]!;
      }
      if (expectSameBothWays(chars.join('')).startsWith('error')) errors++;
    }
    expect(errors).toBeGreaterThan(100);
  });

  // Each line alone before a defined label L (so jumps resolve), and again after `.set K, 5`.
  const EDGES = [
    // registers spelled unusually, or not registers at all
    'r01 = 1', 'R1 = 2', 'W3 = w4', 'r10 = r1', 'r11 = 1', 'r1 = r11 ll', 'goto r11', 'r1 = r1x ll', 'r1:', 'w1 = r2',
    // names that are instructions after `R =`, and symbols
    'r1 = be16 ll', 'r1 = bswap16 ll', 'r1 = le64 r1', 'r1 = be32 r2', 'w1 = be32 w1', 'r1 = bswap32 r1',
    'r1 = atomic_fetch_add ll', 'r1 = map ll', 'r1 = map + 8 ll', 'r1 = map ll # c', 'w1 = map ll', 'r1 = . ll',
    'r1 = K ll', 'r1 = L ll', 'r1 = u64 ll', 'r1 = goto ll', 'r1 = ll ll', 'r1 = s ll', 'r1 = $x ll',
    // numbers
    'r1 = 0', 'r1 = 0777', 'r1 = 08', 'r1 = 0b101', 'r1 = 0x', 'r1 = 0xFfFf', 'r1 = 0xffffffff', 'r1 = 4294967296',
    'r1 = -2147483648', 'r1 = -2147483649', 'r1 = 2147483648', 'r1 = 1234567890123456', 'r1 = 12ab', 'r1 = - 5',
    'r1 = -r1', 'r1 = -0', 'r1 -= -5', 'r1 += 5 + 3', 'r1 = 5 ll', 'r1 = K', 'r1 = (s8)r2', 'w1 = (s16)w2',
    // operators
    'r1 s/= 3', 'r1 s%= r2', 'r1 s>>= 3', 'r1 s>> 3', 'r1 <<= 70', 'r1 << 3', 'r1 == 5', 'r1 = = 5', 'r1 + = 5',
    'r1 %= 3', 'w1 /= w2', 'r1 ^= -1', 'r1 &= r2', 'r1 |= 0x10', 'r1 *= 3', 'r1 *= r2', 'r1 -= r2', 'w1 >>= w3',
    // memory
    'r1 = *(u64 *)(r2 + 32767)', 'r1 = *(u64 *)(r2 + 32768)', 'r1 = *(u8 *)(r2 - 32768)', 'r1 = *(u8 *)(r2 - 32769)',
    'w1 = *(u64 *)(r2 + 0)', 'w1 = *(u32 *)(r2 + 0)', 'w1 = *(s8 *)(r2 + 0)', 'r1 = *(s32 *)(r2 - 4)', 'r1 = *(s64 *)(r2 + 0)',
    'r1 = *(u32 *)(w2 + 0)', 'r1 = *(u32 *)(r2)', 'r1 = *(u32*)(r2+4)', 'r1 = * ( u32 * ) ( r2 + 4 )', 'r1 = *(u32 *)(r2 + -8)',
    'r1 = *(u32 *)(r2 + 8 + 4)', 'r1 = *(u32 *)(r2 + K)', 'r1 = *(u32 *)(r2 + 0x10)', 'r0 = *(u8 *)skb[4]',
    '*(s8 *)(r1 + 0) = r2', '*(u64 *)(r1 + 0) = w2', '*(u32 *)(r1 + 0) = w2', '*(u8 *)(w1 + 0) = 1', '*(u16 *)(r1) = 7',
    '*(u32 *)(r10 - 4) = -1', '*(u32 *)(r10 - 4) = 4294967295', '*(u32 *)(r10 - 4) = 4294967296', '*(u64 *)(r10 - 8) == r1',
    'lock *(u8 *)(r1 + 0) += r2', 'lock *(u64 *)(r1 + 0) += w2', 'lock *(u32 *)(r1 + 0) -= w2', 'lock *(u32 *)(r1 + 0) |= w2',
    'lock *(u64 *)(r1 - 8) ^= r3', 'lock *(u64 *)(r1 + 0) &= r3', 'lock *(s32 *)(r1 + 0) += w2',
    // jumps and calls
    'if r1 > w2 goto L', 'if r1 s> 5 goto L', 'if r1 s>= -5 goto L', 'if w1 & 0xff goto L', 'if r1 >> 2 goto L',
    'if r1 == r2 goto +3', 'if r1 == r2 goto .', 'if r1 == r2 goto K', 'if r1 != 4294967295 goto L', 'if r1 < r2 goto L',
    'if r1 <= 1 goto L', 'if r1 >= 1 goto L', 'if r1 s< r2 goto L', 'if r1 s<= r2 goto L', 'if r1 = r2 goto L',
    'if r1 ! r2 goto L', 'if r1 s > r2 goto L', 'if r1 == r2 goto L + 8', 'if r1 == r2 gotoL', 'if r1 == r2 goto L x',
    'goto L', 'goto L + 8', 'goto .', 'goto K', 'goto exit', 'goto nowhere', 'gotol L', 'goto -1',
    'call 5', 'call -1', 'call 4294967295', 'call 4294967296', 'call foo', 'call .', 'call K', 'call L', 'call exit',
    // statement ends and labels
    'exit', 'exit 1', 'exit # c', 'exit // c', 'exit /* c */', 'exit /* c', 'exit ;', 'L2: exit', 'L2:', 'L2 :',
    '"q": exit', '.: exit', 'exit:', 'L:', '.LBB0_1:', 'r1 = r2 # c /* d', '\tr1\t=\tr2\r', 'r1 = r2 // x', '',
    // directives around functions and data
    '.globl f', '.global f', '.globl f, g', '.globl "f"', '.globl .', '.globl L', '.type f,@function', '.type f, @object',
    '.type f,%function', '.type f,@notype', '.type f,@tls_object', '.type f,@bogus', '.type f,"function"', '.type f @function',
    '.size f, .Lend-f', '.size f, L-f', '.size f, .Lend - f', '.size f, K-f', '.size f, f-K', '.size f, 8', '.size L, .Lend-L',
    '.size f, .Lend-f+1', '.size f, .-f', '.size f, L-.',
    '.p2align 3', '.p2align 0', '.p2align 16', '.p2align 17', '.p2align 31', '.p2align 32', '.p2align 3, 0', '.p2align -1',
    '.p2align 4294967295', '.p2align K', 'exit\n.p2align 2', 'exit\n.p2align 4',
    '.byte 255', '.byte 256', '.byte -128', '.byte -129', '.short 65535', '.short 65536', '.short -32768', '.short -32769',
    '.long 4294967295', '.long -2147483648', '.long 4294967296', '.quad 4294967295', '.quad -1', '.quad 2147483648',
    '.long 1, 2', '.quad map', '.long map', '.short map', '.byte map', '.long K', '.long .', '.long L', '.long .text',
    '.quad undefined_sym', '.long .Lnowhere', '.byte 0x10', '.long 0777', '.long', '.globl', '.type f', '.size f',
    '.bss\n.globl v\nv:\n.p2align 3\n.long 1', '.bss\n.p2align 2\n.quad 0', '.section .data\n.p2align 3\n.quad map',
    // sections where instructions are not allowed
    '.bss\nv: r1 = 1', '.bss\nv:', '.section .bss.x,"aw",@nobits\nw: exit',
  ];

  it('edge lines: same object or same error', () => {
    let accepted = 0;
    for (const line of EDGES) {
      for (const prefix of ['', '.set K, 5\n']) {
        const source = `${prefix}${line}\nL:\n\texit\nf:\n\texit\n.Lend:\n`;
        if (!expectSameBothWays(source).startsWith('error')) accepted++;
        expectSameBothWays(source, true);
      }
      expectSameBothWays(line); // no newline at the end of the input
    }
    expect(accepted).toBeGreaterThan(100);
  });
});
