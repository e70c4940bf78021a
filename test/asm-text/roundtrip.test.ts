// Round trips: text -> bytes -> text -> bytes (v1-v4, every form we print), and
// bytes -> text -> bytes for random valid instructions.
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/asm/encoding.js';
import type { Instruction } from '../../src/asm/instruction.js';
import { CALL, CALLX, LD_IMM64 } from '../../src/asm/opcode.js';
import { assemble, formatInstruction } from '../../src/asm/text/index.js';
import { invalidReason } from '../../src/asm/validate.js';
import { generateProgram, rng } from './support/gen.js';

/** Code sections of an assembled program, by name. */
function codeBytes(source: string): Map<string, Uint8Array> {
  const elf = assemble(source).elf;
  return new Map(elf.sections.filter((s) => (s.flags & 4) !== 0).map((s) => [s.name, s.data]));
}

/** Print every instruction of each section with formatInstruction, as assembly source. */
function print(sections: Map<string, Uint8Array>): string {
  const lines: string[] = [];
  for (const [name, bytes] of sections) {
    lines.push(`\t.section "${name}","ax",@progbits`);
    for (const insn of decode(bytes)) lines.push(`\t${formatInstruction(insn)}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('text -> bytes -> text -> bytes', () => {
  it('400 random programs with v4 and post-llvm-14 forms reassemble to the same bytes', () => {
    for (let i = 0; i < 400; i++) {
      const seed = 0xa11 + i;
      const source = generateProgram(seed, { dialect: 'full', noSymbols: true });
      const first = codeBytes(source);
      // decode() validates: the assembler only produces structurally valid instructions.
      const text = print(first);
      const second = codeBytes(text);
      for (const [name, bytes] of first) {
        expect(Buffer.from(second.get(name) ?? []).toString('hex'), `seed ${seed} section ${name}\n${text}`).toBe(Buffer.from(bytes).toString('hex'));
      }
    }
  });

  it('llvm-objdump --mattr=+alu32 style text reassembles too', () => {
    for (let i = 0; i < 100; i++) {
      const source = generateProgram(0xb22 + i, { dialect: 'full', noSymbols: true });
      const first = codeBytes(source);
      const lines: string[] = [];
      for (const [name, bytes] of first) {
        lines.push(`\t.section "${name}","ax",@progbits`);
        for (const insn of decode(bytes)) lines.push(`\t${formatInstruction(insn, { alu32: true })}`);
      }
      const second = codeBytes(`${lines.join('\n')}\n`);
      for (const [name, bytes] of first) expect(Buffer.from(second.get(name)!).equals(Buffer.from(bytes))).toBe(true);
    }
  });
});

describe('bytes -> text -> bytes', () => {
  it('20000 random valid instructions print as text that assembles to the same encoding', () => {
    const r = rng(0xc0de);
    const byte = (): number => Math.floor(r() * 256);
    // Bias towards valid opcodes: pick the opcode from the bytes of valid instructions seen so far.
    let checked = 0;
    for (let n = 0; n < 2_000_000 && checked < 20_000; n++) {
      const b = new Uint8Array(16);
      for (let k = 0; k < 16; k++) b[k] = byte();
      // Keep fields small often, so that more random slots are valid.
      if (r() < 0.7) { b[2] = r() < 0.5 ? 0 : b[2]!; b[3] = r() < 0.8 ? 0 : b[3]!; }
      if (r() < 0.5) { b[4] = r() < 0.5 ? 0 : b[4]!; b[5] = 0; b[6] = 0; b[7] = 0; }
      if (r() < 0.5) b[1] = b[1]! & 0x77;
      b[8] = 0; b[9] = 0; b[10] = 0; b[11] = 0;
      const len = b[0] === LD_IMM64 ? 16 : 8;
      let insn: Instruction;
      try {
        insn = decode(b.subarray(0, len), { validate: false })[0]!;
      } catch {
        continue;
      }
      if (invalidReason(insn) !== undefined) continue;
      // Not expressible in LLVM text: pseudo calls (src 1/2 print as `call N`, like llvm-objdump),
      // and callx's LLVM <= 18 imm encoding (we assemble the dst encoding).
      if (insn.code === CALL && insn.src !== 0) continue;
      if (insn.code === CALLX && insn.imm !== 0) continue;
      const text = formatInstruction(insn);
      let back: Uint8Array;
      try {
        back = assemble(`${text}\n`).elf.sections[0]!.data;
      } catch (e) {
        throw new Error(`'${text}' (${Buffer.from(b.subarray(0, len)).toString('hex')}) does not assemble: ${(e as Error).message}`);
      }
      expect(Buffer.from(back).toString('hex'), text).toBe(Buffer.from(encode([insn])).toString('hex'));
      checked++;
    }
    expect(checked).toBe(20_000);
  });
});
