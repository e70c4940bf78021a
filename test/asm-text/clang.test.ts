// Real compiler output: clang-14 -S of a small XDP program (maps, a bpf-to-bpf call, globals,
// strings, BTF, and with -g DWARF) assembled by us and by llvm-mc-14. Without -g the objects
// are identical; with -g everything but the DWARF line/frame tables that llvm-mc builds from
// .loc/.cfi_* (which we ignore) is identical.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble, disassembleToSource } from '../../src/asm/text/index.js';
import { readElf } from '../../src/elf/read-elf.js';
import type { ElfFile } from '../../src/elf/elf-file.js';
import { writeElf } from '../../src/elf/write-elf.js';
import { needOracle } from '../support/env.js';
import { readElfForTest } from './support/mini-elf.js';
import { Scratch, run } from './support/oracle.js';

const SOURCE = fileURLToPath(new URL('./fixtures/xdp-counter.c', import.meta.url));
const ARCH_INCLUDE = ['/usr/include/x86_64-linux-gnu', '/usr/include/aarch64-linux-gnu'].filter((d) => existsSync(`${d}/asm/types.h`));

function withoutDebug(e: ElfFile): unknown {
  const keep = (n: string): boolean => !n.startsWith('.debug') && n !== '.llvm_addrsig';
  return {
    sections: e.sections.filter((s) => keep(s.name)).map((s) => [s.name, s.type, s.flags, s.align, Buffer.from(s.data).toString('hex')]),
    relocations: e.relocations.filter((r) => keep(r.section)).map((r) => [r.section, r.offset, r.symbol, r.sectionSymbol === true, r.type]),
    symbols: e.symbols.filter((s) => s.kind !== 'section').map((s) => [s.name, s.section, s.value, s.size, s.kind, s.binding]),
  };
}

describe('clang-14 -S output', { timeout: 240_000 }, () => {
  const scratch = new Scratch();
  afterAll(() => scratch.dispose());

  for (const flags of [['-O2'], ['-O2', '-mcpu=v3'], ['-O2', '-g'], ['-O2', '-g', '-mcpu=v3']]) {
    it(flags.join(' '), (ctx) => {
      const clang = needOracle(ctx, 'clang-14');
      const mc = needOracle(ctx, 'llvm-mc-14');
      const name = flags.join('').replace(/[^a-z0-9]/gi, '');
      const asmPath = scratch.path(`${name}.s`);
      const cc = run(clang, ['-target', 'bpf', ...ARCH_INCLUDE.map((d) => `-I${d}`), ...flags, '-S', SOURCE, '-o', asmPath]);
      expect(cc.code, cc.stderr).toBe(0);
      const objPath = scratch.path(`${name}.o`);
      const m = run(mc, ['-triple', 'bpfel', '-mcpu=v3', '-filetype=obj', asmPath, '-o', objPath]);
      expect(m.code, m.stderr).toBe(0);
      const theirs = new Uint8Array(readFileSync(objPath));
      const ours = assemble(readFileSync(asmPath, 'utf8'), { file: asmPath }).elf;
      if (flags.includes('-g')) {
        expect(withoutDebug(ours)).toEqual(withoutDebug(readElfForTest(theirs)));
      } else {
        expect(Buffer.from(writeElf(ours)).equals(Buffer.from(theirs))).toBe(true);
      }
      // And back: llvm-mc's object -> disassembleToSource -> assemble keeps every section's bytes.
      const back = assemble(disassembleToSource(readElf(theirs))).elf;
      // (.llvm_addrsig holds symbol indices, and the symbol order may differ after the trip.)
      const bytes = (e: ElfFile): [string, string][] => e.sections.filter((s) => s.name !== '.llvm_addrsig').map((s) => [s.name, Buffer.from(s.data).toString('hex')]);
      expect(bytes(back)).toEqual(bytes(readElfForTest(theirs)));
    });
  }

  it('-mcpu=v3 sign extension: clang-14 prints `w0 = w1` as `r0 = w1` (llvm-mc-14 refuses it); we read clang\'s own bytes', (ctx) => {
    const clang = needOracle(ctx, 'clang-14');
    const c = scratch.write('sext.c', 'long sext(int x) { return x; }\nlong zext(unsigned x) { return x; }\n');
    const asmPath = scratch.path('sext.s');
    const objPath = scratch.path('sext.o');
    for (const out of [['-S', '-o', asmPath], ['-c', '-o', objPath]]) expect(run(clang, ['-target', 'bpf', '-O2', '-mcpu=v3', c, ...out]).code).toBe(0);
    const text = readFileSync(asmPath, 'utf8');
    expect(text).toMatch(/\tr0 = w1\n/);
    const ours = assemble(text).elf.sections.find((s) => s.name === '.text')!;
    const theirs = readElf(new Uint8Array(readFileSync(objPath))).sections.find((s) => s.name === '.text')!;
    expect(Buffer.from(ours.data).toString('hex')).toBe(Buffer.from(theirs.data).toString('hex'));
    expect(() => assemble('\tw0 = r1\n')).toThrow(/both be r or both be w/);
  });
});
