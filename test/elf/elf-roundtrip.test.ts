import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readElf } from '../../src/elf/read-elf.js';
import { writeElf } from '../../src/elf/write-elf.js';
import { needOracle } from '../support/env.js';
import { normalize, readelf } from './readelf-oracle.js';

const ASM_DIR = new URL('../fixtures/asm/', import.meta.url).pathname;
const OBJ_DIR = new URL('../fixtures/obj/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'bpf-ts-elf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const asmFiles = readdirSync(ASM_DIR).filter((f) => f.endsWith('.s')).sort();
const clangObjects = (() => {
  try {
    return readdirSync(OBJ_DIR).filter((f) => f.endsWith('.o')).sort();
  } catch {
    return [];
  }
})();

describe('ELF read/write against llvm-mc-14 and llvm-readelf-14', () => {
  for (const file of asmFiles) {
    for (const triple of ['bpfel', 'bpfeb']) {
      it(`${file} (${triple}): model matches readelf, and writing it back gives llvm-mc's exact bytes`, (ctx) => {
        const mc = needOracle(ctx, 'llvm-mc-14');
        const re = needOracle(ctx, 'llvm-readelf-14');
        const obj = join(work, `${file}.${triple}.o`);
        const r = spawnSync(mc, ['-triple', triple, '-filetype=obj', join(ASM_DIR, file), '-o', obj], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        const bytes = new Uint8Array(readFileSync(obj));
        const model = readElf(bytes);
        expect(model.bigEndian).toBe(triple === 'bpfeb');
        expect(normalize(model)).toEqual(readelf(re, obj));
        const ours = writeElf(model);
        expect(Buffer.from(ours).equals(Buffer.from(bytes))).toBe(true);
        const again = join(work, `${file}.${triple}.rt.o`);
        writeFileSync(again, ours);
        expect(readelf(re, again)).toEqual(readelf(re, obj));
      });
    }
  }

  for (const file of clangObjects) {
    it(`clang object ${file}: model matches readelf; rewritten object reads the same (minus .llvm_addrsig)`, (ctx) => {
      const re = needOracle(ctx, 'llvm-readelf-14');
      const path = join(OBJ_DIR, file);
      const model = readElf(new Uint8Array(readFileSync(path)));
      const theirs = readelf(re, path);
      expect(normalize(model)).toEqual(theirs);
      const again = join(work, `${file}.rt.o`);
      writeFileSync(again, writeElf(model));
      expect(readelf(re, again)).toEqual(theirs);
      expect(writeElf(readElf(writeElf(model)))).toEqual(writeElf(model));
    });
  }
});
