// Faults: every bad access becomes a VmFault with the instruction, the address and the
// region; bad programs become VmError before running. Never a stray JS exception.
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../src/asm/conformance.js';
import * as d from '../../src/asm/dsl/index.js';
import { runConformanceProgram } from '../../src/vm/conformance.js';
import { VmError, VmFault, createMap, runXdp, type VmFaultKind } from '../../src/vm/index.js';

const asm = (text: string) =>
  assembleUbpf(text.split('\n').map((t, i) => ({ text: t.trim(), line: i + 1, column: 1 })).filter((l) => l.text !== ''));

function fault(fn: () => unknown): VmFault {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VmFault);
    return e as VmFault;
  }
  throw new Error('expected a VmFault');
}

const conf = (text: string, mem?: Uint8Array) => () => {
  // Both engines must fault the same way; the compiled one's fault is the one returned.
  let first: unknown;
  try {
    runConformanceProgram(asm(text), mem, { engine: 'interpreter' });
  } catch (e) {
    first = e;
  }
  try {
    runConformanceProgram(asm(text), mem, { engine: 'compiled' });
  } catch (e) {
    expect(first).toBeInstanceOf(VmFault);
    expect((e as VmFault).kind).toBe((first as VmFault).kind);
    throw e;
  }
};

describe('memory faults', () => {
  it.each<[string, string, VmFaultKind, number, RegExp]>([
    ['stack below the frame', 'mov %r0, 0\nldxdw %r0, [%r10-520]\nexit', 'out-of-bounds', 1, /stack frame 0/],
    ['stack above r10', 'stxw [%r10], %r1\nexit', 'out-of-bounds', 0, /stack frame 0/],
    ['NULL', 'mov %r1, 0\nldxb %r0, [%r1]\nexit', 'bad-pointer', 1, /not in any region/],
    ['a scalar', 'lddw %r1, 0x123456789\nstb [%r1+4], 1\nexit', 'bad-pointer', 1, /not in any region/],
    ['mem past its end', 'ldxw %r0, [%r1+2]\nexit', 'out-of-bounds', 0, /mem/],
  ])('%s', (_n, text, kind, insn, re) => {
    const f = fault(conf(text, new Uint8Array(4)));
    expect(f.kind).toBe(kind);
    expect(f.insn).toBe(insn);
    expect(f.message).toMatch(re);
    expect(typeof f.address).toBe('bigint');
  });

  it('reports the address and region of an out-of-bounds packet read', () => {
    const prog = [d.ldxw(d.r2, d.r1, 0), d.ldxb(d.r0, d.r2, 64), d.exit()];
    const f = fault(() => runXdp(prog, new Uint8Array(64)));
    expect(f.kind).toBe('out-of-bounds');
    expect(f.region).toBe('packet');
    expect(f.insn).toBe(1);
    // the address is data + 64
    const ok = runXdp([d.ldxw(d.r0, d.r1, 0), d.exit()], new Uint8Array(64));
    expect(f.address).toBe((ok.r0 & 0xffffffffffffffffn) + 64n);
  });

  it('headroom is not readable without adjust_head, tailroom not without adjust_tail', () => {
    expect(fault(() => runXdp([d.ldxw(d.r2, d.r1, 0), d.ldxb(d.r0, d.r2, -1), d.exit()], new Uint8Array(64))).kind).toBe('out-of-bounds');
  });

  it('the context is read-only and only takes 4-byte loads of its fields', () => {
    expect(fault(() => runXdp([d.storeImm('u32', d.r1, 0, 1), d.mov(d.r0, 2), d.exit()], new Uint8Array(64))).kind).toBe('read-only');
    expect(fault(() => runXdp([d.ldxdw(d.r0, d.r1, 0), d.exit()], new Uint8Array(64))).kind).toBe('ctx-access');
    expect(fault(() => runXdp([d.ldxw(d.r0, d.r1, 24), d.exit()], new Uint8Array(64))).kind).toBe('out-of-bounds');
  });

  it('a map value is exactly value_size bytes', () => {
    const m = createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1, name: 'm' });
    const prog = [
      d.storeImm('u32', d.r10, -4, 0), d.ldMap(d.r1, 'm'), d.mov(d.r2, d.r10), d.add(d.r2, -4), d.call('map_lookup_elem'),
      d.jeq(d.r0, 0, 1), d.ldxdw(d.r0, d.r0, 4), d.exit(),
    ];
    const f = fault(() => runXdp(prog, new Uint8Array(64), { maps: { m } }));
    expect(f.kind).toBe('out-of-bounds');
    expect(f.region).toBe('m value');
  });
});

describe('control faults', () => {
  it('an infinite loop runs out of budget', () => {
    const f = fault(() => runConformanceProgram(asm('L:\nja L\nexit'), undefined, { budget: 10_000 }));
    expect(f.kind).toBe('budget');
  });

  it('too deep recursion', () => {
    expect(fault(conf('f:\ncall local f\nexit')).kind).toBe('call-depth');
  });

  it('an unknown helper names itself', () => {
    const f = fault(conf('call 9\nexit'));
    expect(f.kind).toBe('unknown-helper');
    expect(f.message).toMatch(/skb_store_bytes/);
  });

  it('jumping out of the program or into the middle of lddw', () => {
    expect(fault(conf('ja +5\nexit')).kind).toBe('pc-out-of-range');
    expect(fault(conf('mov %r0, 0\nja +1\nlddw %r0, 1\nexit')).kind).toBe('invalid-insn');
    expect(fault(conf('mov %r0, 0')).kind).toBe('pc-out-of-range');
  });

  it('callx through a non-function', () => {
    expect(fault(conf('lddw %r2, 0x100000000\ncall %r2\nexit')).kind).toBe('bad-pointer');
  });
});

describe('bad programs are VmError', () => {
  it.each([
    ['empty', []],
    ['unknown opcode', [{ code: 0xff, dst: 0, src: 0, off: 0, imm: 0 }]],
    ['reserved field', [{ code: 0x95, dst: 0, src: 0, off: 0, imm: 1 }]],
    ['unknown map', [d.ldMap(d.r1, 'nope'), d.exit()]],
    ['unlinked symbol', [d.ldSymbol(d.r1, 'glob'), d.exit()]],
  ])('%s', (_n, insns) => {
    expect(() => runXdp(insns, new Uint8Array(64))).toThrow(VmError);
  });
});

describe('bad run options are VmError', () => {
  const loop = d.assemble([d.label('L'), d.ja('L'), d.exit()]).insns;
  it.each([
    ['a NaN budget (it would never run out)', { budget: Number.NaN }],
    ['a negative budget', { budget: -1 }],
    ['a fractional budget', { budget: 1.5 }],
    ['a negative cpu', { cpu: -1 }],
    ['a NaN ingress ifindex', { ingressIfindex: Number.NaN }],
  ])('%s', (_n, opts) => {
    expect(() => runXdp(loop, new Uint8Array(64), opts)).toThrow(VmError);
  });
});
