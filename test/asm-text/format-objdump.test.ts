// formatInstruction against llvm-objdump-14 for every opcode byte with a spread of field
// values: every structurally valid v1-v3 instruction prints exactly as llvm-objdump-14 prints
// it (default and --mattr=+alu32). Where llvm-objdump-14 prints `<unknown>` or misprints
// (v4 forms, mod, JSET, ST imm, 32-bit atomics without alu32), our text must instead
// assemble back to the very same bytes.
import { afterAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/asm/encoding.js';
import { assemble, formatInstruction } from '../../src/asm/text/index.js';
import { invalidReason } from '../../src/asm/validate.js';
import { needOracle } from '../support/env.js';
import { Scratch, llvmMc, run } from './support/oracle.js';

const VARIANTS: [number, number, number][] = [
  // [regs, off, imm]
  [0x21, 0, 0], [0x21, 1, 5], [0x12, 8, 16], [0x9a, -3, 1], [0x00, 0, 0x100], [0x00, 0, 0x110], [0x21, 0, 0xe1],
  [0x21, 0, 0xf1], [0x21, 0, 0x41], [0x21, 0, 0x51], [0x21, 0, 0xa1], [0x21, 0, 0x40], [0x21, 0, 0x50], [0x21, 0, 0xa0],
  [0x21, 0, 0x01], [0x03, 16, 32], [0x03, 32, 64], [0x30, 0x7fff, -1], [0x03, -0x8000, 0x7fffffff], [0x10, 0, -0x80000000],
  [0x0a, 8, 0], [0x0a, 16, 0], [0x0a, 32, 0], [0x10, 1, 0x10001],
];

/** Our text is one llvm-objdump-14 cannot print (or prints wrongly). */
function beyondLlvm14(text: string): boolean {
  return /s\/=|s%=|[^s]%=|\(s(8|16|32)\)|\*\(s(8|16|32) \*\)|bswap|gotol|may_goto|load_acquire|store_release|addr_space_cast|callx|^if \S+ & |^\*\(u\d+ \*\)\([^)]*\) = -?\d+$|skb\[r\d+ [+-]/.test(text);
}

describe('formatInstruction vs llvm-objdump-14, opcode by opcode', () => {
  const scratch = new Scratch();
  afterAll(() => scratch.dispose());

  it('every valid encoding: identical text, or text that reassembles to the same bytes', (ctx) => {
    const mc = needOracle(ctx, 'llvm-mc-14');
    const objdump = needOracle(ctx, 'llvm-objdump-14');
    const slots: Uint8Array[] = [];
    for (let code = 0; code < 256; code++) {
      for (const [regs, off, imm] of VARIANTS) {
        const b = new Uint8Array(code === 0x18 ? 16 : 8);
        const dv = new DataView(b.buffer);
        b[0] = code; b[1] = regs; dv.setInt16(2, code === 0x18 ? 0 : off, true); dv.setInt32(4, imm, true);
        if (code === 0x18) dv.setInt32(12, off * 7, true);
        const insn = decode(b, { validate: false })[0]!;
        if (invalidReason(insn) === undefined) slots.push(b);
      }
    }
    expect(slots.length).toBeGreaterThan(400);
    const source = `\t.text\n${slots.map((b) => `\t.byte ${[...b].join(',')}`).join('\n')}\n`;
    llvmMc(mc, scratch, 'all', source);
    const obj = scratch.path('all.llvm.o');
    for (const alu32 of [false, true]) {
      const lines = run(objdump, ['-d', ...(alu32 ? ['--mattr=+alu32'] : []), obj]).stdout.split('\n').filter((l) => /^\s+\d+:\t/.test(l));
      expect(lines).toHaveLength(slots.length);
      let exact = 0;
      slots.forEach((b, i) => {
        const theirs = lines[i]!.split('\t').slice(2).join('\t').replace(/ <[^<>]*>$/, '');
        const ours = formatInstruction(decode(b)[0]!, alu32 ? { alu32: true } : {});
        const hex = Buffer.from(b).toString('hex');
        if (ours === theirs) { exact++; return; }
        // llvm-objdump-14 cannot print it, misprints it, or prints a callx/pseudo-load form we print better.
        const explained = theirs === '<unknown>' || beyondLlvm14(ours)
          // it drops ld_pseudo's high word, and reads fetch atomics and load_acquire as a lock add
          || (ours.startsWith('ld_pseudo') && ours.startsWith(`${theirs}, `))
          || (theirs.startsWith('lock ') && /atomic_fetch|load_acquire/.test(ours));
        expect(explained, `${hex}: ours '${ours}' vs llvm-objdump-14 '${theirs}'`).toBe(true);
        const back = assemble(`${ours}\n`).elf.sections[0]!.data;
        expect(Buffer.from(back).toString('hex'), `${hex}: '${ours}' (llvm-objdump-14: '${theirs}')`).toBe(hex);
      });
      expect(exact).toBeGreaterThan(slots.length * 0.7);
    }
  });
});
