// Every v1–v3 DSL form against llvm-mc-14's encoding of the same LLVM text.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { encode } from '../../src/asm/encoding.js';
import type { Instruction } from '../../src/asm/instruction.js';
import * as d from '../../src/asm/dsl/index.js';
import { needOracle } from '../support/env.js';

const { r0, r1, r2, r3, r9, r10 } = d;

// [DSL instruction, LLVM text llvm-mc-14 accepts]
const CASES: ReadonlyArray<readonly [Instruction, string]> = [
  [d.add(r1, 42), 'r1 += 42'], [d.add(r1, r2), 'r1 += r2'], [d.add32(r1, -7), 'w1 += -7'], [d.add32(r1, r2), 'w1 += w2'],
  [d.sub(r3, 0x7fffffff), 'r3 -= 2147483647'], [d.sub32(r3, r9), 'w3 -= w9'],
  [d.mul(r1, 3), 'r1 *= 3'], [d.mul32(r1, r2), 'w1 *= w2'], [d.div(r1, 3), 'r1 /= 3'], [d.div32(r1, r2), 'w1 /= w2'],
  [d.or(r1, 0x10), 'r1 |= 16'], [d.or32(r1, r2), 'w1 |= w2'], [d.and(r1, 0xff), 'r1 &= 255'], [d.and32(r1, r2), 'w1 &= w2'],
  [d.lsh(r1, 3), 'r1 <<= 3'], [d.lsh32(r1, r2), 'w1 <<= w2'], [d.rsh(r1, 63), 'r1 >>= 63'], [d.rsh32(r1, r2), 'w1 >>= w2'],
  [d.arsh(r1, 1), 'r1 s>>= 1'], [d.arsh32(r1, r2), 'w1 s>>= w2'], [d.xor(r1, -1), 'r1 ^= -1'], [d.xor32(r1, r2), 'w1 ^= w2'],
  [d.mov(r0, 0xffffffff), 'r0 = -1'], [d.mov(r0, r1), 'r0 = r1'], [d.mov32(r0, 5), 'w0 = 5'], [d.mov32(r0, r1), 'w0 = w1'],
  [d.neg(r2), 'r2 = -r2'], [d.neg32(r2), 'w2 = -w2'],
  [d.toLe(r1, 16), 'r1 = le16 r1'], [d.toLe(r1, 64), 'r1 = le64 r1'], [d.toBe(r1, 32), 'r1 = be32 r1'], [d.toBe(r1, 64), 'r1 = be64 r1'],
  [d.lddw(r1, 0x1122334455667788n), 'r1 = 0x1122334455667788 ll'], [d.lddw(r2, -1), 'r2 = -1 ll'],
  [d.ldxb(r0, r1, 2), 'r0 = *(u8 *)(r1 + 2)'], [d.ldxh(r0, r1, -2), 'r0 = *(u16 *)(r1 - 2)'],
  [d.ldxw(r0, r10, -4), 'r0 = *(u32 *)(r10 - 4)'], [d.ldxdw(r3, r1, 32767), 'r3 = *(u64 *)(r1 + 32767)'],
  [d.stxb(r10, -1, r1), '*(u8 *)(r10 - 1) = r1'], [d.stxh(r10, -2, r1), '*(u16 *)(r10 - 2) = r1'],
  [d.stxw(r10, -4, r1), '*(u32 *)(r10 - 4) = r1'], [d.stxdw(r10, -32768, r1), '*(u64 *)(r10 - 32768) = r1'],
  [d.loadAbs('u8', 14), 'r0 = *(u8 *)skb[14]'], [d.loadAbs('u32', 26), 'r0 = *(u32 *)skb[26]'],
  [d.loadInd('u16', r1, 0), 'r0 = *(u16 *)skb[r1]'],
  [d.atomicAdd('u32', r1, 8, r2), 'lock *(u32 *)(r1 + 8) += w2'], [d.atomicAdd('u64', r1, -8, r2), 'lock *(u64 *)(r1 - 8) += r2'],
  [d.atomicOr('u64', r1, 0, r2), 'lock *(u64 *)(r1 + 0) |= r2'], [d.atomicAnd('u64', r1, 0, r2), 'lock *(u64 *)(r1 + 0) &= r2'],
  [d.atomicXor('u32', r1, 0, r2), 'lock *(u32 *)(r1 + 0) ^= w2'],
  [d.ja(3), 'goto +3'], [d.ja(-1), 'goto -1'],
  [d.jeq(r1, 0, 1), 'if r1 == 0 goto +1'], [d.jne(r1, r2, 1), 'if r1 != r2 goto +1'],
  [d.jgt(r1, 5, 2), 'if r1 > 5 goto +2'], [d.jge(r1, r2, 2), 'if r1 >= r2 goto +2'],
  [d.jlt(r1, 5, 2), 'if r1 < 5 goto +2'], [d.jle(r1, r2, 2), 'if r1 <= r2 goto +2'],
  [d.jsgt(r1, -5, 2), 'if r1 s> -5 goto +2'], [d.jsge(r1, r2, 2), 'if r1 s>= r2 goto +2'],
  [d.jslt(r1, 5, 2), 'if r1 s< 5 goto +2'], [d.jsle(r1, r2, -2), 'if r1 s<= r2 goto -2'],
  [d.jeq32(r1, 7, 1), 'if w1 == 7 goto +1'], [d.jne32(r1, r2, 1), 'if w1 != w2 goto +1'],
  [d.jgt32(r1, 7, 1), 'if w1 > 7 goto +1'], [d.jsle32(r1, r2, 1), 'if w1 s<= w2 goto +1'],
  [d.jumpIf(r1, 's>=', 9, 4), 'if r1 s>= 9 goto +4'], [d.jumpIf32(r1, '<', r2, 4), 'if w1 < w2 goto +4'],
  [d.call('map_lookup_elem'), 'call 1'], [d.call('bpf_redirect_map'), 'call 51'], [d.call(6), 'call 6'],
  [d.exit(), 'exit'],
];

describe('DSL encodings agree with llvm-mc-14', () => {
  it('every v1–v3 form', (ctx) => {
    const llvmMc = needOracle(ctx, 'llvm-mc-14');
    const text = CASES.map(([, t]) => t).join('\n');
    const r = spawnSync(llvmMc, ['-triple', 'bpfel', '-mcpu=v3', '-show-encoding'], { input: text, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const encodings = [...r.stdout.matchAll(/encoding: \[([^\]]*)\]/g)].map((m) =>
      m[1]!.split(',').map((b) => Number(b.trim())),
    );
    expect(encodings).toHaveLength(CASES.length);
    CASES.forEach(([insn, t], i) => {
      expect([...encode([insn])], t).toEqual(encodings[i]);
    });
  });
});
