// Random and corrupted input never crashes or hangs the lint: random bytecode, bit flips of
// corpus programs, and malformed Instruction objects all end in a report.
import { describe, expect, it } from 'vitest';
import { encode } from '../../src/asm/encoding.js';
import type { Instruction } from '../../src/asm/instruction.js';
import { lintBytes, lintInstructions } from '../../src/lint/lint.js';
import { CORPUS, CORPUS_MAPS } from './corpus.js';
import { rng } from './random-gen.js';

const LIMIT = 50_000; // keep each run short; the budget itself is the kernel's 1M by default

function check(report: ReturnType<typeof lintBytes>): void {
  expect(['accept', 'reject']).toContain(report.verdict);
  for (const d of report.diagnostics) {
    expect(typeof d.message).toBe('string');
    expect(d.message.length).toBeGreaterThan(0);
    expect(Number.isInteger(d.insn)).toBe(true);
  }
}

describe('the lint on hostile input', () => {
  it('survives 2000 random byte strings', () => {
    const r = rng(99);
    for (let i = 0; i < 2000; i++) {
      const n = 1 + Math.floor(r() * 48) * 8 + (i % 7 === 0 ? 3 : 0);
      const bytes = new Uint8Array(n);
      for (let j = 0; j < n; j++) bytes[j] = Math.floor(r() * 256);
      // bias some programs towards valid opcodes so the interpreter runs
      if (i % 2 === 0) for (let j = 0; j + 8 <= n; j += 8) bytes[j] = [0xb7, 0x07, 0xbf, 0x61, 0x63, 0x15, 0x05, 0x95, 0x85, 0x71][Math.floor(r() * 10)]!;
      check(lintBytes(bytes, { insnLimit: LIMIT, type: ['xdp', 'tc', 'socket_filter', 'cgroup_skb'][i % 4]! }));
    }
  });

  it('survives bit flips of every corpus program', () => {
    const r = rng(1234);
    for (const c of CORPUS) {
      const bytes = encode(c.insns);
      for (let k = 0; k < 6; k++) {
        const m = bytes.slice();
        for (let f = 0; f < 1 + (k % 3); f++) {
          const bit = Math.floor(r() * m.length * 8);
          m[bit >> 3]! ^= 1 << (bit & 7);
        }
        check(lintBytes(m, { insnLimit: LIMIT, maps: { 0: CORPUS_MAPS.m! } }));
      }
    }
  });

  it('survives malformed Instruction objects', () => {
    const bad: Instruction[][] = [
      [{ code: NaN, dst: 0, src: 0, off: 0, imm: 0 }],
      [{ code: 0xb7, dst: 99, src: -1, off: 1e9, imm: 2 ** 40 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }],
      [{ code: 0x18, dst: 0, src: 0, off: 0, imm: 0, imm2: 5 }],
      [{ code: 0x85, dst: 0, src: 1, off: 0, imm: -1 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }],
      [],
    ];
    for (const p of bad) check(lintInstructions(p, { insnLimit: LIMIT }));
  });

  it('stops a runaway loop at the budget with the kernel message', () => {
    const loop: Instruction[] = [
      { code: 0xb7, dst: 1, src: 0, off: 0, imm: 0 },
      { code: 0x07, dst: 1, src: 0, off: 0, imm: 1 },
      { code: 0xa5, dst: 1, src: 0, off: -2, imm: 10_000_000 },
      { code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 },
      { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
    ];
    const r = lintInstructions(loop, { insnLimit: 30_000 });
    expect(r.verdict).toBe('reject');
    expect(r.diagnostics[0]!.message).toBe('BPF program is too large. Processed 30001 insn');
  });
});
