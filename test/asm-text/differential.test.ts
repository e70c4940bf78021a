// Differential tests against llvm-mc-14 and llvm-objdump-14 on seeded random v1-v3 programs
// (labels, jumps, calls within and across sections, externs, map symbols with `ll`, data
// directives with symbol references):
// (a) our object == llvm-mc-14's object: the model (sections, bytes, symbols, relocations) read
//     back with an independent reader, and the ELF bytes written by writeElf;
// (b) `disassembleElf` == `llvm-objdump-14 -d -r` (and --mattr=+alu32) line for line.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble, disassembleElf } from '../../src/asm/text/index.js';
import { readElf } from '../../src/elf/read-elf.js';
import { writeElf } from '../../src/elf/write-elf.js';
import { findTool, needOracle } from '../support/env.js';
import { generateProgram } from './support/gen.js';
import { readElfForTest } from './support/mini-elf.js';
import { Scratch, llvmMcMany, run } from './support/oracle.js';

const PROGRAMS = 240;
const BE_PROGRAMS = 40;
const SEED0 = 0x5eed;

/** A canonical JSON form of an ElfFile model (key order fixed, bytes as hex). */
function canon(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(canon);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).filter((k) => o[k] !== undefined && k !== 'symbolIndex').sort().map((k) => [k, canon(o[k])]));
  }
  return v;
}

const scratch = new Scratch();
const sources = Array.from({ length: PROGRAMS }, (_, i) => generateProgram(SEED0 + i, { dialect: 'llvm14' }));
const beSources = Array.from({ length: BE_PROGRAMS }, (_, i) => generateProgram(SEED0 + 10_000 + i, { dialect: 'llvm14' }));
let objects: string[] = [];
let beObjects: string[] = [];

beforeAll(async () => {
  const mc = findTool('llvm-mc-14');
  if (mc === undefined) return;
  objects = await llvmMcMany(mc, scratch, 'p', sources);
  beObjects = await llvmMcMany(mc, scratch, 'be', beSources, 'bpfeb');
}, 600_000);
afterAll(() => scratch.dispose());

describe('assembler vs llvm-mc-14 on random v1-v3 programs', { timeout: 240_000 }, () => {
  it(`${PROGRAMS} programs: same sections, bytes, symbols and relocations; identical ELF bytes`, (ctx) => {
    needOracle(ctx, 'llvm-mc-14');
    for (let i = 0; i < PROGRAMS; i++) {
      const theirs = new Uint8Array(readFileSync(objects[i]!));
      const ours = assemble(sources[i]!).elf;
      expect(canon(ours), `seed ${SEED0 + i}:\n${sources[i]}`).toEqual(canon(readElfForTest(theirs)));
      const bytes = writeElf(ours);
      expect(Buffer.from(bytes).equals(Buffer.from(theirs)), `ELF bytes differ for seed ${SEED0 + i}`).toBe(true);
    }
  });

  it(`${BE_PROGRAMS} big-endian programs match llvm-mc-14 -triple bpfeb`, (ctx) => {
    needOracle(ctx, 'llvm-mc-14');
    for (let i = 0; i < BE_PROGRAMS; i++) {
      const theirs = new Uint8Array(readFileSync(beObjects[i]!));
      const ours = assemble(beSources[i]!, { bigEndian: true }).elf;
      expect(canon(ours), `seed ${SEED0 + 10_000 + i}:\n${beSources[i]}`).toEqual(canon(readElfForTest(theirs)));
      expect(Buffer.from(writeElf(ours)).equals(Buffer.from(theirs)), `BE ELF bytes differ for seed ${SEED0 + 10_000 + i}`).toBe(true);
    }
  });
});

describe('disassembler vs llvm-objdump-14 -d -r', { timeout: 240_000 }, () => {
  for (const alu32 of [false, true]) {
    it(`${PROGRAMS} objects${alu32 ? ' with --mattr=+alu32' : ''}: identical listing, line for line`, (ctx) => {
      needOracle(ctx, 'llvm-mc-14');
      const objdump = needOracle(ctx, 'llvm-objdump-14');
      // One llvm-objdump process for all objects: it prints them one after the other.
      const want = run(objdump, ['-d', '-r', ...(alu32 ? ['--mattr=+alu32'] : []), ...objects]);
      expect(want.code, want.stderr).toBe(0);
      const got = objects.map((obj) => disassembleElf(readElf(new Uint8Array(readFileSync(obj))), { fileName: obj, relocations: true, alu32 })).join('');
      const g = got.split('\n');
      const w = want.stdout.split('\n');
      let file = '';
      let checked = 0;
      for (let k = 0; k < Math.max(g.length, w.length); k++) {
        if (w[k]?.endsWith('file format elf64-bpf') === true) file = w[k]!;
        if (g[k] === w[k]) { checked++; continue; }
        const gk = g[k]?.split('\t') ?? [];
        const wk = w[k]?.split('\t') ?? [];
        if (!alu32 && wk[2] === '<unknown>' && gk[0] === wk[0] && gk[1] === wk[1] && gk[2] !== '<unknown>') {
          // llvm-objdump-14 cannot print a 32-bit lock or/and/xor without --mattr=+alu32;
          // ours must then be text that assembles back to exactly these bytes.
          const back = assemble(`${gk[2]!}\n`).elf.sections[0]!.data;
          expect(Buffer.from(back).toString('hex'), `${file}: '${gk[2]}'`).toBe(wk[1]!.replaceAll(' ', ''));
          continue;
        }
        expect(`${file} line ${k + 1}: ${g[k]}`).toBe(`${file} line ${k + 1}: ${w[k]}`);
      }
      expect(checked).toBeGreaterThan(PROGRAMS * 10);
    });
  }
});
