// DSL programs the kernel verifier accepts and runs: long jumps rewritten to gotol, and the
// result checked with BPF_PROG_TEST_RUN.
import { describe, expect, it } from 'vitest';
import * as d from '../../src/asm/dsl/index.js';
import { Program } from '../../src/loader/index.js';
import { needKernel } from '../support/env.js';

const { r0, r1, r2, label, assemble } = d;
const XDP_DROP = 1;
const XDP_PASS = 2;

describe('DSL long jumps in the kernel', () => {
  it('a conditional jump beyond 16 bits becomes jcc/goto/gotol, and both ways run right', (ctx) => {
    needKernel(ctx);
    d.setSourceLocationCapture(false);
    try {
      // r2 = packet length; if it exceeds 60 jump over 40,000 instructions to return PASS.
      const filler = Array.from({ length: 40_000 }, (_, i) => d.add(r0, i & 1));
      const { insns } = assemble([
        d.ldxw(r2, r1, 4), d.ldxw(r1, r1, 0), d.sub(r2, r1),
        d.mov(r0, XDP_PASS), d.jgt(r2, 60, 'far'),
        d.mov(r0, 0), ...filler, d.mov(r0, XDP_DROP), d.exit(),
        label('far'), d.exit(),
      ]);
      expect(insns.some((i) => i.code === 0x06)).toBe(true); // gotol was needed
      using prog = Program.load({ type: 'xdp', insns, license: 'GPL' });
      expect(prog.testRun({ data: new Uint8Array(64) }).retval).toBe(XDP_PASS);
      expect(prog.testRun({ data: new Uint8Array(40) }).retval).toBe(XDP_DROP);
    } finally {
      d.setSourceLocationCapture(true);
    }
  });
});
