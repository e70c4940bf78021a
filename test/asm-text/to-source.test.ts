// ELF -> assembly source -> ELF: disassembleToSource's output assembles back to the same
// section bytes, relocations and symbols.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble, disassembleToSource } from '../../src/asm/text/index.js';
import type { ElfFile } from '../../src/elf/elf-file.js';
import { readElf } from '../../src/elf/read-elf.js';
import { writeElf } from '../../src/elf/write-elf.js';
import { generateProgram } from './support/gen.js';

function sections(e: ElfFile): unknown[] {
  return e.sections.map((s) => ({ name: s.name, type: s.type, flags: s.flags, align: s.align, size: s.size ?? s.data.length, data: Buffer.from(s.data).toString('hex') }));
}
function relocs(e: ElfFile): unknown[] {
  return e.relocations.map((r) => ({ section: r.section, offset: r.offset, symbol: r.symbol, sectionSymbol: r.sectionSymbol === true, type: r.type }))
    .sort((a, b) => (a.section < b.section ? -1 : a.section > b.section ? 1 : a.offset - b.offset));
}
function symbols(e: ElfFile): unknown[] {
  return e.symbols.filter((s) => s.kind !== 'section')
    .map((s) => ({ name: s.name, section: s.section, value: s.value, size: s.size, kind: s.kind, binding: s.binding }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

describe('disassembleToSource', () => {
  it('300 random programs (v1-v4, symbols, relocations, data) survive ELF -> text -> ELF', () => {
    for (let i = 0; i < 300; i++) {
      const seed = 0x70 + i;
      const original = readElf(writeElf(assemble(generateProgram(seed, { dialect: i % 2 === 0 ? 'full' : 'llvm14' })).elf));
      const text = disassembleToSource(original);
      const again = assemble(text).elf;
      expect(sections(again), `seed ${seed}\n${text}`).toEqual(sections(original));
      expect(relocs(again), `seed ${seed}\n${text}`).toEqual(relocs(original));
      expect(symbols(again), `seed ${seed}\n${text}`).toEqual(symbols(original));
    }
  });

  it('labels inside NOBITS sections, common and weak common symbols, the fixtures', () => {
    const sources = [
      '\t.text\nf:\n\tr1 = g ll\n\tr2 = l ll\n\tr3 = m ll\n\texit\n\t.comm g,16,8\n\t.local l\n\t.comm l,4,4\n\t.lcomm m,12\n\t.weak w\n\t.hidden w\n\t.comm w,4,4\n\t.section .bss,"aw",@nobits\nq:\n\t.zero 8\nr:\n',
      ...['bss-weak.s', 'sections.s'].map((f) => readFileSync(new URL(`../fixtures/asm/${f}`, import.meta.url), 'utf8')),
    ];
    for (const source of sources) {
      const original = readElf(writeElf(assemble(source).elf));
      const text = disassembleToSource(original);
      const again = assemble(text).elf;
      expect(sections(again), text).toEqual(sections(original));
      expect(relocs(again), text).toEqual(relocs(original));
      expect(symbols(again), text).toEqual(symbols(original));
    }
  });

  it('.llvm_addrsig: read as the symbols it lists, written back as .addrsig_sym', () => {
    const source = '\t.text\n\t.globl f\nf:\n\tr1 = m ll\n\texit\n\t.data\nm:\n\t.long 1\n\t.addrsig\n\t.addrsig_sym m\n\t.addrsig_sym f\n';
    const original = readElf(writeElf(assemble(source).elf));
    expect(original.addrsig).toEqual(['m', 'f']);
    const text = disassembleToSource(original);
    expect(text).toMatch(/\t\.addrsig\n\t\.addrsig_sym m\n\t\.addrsig_sym f\n/);
    expect(readElf(writeElf(assemble(text).elf)).addrsig).toEqual(['m', 'f']);
  });

  it('big-endian objects too', () => {
    for (let i = 0; i < 50; i++) {
      const original = assemble(generateProgram(0x900 + i, { dialect: 'full' }), { bigEndian: true }).elf;
      const again = assemble(disassembleToSource(original), { bigEndian: true }).elf;
      expect(sections(again)).toEqual(sections(original));
      expect(relocs(again)).toEqual(relocs(original));
    }
  });
});
