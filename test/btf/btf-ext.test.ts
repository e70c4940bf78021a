import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BtfStringBuilder } from '../../src/btf/btf-strings.js';
import { decodeBtfExt, encodeBtfExt } from '../../src/btf/btf-ext.js';
import { decodeBtf } from '../../src/btf/decode-btf.js';
import { dumpBtf } from '../../src/btf/dump-btf.js';
import { encodeBtf } from '../../src/btf/encode-btf.js';
import { C_DIR, fixtureObjects, loadFixture, sectionData } from './fixtures.js';

describe('.BTF.ext of the clang fixtures', () => {
  for (const name of fixtureObjects) {
    const { elf } = loadFixture(name);
    const btf = decodeBtf(sectionData(elf, '.BTF')!);
    const ext = decodeBtfExt(sectionData(elf, '.BTF.ext')!, btf);
    const source = readFileSync(`${C_DIR}${name.replace(/\.o$/, '.c')}`, 'utf8').split('\n');

    it(`${name}: every func_info names the FUNC of the function symbol at that offset`, () => {
      const funcs = elf.symbols.filter((s) => s.kind === 'func');
      let n = 0;
      for (const block of ext.funcInfo) {
        for (const r of block.records) {
          const t = btf.type(r.typeId);
          expect(t.kind).toBe('func');
          const sym = funcs.find((s) => s.section === block.section && s.value === r.insnOff && s.name === t.name);
          expect(sym, `${block.section}+${r.insnOff} ${t.name}`).toBeDefined();
          n++;
        }
      }
      // every function symbol has exactly one func_info
      expect(n).toBe(funcs.length);
    });

    it(`${name}: every line_info quotes the C source line it points at`, () => {
      let n = 0;
      for (const block of ext.lineInfo) {
        const size = elf.sections.find((s) => s.name === block.section)!.data.length;
        for (const r of block.records) {
          expect(r.insnOff % 8).toBe(0);
          expect(r.insnOff).toBeLessThan(size);
          if (r.lineNum === 0) {
            expect(r.line).toBe(''); // compiler-generated code
            continue;
          }
          if (!r.fileName.endsWith(name.replace(/\.o$/, '.c'))) continue; // inlined from a header
          expect(r.line).toBe(source[r.lineNum - 1]);
          n++;
        }
      }
      expect(n).toBeGreaterThan(0);
    });

    it(`${name}: re-encoding .BTF and .BTF.ext together gives the same model`, () => {
      const strings = new BtfStringBuilder();
      const extBytes = encodeBtfExt(ext, strings);
      const btfBytes = encodeBtf(btf, { strings });
      const btf2 = decodeBtf(btfBytes);
      expect(dumpBtf(btf2)).toBe(dumpBtf(btf));
      expect(decodeBtfExt(extBytes, btf2)).toEqual(ext);
      const be = new BtfStringBuilder();
      const extBe = encodeBtfExt(ext, be, { bigEndian: true });
      expect(decodeBtfExt(extBe, decodeBtf(encodeBtf(btf, { strings: be, bigEndian: true })))).toEqual(ext);
    });
  }

  it('core.o carries CO-RE relocations of the kinds its source asks for', () => {
    const { elf } = loadFixture('core.o');
    const btf = decodeBtf(sectionData(elf, '.BTF')!);
    const ext = decodeBtfExt(sectionData(elf, '.BTF.ext')!, btf);
    const kinds = new Set(ext.coreRelos.flatMap((b) => b.records.map((r) => r.kind)));
    // byte offset, size, exists, signed, lshift, rshift, local/target id, type exists/size, enum exists/value
    for (const k of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) expect(kinds.has(k), `kind ${k}`).toBe(true);
  });
});
