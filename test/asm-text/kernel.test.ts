// v4 and the forms llvm-mc-14 cannot parse, checked against the kernel: assemble a program
// that uses them, write the object, load it with `bpftool -d prog load` (which prints the
// verifier log, instruction by instruction), and compare the kernel's own disassembly with
// ours. The kernel's text differs in style only (`(r10 -8)`, `goto pc+0`, hex compare
// immediates, `atomic64_xchg(...)`); normalize() maps it onto LLVM's.
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/asm/encoding.js';
import { assemble, formatInstruction } from '../../src/asm/text/index.js';
import { writeElf } from '../../src/elf/write-elf.js';
import { needKernel, needOracle } from '../support/env.js';
import { rng } from './support/gen.js';
import { Scratch, run } from './support/oracle.js';

/** A verifier-safe XDP program using every v4 / post-llvm-14 form, immediates from the seed. */
function kernelProgram(seed: number): string {
  const r = rng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const imm = (): number => int(2 ** 31) - 2 ** 30;
  const small = (): number => 1 + int(1000);
  const slot = (): number => -8 * (1 + int(4)); // fp-8 .. fp-32, 8-byte aligned
  const s32 = (): number => -16 - 4 * int(2);
  const body = [
    ...[2, 3, 4, 5, 6, 7, 8, 9].map((n) => `r${n} = ${imm()}`),
    `*(u64 *)(r10 - 8) = ${imm()}`, `*(u64 *)(r10 - 16) = ${imm()}`, `*(u64 *)(r10 - 24) = ${imm()}`, `*(u64 *)(r10 - 32) = ${imm()}`,
    `r2 s/= ${small()}`, `r3 s%= ${-small()}`, `r2 %= ${small()}`, `w3 s/= w2`, `w4 s%= ${small()}`, `r5 s/= r3`, `r6 s%= r4`,
    `r4 = (s8)r2`, `r4 = (s16)r3`, `r4 = (s32)r5`, `w4 = (s8)w3`, `w5 = (s16)w6`,
    'r5 = bswap16 r5', 'r6 = bswap32 r6', 'r7 = bswap64 r7', 'r7 = le64 r7', 'r8 = be16 r8',
    `*(u32 *)(r10 ${s32()}) = ${imm()}`, `*(u16 *)(r10 - 20) = ${int(65536) - 32768}`, `*(u8 *)(r10 - 21) = ${int(256) - 128}`,
    `r6 = *(s8 *)(r10 ${slot()})`, `r6 = *(s16 *)(r10 ${slot()})`, `r6 = *(s32 *)(r10 ${slot()})`,
    `if r6 & ${imm()} goto +0`, 'if w6 & w2 goto +0', 'if r6 & r7 goto +0', 'r0 = 0',
    'gotol +0', 'may_goto +0',
    'r7 = 1',
    `r7 = atomic_fetch_add((u64 *)(r10 ${slot()}), r7)`,
    `w7 = atomic_fetch_or((u32 *)(r10 ${s32()}), w7)`,
    `w7 = atomic_fetch_xor((u32 *)(r10 ${s32()}), w7)`,
    `r7 = atomic_fetch_and((u64 *)(r10 ${slot()}), r7)`,
    `r7 = xchg_64(r10 ${slot()}, r7)`,
    `w7 = xchg32_32(r10 ${s32()}, w7)`,
    `lock *(u32 *)(r10 ${s32()}) |= w7`, `lock *(u64 *)(r10 ${slot()}) ^= r7`, `lock *(u32 *)(r10 ${s32()}) &= w7`,
    'r0 = 0',
    `r0 = cmpxchg_64(r10 ${slot()}, r0, r7)`,
    `w0 = cmpxchg32_32(r10 ${s32()}, w0, w7)`,
    `r8 = load_acquire((u64 *)(r10 ${slot()}))`, `w8 = load_acquire((u8 *)(r10 ${slot()}))`,
    `w8 = load_acquire((u16 *)(r10 ${slot()}))`, `w8 = load_acquire((u32 *)(r10 ${slot()}))`,
    `store_release((u64 *)(r10 ${slot()}), r8)`, `store_release((u32 *)(r10 ${s32()}), w8)`,
    `store_release((u8 *)(r10 ${slot()}), w8)`,
    'r0 = 2', 'exit',
  ];
  return [
    '\t.section xdp,"ax",@progbits', '\t.globl prog', '\t.type prog,@function', 'prog:',
    ...body.map((l) => `\t${l}`), '.Lend:', '\t.size prog, .Lend-prog',
    '\t.section license,"aw",@progbits', '\t.asciz "GPL"', '',
  ].join('\n');
}

/** The verifier's instruction text in LLVM's style. */
function normalizeKernel(text: string): string {
  let t = text.replace(/\((r\d+) ([+-])(\d+)\)/g, '($1 $2 $3)');
  t = t.replace(/pc([+-]\d+)/, (_m, n: string) => (n.startsWith('-') ? n : `+${Number(n)}`));
  t = t.replace(/^if (\S+) (\S+) (0x[0-9a-f]+) goto/, (_m, a: string, op: string, h: string) => `if ${a} ${op} ${Number.parseInt(h, 16) | 0} goto`);
  t = t.replace(/atomic64_/, 'atomic_');
  t = t.replace(/^(r\d+) = atomic_xchg\(\((u32|u64) \*\)\(([^)]*)\), (r\d+)\)$/, (_m, d: string, sz: string, a: string, s: string) => `${d} = ${sz === 'u64' ? 'xchg_64' : 'xchg32_32'}(${a}, ${s})`);
  t = t.replace(/^(r\d+) = atomic_cmpxchg\(\((u32|u64) \*\)\(([^)]*)\), (r\d+), (r\d+)\)$/, (_m, d: string, sz: string, a: string, o: string, s: string) => `${d} = ${sz === 'u64' ? 'cmpxchg_64' : 'cmpxchg32_32'}(${a}, ${o}, ${s})`);
  return t;
}

/** Ours, with w registers of memory operations written as r (the kernel prints r there). */
function normalizeOurs(text: string): string {
  return /atomic|xchg|load_acquire|store_release|^lock/.test(text) ? text.replace(/\bw(\d+)/g, 'r$1') : text;
}

describe('v4 forms against the kernel verifier', () => {
  const scratch = new Scratch();
  const pins: string[] = [];
  afterAll(() => {
    for (const p of pins) rmSync(p, { force: true });
    scratch.dispose();
  });

  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: the verifier accepts it and disassembles every instruction as we do`, (ctx) => {
      needKernel(ctx);
      const bpftool = needOracle(ctx, 'bpftool');
      const source = kernelProgram(seed);
      const elf = assemble(source).elf;
      const obj = scratch.write(`k${seed}.o`, writeElf(elf));
      const pin = `/sys/fs/bpf/bpfts_asm_${process.pid}_${seed}`;
      pins.push(pin);
      let log: string;
      try {
        const r = run(bpftool, ['-d', 'prog', 'load', obj, pin, 'type', 'xdp']);
        log = `${r.stdout}\n${r.stderr}`;
        expect(r.code, `bpftool failed:\n${log.slice(-3000)}`).toBe(0);
      } finally {
        rmSync(pin, { force: true });
      }
      const kernel = new Map<number, { code: string; text: string }>();
      for (const line of log.split('\n')) {
        const m = /^(\d+): \(([0-9a-f]{2})\) (.*?)(?:\s+;.*)?$/.exec(line.replace(/^libbpf: /, ''));
        if (m === null) continue;
        const idx = Number(m[1]);
        if (!kernel.has(idx)) kernel.set(idx, { code: m[2]!, text: m[3]!.trimEnd() });
      }
      const code = elf.sections.find((s) => s.name === 'xdp')!.data;
      const insns = decode(code);
      expect(kernel.size).toBe(insns.length);
      let slot = 0;
      for (const insn of insns) {
        const k = kernel.get(slot);
        expect(k, `slot ${slot} missing from the verifier log`).toBeDefined();
        expect(k!.code).toBe(insn.code.toString(16).padStart(2, '0'));
        expect(normalizeOurs(formatInstruction(insn)), `slot ${slot}`).toBe(normalizeKernel(k!.text));
        slot += 1;
      }
      // And the object's bytes are what we assembled (nothing lost on the way through the ELF writer).
      expect(Buffer.from(readFileSync(obj)).includes(Buffer.from(code))).toBe(true);
    });
  }
});
