import { describe, expect, it } from 'vitest';
import { AsmError } from '../../src/asm/errors.js';
import { Class, JmpOp } from '../../src/asm/opcode.js';
import { slotOffsets } from '../../src/asm/instruction.js';
import * as d from '../../src/asm/dsl/index.js';

const { r0, r1, r2, label, assemble } = d;

/** Follow a resolved jump: the instruction index it lands on. */
function landing(insns: ReturnType<typeof assemble>['insns'], i: number): number {
  const slots = slotOffsets(insns);
  const insn = insns[i]!;
  const delta = insn.code === (Class.JMP32 | JmpOp.JA) || insn.code === 0x85 ? insn.imm : insn.off;
  const slot = slots[i]! + 1 + delta;
  return slots.indexOf(slot);
}

describe('assemble', () => {
  it('resolves forward and backward labels in slots, counting ld_imm64 as two', () => {
    const { insns, labels } = assemble([
      label('top'), d.lddw(r1, 1n), d.jeq(r1, 0, 'out'), d.lddw(r2, 2n), d.ja('top'), label('out'), d.exit(),
    ]);
    expect(labels.get('out')).toBe(4);
    expect(insns[1]!.off).toBe(3); // slot 2 → slot 6
    expect(insns[3]!.off).toBe(-6); // slot 5 → slot 0
    expect(landing(insns, 1)).toBe(4);
    expect(landing(insns, 3)).toBe(0);
    expect(insns.every((i) => i.ref === undefined)).toBe(true);
  });

  it('resolves local calls and function pointers to labels, and leaves other names as relocations', () => {
    const { insns, relocations } = assemble([
      d.ldMap(r1, 'counters'), d.ldFunc(r2, 'cb'), d.callLocal('helper'), d.callLocal('elsewhere'), d.exit(),
      label('helper'), d.mov(r0, 1), d.exit(), label('cb'), d.exit(),
    ]);
    expect(relocations).toEqual([{ index: 0, symbol: 'counters' }, { index: 3, symbol: 'elsewhere' }]);
    expect(landing(insns, 2)).toBe(5);
    expect(insns[1]!.imm).toBe(slotOffsets(insns)[7]! - (slotOffsets(insns)[1]! + 1));
  });

  it('turns an unconditional jump beyond 16 bits into gotol', () => {
    const filler = Array.from({ length: 40000 }, () => d.mov(r0, 0));
    const { insns } = assemble([d.ja('far'), ...filler, label('far'), d.exit()]);
    expect(insns[0]!.code).toBe(Class.JMP32 | JmpOp.JA);
    expect(landing(insns, 0)).toBe(40001);
  });

  it('rewrites a far conditional jump as jcc +1; goto +1; gotol', () => {
    const filler = Array.from({ length: 40000 }, () => d.mov(r0, 0));
    const { insns } = assemble([d.jgt(r1, 5, 'far'), d.mov(r0, 1), ...filler, label('far'), d.exit()]);
    expect(insns[0]!.off).toBe(1);
    expect(insns[1]!.code).toBe(Class.JMP | JmpOp.JA);
    expect(insns[1]!.off).toBe(1);
    expect(insns[2]!.code).toBe(Class.JMP32 | JmpOp.JA);
    expect(landing(insns, 2)).toBe(insns.length - 1);
    expect(landing(insns, 1)).toBe(3);
  });

  it('reports undefined and duplicate labels on the user line', () => {
    try {
      assemble([d.ja('nowhere'), d.exit()]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AsmError);
      expect((e as AsmError).message).toMatch(/dsl-assemble\.test\.ts:\d+:\d+: undefined label 'nowhere'/);
    }
    expect(() => assemble([label('a'), label('a'), d.exit()])).toThrow(/duplicate label 'a'/);
  });

  it('records the TypeScript line of each instruction, and can be switched off', () => {
    const line = Number(new Error().stack!.split('\n')[1]!.match(/:(\d+):\d+\)?$/)![1]) + 1;
    const insn = d.mov(r0, 1);
    expect(insn.loc?.line).toBe(line);
    expect(insn.loc?.file).toMatch(/test\/asm\/dsl-assemble\.test\.ts$/);
    const was = d.setSourceLocationCapture(false);
    try {
      expect(d.mov(r0, 1).loc).toBeUndefined();
    } finally {
      d.setSourceLocationCapture(was);
    }
  });

  it('rejects out-of-range fields with an AsmError instead of truncating', () => {
    expect(() => d.mov(r0, 0x1_0000_0000)).toThrow(AsmError);
    expect(() => d.ldxw(r0, r1, 40000)).toThrow(/signed 16-bit/);
    expect(() => d.call('no_such_helper' as never)).toThrow(/unknown helper/);
    expect(() => d.lddw(r0, 1n << 64n)).toThrow(/64 bits/);
  });
});
