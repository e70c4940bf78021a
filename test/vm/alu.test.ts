// ALU semantics (RFC 9669 §4.1): the VM against a BigInt model written from the RFC text,
// and against the kernel on the same programs. Division by zero, INT_MIN / -1, signed
// modulo, shift masking, sign extension, 32-bit zero extension and byte swaps.
import { describe, expect, it } from 'vitest';
import type { Instruction } from '../../src/asm/instruction.js';
import { AluOp, Class, Source } from '../../src/asm/opcode.js';
import * as d from '../../src/asm/dsl/index.js';
import { needKernel } from '../support/env.js';
import { rng } from './support/rng.js';
import { runKernel, runVm, type MapSetup } from './support/both.js';

const u = (v: bigint, bits: number): bigint => BigInt.asUintN(bits, v);
const s = (v: bigint, bits: number): bigint => BigInt.asIntN(bits, v);
const swap = (v: bigint, bytes: number): bigint => {
  let out = 0n;
  for (let i = 0; i < bytes; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return out;
};

interface Case {
  readonly insn: Instruction;
  /** r1 before, u64 */
  readonly a: bigint;
  /** r2 (X form) */
  readonly b: bigint;
}

/** The RFC's result for r1 after the instruction. */
function model(c: Case): bigint {
  const { code, off, imm } = c.insn;
  const is64 = (code & 7) === Class.ALU64;
  const x = (code & Source.X) !== 0;
  const op = code & 0xf0;
  if (op === AluOp.END) {
    if (is64) return swap(c.a, imm / 8);
    return x ? swap(c.a, imm / 8) : u(c.a, imm);
  }
  // K operands are sign-extended imm32 (then truncated for 32-bit ops).
  const src = x ? c.b : u(BigInt(imm), 64);
  const bits = is64 ? 64 : 32;
  const a = u(c.a, bits), b = u(src, bits);
  const sh = b & BigInt(bits - 1);
  let r: bigint;
  switch (op) {
    case AluOp.ADD: r = a + b; break;
    case AluOp.SUB: r = a - b; break;
    case AluOp.MUL: r = a * b; break;
    case AluOp.DIV: r = b === 0n ? 0n : off === 1 ? s(a, bits) / s(b, bits) : a / b; break;
    case AluOp.MOD: r = b === 0n ? a : off === 1 ? s(a, bits) % s(b, bits) : a % b; break;
    case AluOp.OR: r = a | b; break;
    case AluOp.AND: r = a & b; break;
    case AluOp.XOR: r = a ^ b; break;
    case AluOp.LSH: r = a << sh; break;
    case AluOp.RSH: r = a >> sh; break;
    case AluOp.ARSH: r = s(a, bits) >> sh; break;
    case AluOp.NEG: r = -a; break;
    case AluOp.MOV: r = off === 0 ? b : s(b, off); break;
    default: throw new Error(`op ${op}`);
  }
  return u(r, bits);
}

const EDGES = [0n, 1n, 2n, 3n, 7n, 63n, 64n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen, 0xffffffff80000000n, 0x123456789abcdef0n];
const EDGE_IMMS = [0, 1, -1, 2, 3, 31, 32, 63, 0x7fffffff, -0x80000000, 0x7f, -0x80, 12345, -7];

const BINARY = [AluOp.ADD, AluOp.SUB, AluOp.MUL, AluOp.DIV, AluOp.MOD, AluOp.OR, AluOp.AND, AluOp.XOR, AluOp.LSH, AluOp.RSH, AluOp.ARSH, AluOp.MOV];

function genCases(seed: number, n: number, kernelSafe: boolean): Case[] {
  const g = rng(seed);
  const val = (): bigint => (g.chance(0.5) ? g.pick(EDGES) : g.chance(0.5) ? g.u64() : BigInt(g.u32()));
  const out: Case[] = [];
  while (out.length < n) {
    const cls = g.chance(0.5) ? Class.ALU64 : Class.ALU;
    const bits = cls === Class.ALU64 ? 64 : 32;
    const a = val(), b = val();
    const kind = g.int(10);
    let insn: Instruction;
    if (kind === 0) {
      insn = { code: cls | AluOp.NEG, dst: 1, src: 0, off: 0, imm: 0 };
    } else if (kind === 1) {
      const w = g.pick([16, 32, 64]);
      const code = cls === Class.ALU64 ? Class.ALU64 | AluOp.END : Class.ALU | AluOp.END | (g.chance(0.5) ? Source.X : 0);
      insn = { code, dst: 1, src: 0, off: 0, imm: w };
    } else if (kind === 2) {
      const off = g.pick(cls === Class.ALU64 ? [8, 16, 32] : [8, 16]);
      insn = { code: cls | AluOp.MOV | Source.X, dst: 1, src: 2, off, imm: 0 };
    } else {
      const op = g.pick(BINARY);
      const signed = (op === AluOp.DIV || op === AluOp.MOD) && g.chance(0.5);
      const x = g.chance(0.5);
      let imm = g.chance(0.5) ? g.pick(EDGE_IMMS) : g.u32() | 0;
      if (!x && (op === AluOp.LSH || op === AluOp.RSH || op === AluOp.ARSH)) {
        // The verifier refuses out-of-range constant shifts; the VM masks them (tested below).
        if (kernelSafe) imm = ((imm % bits) + bits) % bits;
      }
      if (!x && kernelSafe && (op === AluOp.DIV || op === AluOp.MOD) && imm === 0) imm = 1; // "division by zero" is a verifier error
      insn = { code: cls | op | (x ? Source.X : Source.K), dst: 1, src: x ? 2 : 0, off: signed ? 1 : 0, imm: x ? 0 : imm };
    }
    out.push({ insn, a, b });
  }
  return out;
}

/** One XDP program computing every case and storing r1 in res[8*i]. */
function batchProgram(cases: readonly Case[]): Instruction[] {
  const items: Instruction[] = [];
  cases.forEach((c, i) => {
    items.push(d.lddw(d.r1, c.a), d.lddw(d.r2, c.b), c.insn, d.ldMapValue(d.r3, 'res', 8 * i), d.stxdw(d.r3, 0, d.r1));
  });
  items.push(d.mov(d.r0, 2), d.exit());
  return items;
}

const resMap = (n: number): Record<string, MapSetup> => ({ res: { type: 'array', keySize: 4, valueSize: 8 * n, maxEntries: 1 } });

function results(hexValue: string, n: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const le = hexValue.slice(16 * i, 16 * i + 16);
    out.push(BigInt(`0x${le.match(/../g)!.reverse().join('')}`));
  }
  return out;
}

const describeCase = (c: Case): string =>
  `code 0x${c.insn.code.toString(16)} off ${c.insn.off} imm ${c.insn.imm} a 0x${c.a.toString(16)} b 0x${c.b.toString(16)}`;

describe('ALU semantics', () => {
  it('matches the RFC model on 4000 generated cases (shifts by any constant are masked)', () => {
    for (let batch = 0; batch < 40; batch++) {
      const cases = genCases(1000 + batch, 100, false);
      const out = runVm(batchProgram(cases), new Uint8Array(64), resMap(cases.length));
      const got = results(out.maps.res![0]!.split('=')[1]!, cases.length);
      cases.forEach((c, i) => expect(`0x${got[i]!.toString(16)}`, describeCase(c)).toBe(`0x${model(c).toString(16)}`));
    }
  });

  it.each([
    ['64-bit INT64_MIN s/ -1 wraps', { code: 0x3f, dst: 1, src: 2, off: 1, imm: 0 }, 0x8000000000000000n, 0xffffffffffffffffn, 0x8000000000000000n],
    ['64-bit INT64_MIN s% -1 is 0', { code: 0x9f, dst: 1, src: 2, off: 1, imm: 0 }, 0x8000000000000000n, 0xffffffffffffffffn, 0n],
    ['32-bit INT32_MIN s/ -1 wraps, zero-extended', { code: 0x3c, dst: 1, src: 2, off: 1, imm: 0 }, 0xffffffff80000000n, 0xffffffffn, 0x80000000n],
    ['64-bit x / 0 = 0', { code: 0x3f, dst: 1, src: 2, off: 0, imm: 0 }, 1234n, 0n, 0n],
    ['64-bit x % 0 = x', { code: 0x9f, dst: 1, src: 2, off: 0, imm: 0 }, 0xdeadbeefcafef00dn, 0n, 0xdeadbeefcafef00dn],
    ['32-bit x % 0 keeps the low half, zero-extended', { code: 0x9c, dst: 1, src: 2, off: 0, imm: 0 }, 0xdeadbeefcafef00dn, 0n, 0xcafef00dn],
    ['-13 s% 3 = -1 (truncating)', { code: 0x97, dst: 1, src: 0, off: 1, imm: 3 }, u(-13n, 64), 0n, u(-1n, 64)],
    ['lsh by 65 masks to 1', { code: 0x6f, dst: 1, src: 2, off: 0, imm: 0 }, 1n, 65n, 2n],
    ['32-bit rsh by 33 masks to 1', { code: 0x7c, dst: 1, src: 2, off: 0, imm: 0 }, 0xffffffff00000004n, 33n, 2n],
    ['ALU64 K sign-extends imm', { code: 0xb7, dst: 1, src: 0, off: 0, imm: -1 }, 0n, 0n, 0xffffffffffffffffn],
    ['ALU32 add zero-extends', { code: 0x04, dst: 1, src: 0, off: 0, imm: 1 }, 0xffffffffffffffffn, 0n, 0n],
    ['movsx32 from s8', { code: 0xbc, dst: 1, src: 2, off: 8, imm: 0 }, 0n, 0x80n, 0xffffff80n],
    ['be16 zero-extends', { code: 0xdc, dst: 1, src: 0, off: 0, imm: 16 }, 0x1122334455667788n, 0n, 0x8877n],
  ] as const)('%s', (_name, insn, a, b, want) => {
    const c: Case = { insn, a, b };
    expect(model(c)).toBe(want);
    const out = runVm(batchProgram([c]), new Uint8Array(64), resMap(1));
    expect(results(out.maps.res![0]!.split('=')[1]!, 1)[0]).toBe(want);
  });

  it('agrees with the kernel on 1600 generated cases', (ctx) => {
    needKernel(ctx);
    for (let batch = 0; batch < 16; batch++) {
      const cases = genCases(5000 + batch, 100, true);
      const prog = batchProgram(cases);
      const vm = runVm(prog, new Uint8Array(64), resMap(cases.length));
      const k = runKernel(prog, new Uint8Array(64), resMap(cases.length));
      expect(vm.retval).toBe(k.retval);
      const vr = results(vm.maps.res![0]!.split('=')[1]!, cases.length);
      const kr = results(k.maps.res![0]!.split('=')[1]!, cases.length);
      cases.forEach((c, i) => expect(`0x${vr[i]!.toString(16)}`, describeCase(c)).toBe(`0x${kr[i]!.toString(16)}`));
    }
  });
});
