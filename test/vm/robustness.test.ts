// Random and corrupted programs: the VM may refuse them (VmError) or fault (VmFault), and
// must always finish within its instruction budget. Nothing else may escape.
import { describe, expect, it } from 'vitest';
import { decode } from '../../src/asm/encoding.js';
import { encode } from '../../src/asm/encoding.js';
import type { Instruction } from '../../src/asm/instruction.js';
import { invalidReason } from '../../src/asm/validate.js';
import { createMap, runXdp, VmError, VmFault, type VmEngine } from '../../src/vm/index.js';
import { rng } from './support/rng.js';
import { GENERATED_MAPS, generateXdpProgram, randomPacket } from './support/generator.js';

const VALID_OPCODES = [
  0x04, 0x05, 0x06, 0x07, 0x0c, 0x0f, 0x14, 0x15, 0x16, 0x17, 0x18, 0x1c, 0x1d, 0x1e, 0x1f, 0x24, 0x25, 0x26, 0x27, 0x2c, 0x2d,
  0x2e, 0x2f, 0x34, 0x35, 0x36, 0x37, 0x3c, 0x3d, 0x3e, 0x3f, 0x44, 0x45, 0x46, 0x47, 0x4c, 0x4d, 0x4e, 0x4f, 0x54, 0x55, 0x56,
  0x57, 0x5c, 0x5d, 0x5e, 0x5f, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x71, 0x72,
  0x73, 0x74, 0x75, 0x76, 0x77, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0x81, 0x84, 0x85, 0x87, 0x89, 0x8d, 0x91, 0x94, 0x95,
  0x97, 0x9c, 0x9f, 0xa4, 0xa5, 0xa6, 0xa7, 0xac, 0xad, 0xae, 0xaf, 0xb4, 0xb5, 0xb6, 0xb7, 0xbc, 0xbd, 0xbe, 0xbf, 0xc3, 0xc4,
  0xc5, 0xc6, 0xc7, 0xcc, 0xcd, 0xce, 0xcf, 0xd4, 0xd5, 0xd6, 0xd7, 0xdb, 0xdc, 0xdd, 0xde, 0xe5, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50,
];

/** Zero unused fields until the instruction is structurally valid (when some subset works). */
function repair(insn: Instruction): Instruction {
  for (let mask = 0; mask < 8; mask++) {
    const t = { ...insn, ...(mask & 1 ? { src: 0 } : {}), ...(mask & 2 ? { off: 0 } : {}), ...(mask & 4 ? { imm: 0 } : {}) };
    if (invalidReason(t) === undefined) return t;
  }
  return insn;
}

function runGuarded(insns: readonly Instruction[], packet: Uint8Array, engine: VmEngine = 'interpreter'): 'ok' | 'error' | 'fault' {
  const maps = Object.fromEntries(Object.entries(GENERATED_MAPS).map(([n, s]) => [n, createMap({ ...s, name: n })]));
  try {
    runXdp(insns, packet, { maps, mapsByIndex: Object.values(maps), budget: 20_000, engine });
    return 'ok';
  } catch (e) {
    if (e instanceof VmFault) return 'fault';
    if (e instanceof VmError) return 'error';
    throw e;
  }
}

describe('robustness', () => {
  it('random instructions with valid opcodes and random fields', () => {
    const g = rng(99);
    const seen = { ok: 0, error: 0, fault: 0 };
    for (let n = 0; n < 3000; n++) {
      const len = 1 + g.int(24);
      const insns: Instruction[] = [];
      for (let i = 0; i < len; i++) {
        const code = g.pick(VALID_OPCODES);
        const insn: Instruction = {
          code, dst: g.int(g.chance(0.95) ? 11 : 16), src: g.chance(0.8) ? g.int(11) : g.int(16),
          off: g.chance(0.5) ? g.int(9) - 4 : (g.u32() << 16) >> 16,
          imm: g.chance(0.5) ? g.int(70) - 3 : g.u32() | 0,
        };
        if (code === 0x18) insn.imm2 = g.u32() | 0;
        insns.push(g.chance(0.9) ? repair(insn) : insn);
      }
      if (g.chance(0.7)) insns.push({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
      const outcome = runGuarded(insns, randomPacket(n, 64));
      seen[outcome]++;
      // Compiled code must reach the same outcome (a sample: compiling costs milliseconds).
      if (n % 6 === 0) expect(runGuarded(insns, randomPacket(n, 64), 'compiled'), `program ${n}`).toBe(outcome);
    }
    // All three outcomes happen: the generator is not trivially refused.
    expect(seen.ok).toBeGreaterThan(50);
    expect(seen.fault).toBeGreaterThan(50);
    expect(seen.error).toBeGreaterThan(50);
  });

  it('random bytes decoded without validation', () => {
    const g = rng(7);
    for (let n = 0; n < 2000; n++) {
      const bytes = Uint8Array.from({ length: 8 * (1 + g.int(16)) }, () => g.int(256));
      let insns: Instruction[];
      try {
        insns = decode(bytes, { validate: false });
      } catch {
        continue;
      }
      runGuarded(insns, randomPacket(n, 1 + g.int(100)));
    }
  });

  it('generated programs with flipped bytes', () => {
    const g = rng(3);
    for (let n = 0; n < 400; n++) {
      const bytes = encode(generateXdpProgram(n, 20));
      for (let f = 0; f < 1 + g.int(4); f++) bytes[g.int(bytes.length)] ^= 1 << g.int(8);
      let insns: Instruction[];
      try {
        insns = decode(bytes, { validate: false });
      } catch {
        continue;
      }
      const outcome = runGuarded(insns, randomPacket(n, 64));
      if (n % 4 === 0) expect(runGuarded(insns, randomPacket(n, 64), 'compiled')).toBe(outcome);
    }
  });
});
