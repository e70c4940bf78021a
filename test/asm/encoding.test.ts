import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/asm/encoding.js';
import { DecodeError } from '../../src/asm/errors.js';
import type { Instruction } from '../../src/asm/instruction.js';
import { invalidReason } from '../../src/asm/validate.js';
import * as d from '../../src/asm/dsl/index.js';

const { r0, r1, r2, r10 } = d;

const strip = (insns: readonly Instruction[]) => insns.map(({ loc: _loc, ref: _ref, ...rest }) => ({ imm2: undefined, ...rest }));
const normalise = (insns: readonly Instruction[]) =>
  strip(insns).map((i) => (i.code === 0x18 ? { ...i, imm2: i.imm2 ?? 0 } : { ...i, imm2: undefined }));

const SAMPLE: Instruction[] = [
  d.mov(r0, 0), d.sdiv(r1, r2), d.smod32(r1, 3), d.movsx(r1, r2, 32), d.movsx32(r1, r2, 8),
  d.load('s16', r1, r2, -6), d.bswap(r1, 16), d.storeImm('u32', r10, -4, 7), d.gotol(100000), d.mayGoto(2),
  d.jset(r1, 4, 1), d.atomicAdd('u64', r10, -8, r1, { fetch: true }), d.atomicXchg('u32', r10, -4, r1),
  d.atomicCmpxchg('u64', r10, -8, r2), d.loadAcquire('u8', r1, r2, 0), d.storeRelease('u64', r1, 8, r2),
  d.lddw(r1, -2n), d.ldMapIdx(r1, 3), d.ldMapIdxValue(r1, 1, 16), d.ldBtfId(r2, 77), d.callx(r2),
  d.addrSpaceCast(r0, r1, 0, 1), d.exit(),
];

describe('encode/decode', () => {
  it('round-trips every form, little- and big-endian', () => {
    for (const bigEndian of [false, true]) {
      const bytes = encode(SAMPLE, { bigEndian });
      expect(normalise(decode(bytes, { bigEndian }))).toEqual(normalise(SAMPLE));
    }
  });

  it('swaps the register nibbles for big-endian, as the ISA specifies', () => {
    const le = encode([d.add(r1, 0x11223344)]);
    const be = encode([d.add(r1, 0x11223344)], { bigEndian: true });
    expect([...le]).toEqual([0x07, 0x01, 0, 0, 0x44, 0x33, 0x22, 0x11]);
    expect([...be]).toEqual([0x07, 0x10, 0, 0, 0x11, 0x22, 0x33, 0x44]);
  });

  it('every sample instruction is structurally valid', () => {
    for (const insn of SAMPLE) expect(invalidReason(insn), JSON.stringify(insn)).toBeUndefined();
  });

  it.each([
    ['exit with imm', [0x95, 0, 0, 0, 1, 0, 0, 0], /BPF_EXIT uses reserved fields/],
    ['neg with src', [0x87, 0x21, 0, 0, 0, 0, 0, 0], /BPF_NEG uses reserved fields/],
    ['add K with off', [0x07, 0x01, 1, 0, 1, 0, 0, 0], /off=1 must be 0/],
    ['add K with src', [0x07, 0x21, 0, 0, 1, 0, 0, 0], /src=2 must be 0/],
    ['bswap with s bit (0xdf)', [0xdf, 0x01, 0, 0, 16, 0, 0, 0], /unknown opcode 0xdf/],
    ['le with width 8', [0xd4, 0x01, 0, 0, 8, 0, 0, 0], /byte swap width 8/],
    ['register r11', [0xb7, 0x0b, 0, 0, 0, 0, 0, 0], /invalid register r11/],
    ['atomic u8 add', [0xd3, 0x21, 0, 0, 0, 0, 0, 0], /invalid atomic operand size/],
    ['atomic bad op', [0xdb, 0x21, 0, 0, 0x02, 0, 0, 0], /invalid atomic operation/],
    ['ldx with imm', [0x61, 0x21, 0, 0, 1, 0, 0, 0], /BPF_LDX uses reserved fields/],
    ['call with src 3', [0x85, 0x30, 0, 0, 1, 0, 0, 0], /src=3/],
    ['jmp32 exit', [0x96, 0, 0, 0, 0, 0, 0, 0], /unknown opcode 0x96/],
    ['movsx width 4', [0xbf, 0x21, 4, 0, 0, 0, 0, 0], /invalid movsx width off=4/],
  ])('rejects %s with a precise error and its offset', (_name, bytes, message) => {
    const padded = new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, ...bytes]);
    let caught: unknown;
    try { decode(padded); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(DecodeError);
    expect((caught as DecodeError).offset).toBe(8);
    expect((caught as DecodeError).message).toMatch(message);
  });

  it('rejects a truncated or malformed ld_imm64 and a ragged length', () => {
    const wide = encode([d.lddw(r1, 5)]);
    expect(() => decode(wide.subarray(0, 8))).toThrow(/missing its second slot/);
    const bad = wide.slice(); bad[8] = 0x18;
    expect(() => decode(bad)).toThrow(/second slot uses reserved fields/);
    expect(() => decode(new Uint8Array(12))).toThrow(DecodeError);
  });

  it('never throws anything but DecodeError on random bytes', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let n = 0; n < 5000; n++) {
      const len = (rand() % 6) * 8 + (rand() % 9 === 0 ? rand() % 8 : 0);
      const bytes = Uint8Array.from({ length: len }, rand);
      try {
        const insns = decode(bytes);
        expect(encode(insns)).toEqual(bytes); // whatever decodes re-encodes to the same bytes
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
      }
    }
  });
});
