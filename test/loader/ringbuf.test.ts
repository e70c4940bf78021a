// RingBuffer against the kernel: an XDP program written with the instruction DSL writes
// records with bpf_ringbuf_output, reserve+submit and reserve+discard, driven by the bytes of
// each BPF_PROG_TEST_RUN packet; the reader must return exactly the committed records, in
// order, across many wraparounds of the ring, and release its mappings on close.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  add, call, exit, jeq, jgt, ja, label, ldMap, ldxb, ldxdw, ldxw, mov, r0, r1, r2, r3, r4, r6, r7, r8, r9, r10, storeImm, stxdw, stxw, assemble,
} from '../../src/asm/dsl/index.js';
import { BpfMap, ClosedError, Program, RingBuffer, RingBufferError } from '../../src/loader/index.js';
import { needKernel } from '../support/env.js';

const RING = 4096;
const PKT = 300;
const MARK = 0x5eedf00d;
// Packet layout: [0] mode (0 output, 1 reserve+submit, 2 reserve+discard), [1] output length,
// [4..8) sequence number, [8..8+len) the record bytes for mode 0.
const MODE_OUTPUT = 0;
const MODE_SUBMIT = 1;
const MODE_DISCARD = 2;

function ringProgram(): ReturnType<typeof assemble>['insns'] {
  return assemble([
    mov(r6, r1),
    ldxw(r7, r6, 0), // data
    ldxw(r8, r6, 4), // data_end
    mov(r2, r7),
    add(r2, 8 + 256),
    jgt(r2, r8, 'out'),
    ldxb(r9, r7, 0),
    jeq(r9, MODE_OUTPUT, 'output'),
    ldMap(r1, 'rb'),
    mov(r2, 12),
    mov(r3, 0),
    call('ringbuf_reserve'),
    jeq(r0, 0, 'out'),
    ldxw(r3, r7, 4),
    stxw(r0, 0, r3),
    storeImm('u32', r0, 4, MARK),
    stxw(r0, 8, r9),
    mov(r1, r0),
    mov(r2, 0),
    jeq(r9, MODE_DISCARD, 'discard'),
    call('ringbuf_submit'),
    ja('out'),
    label('discard'),
    call('ringbuf_discard'),
    ja('out'),
    label('output'),
    // ringbuf_output may not read the packet directly: copy 256 bytes to the stack first.
    Array.from({ length: 32 }, (_, i) => [ldxdw(r3, r7, 8 + 8 * i), stxdw(r10, -256 + 8 * i, r3)]),
    ldMap(r1, 'rb'),
    mov(r2, r10),
    add(r2, -256),
    ldxb(r3, r7, 1),
    mov(r4, 0),
    call('ringbuf_output'),
    label('out'),
    mov(r0, 2), // XDP_PASS
    exit(),
  ]).insns;
}

interface Rig {
  readonly map: BpfMap;
  readonly prog: Program;
  close(): void;
}

function rig(): Rig {
  const map = BpfMap.create({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: RING, name: 'rb_test' });
  try {
    const prog = Program.load({ type: 'xdp', insns: ringProgram(), name: 'rb_test', maps: { rb: map } });
    return { map, prog, close: () => { prog.close(); map.close(); } };
  } catch (e) {
    map.close();
    throw e;
  }
}

function packet(mode: number, seq: number, len = 0): Uint8Array {
  const p = new Uint8Array(PKT);
  p[0] = mode;
  p[1] = len;
  new DataView(p.buffer).setUint32(4, seq, true);
  for (let i = 0; i < len; i++) p[8 + i] = (seq * 31 + i * 7) & 0xff;
  return p;
}

/** What the program writes for a packet (undefined: nothing a reader should see). */
function expected(mode: number, seq: number, len = 0): Uint8Array | undefined {
  if (mode === MODE_DISCARD) return undefined;
  if (mode === MODE_OUTPUT) return packet(mode, seq, len).slice(8, 8 + len);
  const r = new Uint8Array(12);
  const dv = new DataView(r.buffer);
  dv.setUint32(0, seq, true);
  dv.setUint32(4, MARK, true);
  dv.setUint32(8, mode, true);
  return r;
}

function bpfMapLines(): string[] {
  return readFileSync('/proc/self/maps', 'utf8').split('\n').filter((l) => l.length > 0);
}

describe('RingBuffer', () => {
  it('returns exactly the submitted records in order, skipping discarded ones', (ctx) => {
    needKernel(ctx);
    const r = rig();
    try {
      using reader = RingBuffer.open(r.map);
      expect(reader.size).toBe(RING);
      expect(reader.poll()).toEqual([]);
      expect(reader.wait(0)).toBe(false);
      const want: Uint8Array[] = [];
      const sends: [number, number, number][] = [
        [MODE_OUTPUT, 1, 5], [MODE_SUBMIT, 2, 0], [MODE_DISCARD, 3, 0], [MODE_OUTPUT, 4, 0],
        [MODE_OUTPUT, 5, 8], [MODE_DISCARD, 6, 0], [MODE_SUBMIT, 7, 0], [MODE_OUTPUT, 8, 255],
      ];
      for (const [mode, seq, len] of sends) {
        expect(r.prog.testRun({ data: packet(mode, seq, len) }).retval).toBe(2);
        const e = expected(mode, seq, len);
        if (e) want.push(e);
      }
      expect(reader.available).toBeGreaterThan(0);
      expect(reader.wait(0)).toBe(true);
      const got = reader.poll();
      expect(got).toEqual(want);
      expect(got.map((x) => x.length)).toEqual([5, 12, 0, 8, 12, 255]);
      expect(reader.poll()).toEqual([]);
      expect(reader.available).toBe(0);
      expect(reader.wait(20)).toBe(false);
    } finally {
      r.close();
    }
  });

  it('wraps around: many rounds totalling several rings, drained between rounds', (ctx) => {
    needKernel(ctx);
    const r = rig();
    try {
      using reader = RingBuffer.open(r.map);
      let seq = 0;
      let bytes = 0;
      for (let round = 0; round < 12; round++) {
        const want: Uint8Array[] = [];
        let used = 0;
        // Fill up to most of the ring with records of varied, mostly unaligned sizes.
        for (;;) {
          seq++;
          const mode = seq % 5 === 0 ? MODE_DISCARD : seq % 3 === 0 ? MODE_SUBMIT : MODE_OUTPUT;
          const len = mode === MODE_OUTPUT ? (seq * 37) % 200 + 1 : 12;
          const room = (len + 8 + 7) & ~7;
          if (used + room > RING - 256) break;
          used += room;
          r.prog.testRun({ data: packet(mode, seq, len) });
          const e = expected(mode, seq, len);
          if (e) want.push(e);
        }
        bytes += used;
        // consume() in two steps: a bounded first call, then the rest.
        const first: Uint8Array[] = [];
        expect(reader.consume((x) => first.push(x), 3)).toBe(3);
        expect([...first, ...reader.poll()]).toEqual(want);
      }
      expect(bytes).toBeGreaterThan(8 * RING);
    } finally {
      r.close();
    }
  });

  it('a full ring drops further records in the kernel; the reader then gets the ones that fit', (ctx) => {
    needKernel(ctx);
    const r = rig();
    try {
      using reader = RingBuffer.open(r.map);
      const want: Uint8Array[] = [];
      let used = 0;
      for (let seq = 1; seq <= 40; seq++) {
        r.prog.testRun({ data: packet(MODE_OUTPUT, seq, 200) });
        if (used + 208 <= RING) {
          used += 208;
          want.push(expected(MODE_OUTPUT, seq, 200)!);
        }
      }
      expect(reader.poll()).toEqual(want);
    } finally {
      r.close();
    }
  });

  it('close unmaps both regions; calls after close throw; the map outlives the reader', (ctx) => {
    needKernel(ctx);
    const r = rig();
    try {
      const before = bpfMapLines();
      const reader = RingBuffer.open(r.map);
      const mapped = reader.mappings.map((m) => m.address.toString(16));
      expect(mapped).toHaveLength(2);
      const during = bpfMapLines();
      for (const a of mapped) expect(during.some((l) => l.startsWith(`${a}-`))).toBe(true);
      r.prog.testRun({ data: packet(MODE_SUBMIT, 42) });
      reader.close();
      reader.close(); // idempotent
      const after = bpfMapLines();
      for (const a of mapped) expect(after.some((l) => l.startsWith(`${a}-`))).toBe(false);
      expect(Math.abs(after.length - before.length)).toBeLessThanOrEqual(4);
      expect(reader.closed).toBe(true);
      expect(reader.mappings).toEqual([]);
      expect(() => reader.poll()).toThrow(ClosedError);
      expect(() => reader.consume(() => {})).toThrow(ClosedError);
      expect(() => reader.wait(0)).toThrow(ClosedError);
      expect(() => reader.available).toThrow(ClosedError);
      // A second reader of the same map sees the record the first never read.
      using again = RingBuffer.open(r.map);
      expect(again.poll()).toEqual([expected(MODE_SUBMIT, 42)]);
    } finally {
      r.close();
    }
  });

  it('keeps reading after the map object is closed (own fd and mappings)', (ctx) => {
    needKernel(ctx);
    const r = rig();
    let reader: RingBuffer | undefined;
    try {
      reader = RingBuffer.open(r.map);
      r.prog.testRun({ data: packet(MODE_OUTPUT, 9, 3) });
      r.map.close();
      expect(reader.wait(0)).toBe(true);
      expect(reader.poll()).toEqual([expected(MODE_OUTPUT, 9, 3)]);
    } finally {
      reader?.close();
      r.close();
    }
  });

  it('refuses a map that is not a ring buffer', (ctx) => {
    needKernel(ctx);
    using m = BpfMap.create({ type: 'array', keySize: 4, valueSize: 4, maxEntries: 1 });
    expect(() => RingBuffer.open(m)).toThrow(RingBufferError);
  });
});
