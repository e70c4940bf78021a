import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RelocType, SectionFlag, SectionType, type ElfFile } from '../../src/elf/elf-file.js';
import { ElfError } from '../../src/elf/errors.js';
import { readElf } from '../../src/elf/read-elf.js';
import { writeElf } from '../../src/elf/write-elf.js';
import { needOracle } from '../support/env.js';

const work = mkdtempSync(join(tmpdir(), 'bpf-ts-elfw-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

/** What an assembler hands the writer for test/fixtures/asm/sections.s: no section symbols. */
function sectionsModel(bigEndian: boolean): ElfFile {
  const le = (s: string): Uint8Array => hex(s);
  const be = (s: string): Uint8Array => hex(s);
  const pick = (l: string, b: string): Uint8Array => (bigEndian ? be(b) : le(l));
  return {
    bigEndian,
    sections: [
      { name: '.text', type: SectionType.PROGBITS, flags: SectionFlag.ALLOC | SectionFlag.EXECINSTR, align: 4,
        data: pick('b700000001000000' + '9500000000000000', 'b700000000000001' + '9500000000000000') },
      { name: 'xdp', type: SectionType.PROGBITS, flags: SectionFlag.ALLOC | SectionFlag.EXECINSTR, align: 1,
        data: pick('1801000000000000' + '0000000000000000' + '1802000000000000' + '0000000000000000' + '85100000ffffffff' + 'b700000002000000' + '9500000000000000',
                   '1810000000000000' + '0000000000000000' + '1820000000000000' + '0000000000000000' + '85010000ffffffff' + 'b700000000000002' + '9500000000000000') },
      { name: '.maps', type: SectionType.PROGBITS, flags: SectionFlag.WRITE | SectionFlag.ALLOC, align: 8, data: new Uint8Array(32) },
      { name: '.data', type: SectionType.PROGBITS, flags: SectionFlag.WRITE | SectionFlag.ALLOC, align: 4, data: pick('05000000', '00000005') },
      { name: 'license', type: SectionType.PROGBITS, flags: SectionFlag.WRITE | SectionFlag.ALLOC, align: 1, data: hex('47504c00') },
    ],
    symbols: [
      { name: 'lv', section: '.data', value: 0, size: 0, kind: 'notype', binding: 'local' },
      { name: 'sub', section: '.text', value: 0, size: 16, kind: 'func', binding: 'global' },
      { name: 'prog', section: 'xdp', value: 0, size: 56, kind: 'func', binding: 'global' },
      { name: 'map', section: '.maps', value: 0, size: 32, kind: 'object', binding: 'global' },
      { name: '_license', section: 'license', value: 0, size: 4, kind: 'notype', binding: 'global' },
    ],
    relocations: [
      { section: 'xdp', offset: 0, symbol: 'map', type: RelocType.R_BPF_64_64 },
      { section: 'xdp', offset: 16, symbol: '.data', sectionSymbol: true, type: RelocType.R_BPF_64_64 },
      { section: 'xdp', offset: 32, symbol: 'sub', type: RelocType.R_BPF_64_32 },
    ],
  };
}

describe('writeElf from an assembler-style model', () => {
  for (const [triple, big] of [['bpfel', false], ['bpfeb', true]] as const) {
    it(`a hand-built model of sections.s (${triple}) gives llvm-mc's exact bytes`, (ctx) => {
      const mc = needOracle(ctx, 'llvm-mc-14');
      const obj = join(work, `sections.${triple}.o`);
      const src = new URL('../fixtures/asm/sections.s', import.meta.url).pathname;
      const r = spawnSync(mc, ['-triple', triple, '-filetype=obj', src, '-o', obj], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const theirs = new Uint8Array(readFileSync(obj));
      const ours = writeElf(sectionsModel(big));
      expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(theirs).toString('hex'));
      // and reading it back yields the model plus the section symbol the relocation needed
      const back = readElf(ours);
      expect(back.symbols.filter((s) => s.kind === 'section').map((s) => s.name)).toEqual(['.data']);
    });
  }

  it('is deterministic', () => {
    expect(writeElf(sectionsModel(false))).toEqual(writeElf(sectionsModel(false)));
  });

  it('rejects unknown symbols, sections and generated section names with ElfError', () => {
    const m = sectionsModel(false);
    expect(() => writeElf({ ...m, relocations: [{ section: 'xdp', offset: 0, symbol: 'nope', type: 1 }] })).toThrow(ElfError);
    expect(() => writeElf({ ...m, relocations: [{ section: 'nope', offset: 0, symbol: 'map', type: 1 }] })).toThrow(ElfError);
    expect(() => writeElf({ ...m, symbols: [{ name: 'x', section: 'nope', value: 0, size: 0, kind: 'object', binding: 'global' }] })).toThrow(ElfError);
    expect(() => writeElf({ ...m, sections: [...m.sections, { name: '.symtab', type: SectionType.PROGBITS, flags: 0, align: 1, data: new Uint8Array() }] })).toThrow(ElfError);
    expect(() => writeElf({ ...m, sections: [...m.sections, m.sections[0]!] })).toThrow(/duplicate section/);
  });
});
