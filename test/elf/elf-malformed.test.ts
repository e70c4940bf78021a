import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ElfError } from '../../src/elf/errors.js';
import { readElf } from '../../src/elf/read-elf.js';
import { writeElf } from '../../src/elf/write-elf.js';
import { needOracle } from '../support/env.js';

const ASM = new URL('../fixtures/asm/bss-weak.s', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'bpf-ts-elf-bad-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A small deterministic PRNG (xorshift32) so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

/** Parsing must either succeed or throw ElfError with an offset inside the file. */
function expectOnlyElfError(bytes: Uint8Array, what: string): void {
  try {
    const model = readElf(bytes);
    // Whatever parsed must also be writable or rejected with ElfError.
    try {
      writeElf(model);
    } catch (e) {
      if (!(e instanceof ElfError)) throw new Error(`${what}: writeElf threw ${String(e)}`);
    }
  } catch (e) {
    if (!(e instanceof ElfError)) throw new Error(`${what}: threw ${e instanceof Error ? e.stack : String(e)}`);
    expect(e.message.split('\n')).toHaveLength(1);
    if (e.offset !== undefined) {
      expect(e.offset).toBeGreaterThanOrEqual(0);
      expect(e.offset).toBeLessThan(Math.max(bytes.length, 64));
    }
  }
}

function fixture(ctx: { skip(note?: string): void }): Uint8Array {
  const mc = needOracle(ctx, 'llvm-mc-14');
  const out = join(work, 'f.o');
  const r = spawnSync(mc, ['-triple', 'bpfel', '-filetype=obj', ASM, '-o', out], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return new Uint8Array(readFileSync(out));
}

describe('readElf on bad input', () => {
  it('every truncation gives ElfError (or parses, when only trailing padding is cut)', (ctx) => {
    const good = fixture(ctx);
    let errors = 0;
    for (let n = 0; n < good.length; n++) {
      try {
        readElf(good.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(ElfError);
        errors++;
      }
    }
    expect(errors).toBe(good.length); // section headers are at the end: every cut breaks them
  });

  it('random byte flips never throw anything but ElfError', (ctx) => {
    const good = fixture(ctx);
    const next = rng(12345);
    for (let iter = 0; iter < 3000; iter++) {
      const bad = good.slice();
      const flips = 1 + (next() % 8);
      for (let k = 0; k < flips; k++) bad[next() % bad.length] = next() & 0xff;
      expectOnlyElfError(bad, `iteration ${iter}`);
    }
  });

  it('flips inside the headers (where they hurt) never throw anything but ElfError', (ctx) => {
    const good = fixture(ctx);
    const dv = new DataView(good.buffer, good.byteOffset);
    const shoff = Number(dv.getBigUint64(40, true));
    const next = rng(777);
    for (let iter = 0; iter < 3000; iter++) {
      const bad = good.slice();
      const at = iter % 2 === 0 ? next() % 64 : shoff + (next() % (bad.length - shoff));
      bad[at] = next() & 0xff;
      expectOnlyElfError(bad, `iteration ${iter} (byte ${at})`);
    }
  });

  it('random bytes with an ELF header prefix give ElfError', () => {
    const next = rng(99);
    for (let iter = 0; iter < 500; iter++) {
      const bad = new Uint8Array(64 + (next() % 512)).map(() => next() & 0xff);
      bad.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
      bad[16] = 1; bad[17] = 0; bad[18] = 247; bad[19] = 0;
      expectOnlyElfError(bad, `iteration ${iter}`);
    }
  });

  it('a section header claiming 4 GiB is rejected without allocating, naming the header field', (ctx) => {
    const good = fixture(ctx);
    const dv = new DataView(good.buffer, good.byteOffset);
    const shoff = Number(dv.getBigUint64(40, true));
    const bad = good.slice();
    const bdv = new DataView(bad.buffer);
    bdv.setBigUint64(shoff + 2 * 64 + 32, 0x1_0000_0000n, true); // section 2 (.text) sh_size
    let err: unknown;
    try { readElf(bad); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ElfError);
    expect((err as ElfError).offset).toBe(shoff + 2 * 64 + 24);
    expect((err as ElfError).message).toMatch(/runs past the end/);
  });

  it('a symbol table claiming millions of entries is rejected', (ctx) => {
    const good = fixture(ctx);
    const dv = new DataView(good.buffer, good.byteOffset);
    const shoff = Number(dv.getBigUint64(40, true));
    const shnum = dv.getUint16(60, true);
    const bad = good.slice();
    const bdv = new DataView(bad.buffer);
    bdv.setBigUint64(shoff + (shnum - 1) * 64 + 32, 24n * 10_000_000n, true); // .symtab is last
    expect(() => readElf(bad)).toThrow(ElfError);
  });

  it('rejects non-ELF, 32-bit and non-BPF headers with the offset of the field', () => {
    const hdr = new Uint8Array(64);
    expect(() => readElf(hdr)).toThrow(/bad magic/);
    hdr.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    expect(() => readElf(hdr)).toThrow(/at byte 4 .*not ELF64/);
    hdr[4] = 2;
    hdr[16] = 1;
    hdr[18] = 62;
    expect(() => readElf(hdr)).toThrow(/at byte 18 .*e_machine 62/);
  });
});
