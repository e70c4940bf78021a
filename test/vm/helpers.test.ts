// Helpers: each against the kernel through BPF_PROG_TEST_RUN where the kernel's answer is
// observable (return value, output packet, maps), and the VM-only controls (clock, seed,
// CPU, captured trace_printk, ringbuf events) on their own.
import { describe, expect, it } from 'vitest';
import * as d from '../../src/asm/dsl/index.js';
import type { Instruction } from '../../src/asm/instruction.js';
import { createMap, runXdp } from '../../src/vm/index.js';
import { needHelpersOf } from '../support/kernel-features.js';
import { runKernel, runVm, type MapSetup } from './support/both.js';

const { r0, r1, r2, r3, r4, r5, r6, r7, r10 } = d;
const PKT = Uint8Array.from({ length: 64 }, (_, i) => (i * 7 + 3) & 0xff);

/** Re-read data/data_end after a helper and write 0xAB at data[0] when there is room. */
const touchFirstByte = (): (Instruction | ReturnType<typeof d.label>)[] => [
  d.ldxw(r2, r6, 0), d.ldxw(r3, r6, 4), d.mov(r4, r2), d.add(r4, 1), d.jgt(r4, r3, 'out'),
  d.storeImm('u8', r2, 0, 0xab), d.label('out'),
];

const cases: Record<string, { prog: Instruction[]; maps?: Record<string, MapSetup> }> = {};
const add = (name: string, items: Parameters<typeof d.assemble>[0], maps?: Record<string, MapSetup>): void => {
  cases[name] = { prog: d.assemble(items).insns, ...(maps ? { maps } : {}) };
};

for (const delta of [-40, -14, -1, 0, 14, 50, 51, -216, -217, -1000]) {
  add(`xdp_adjust_head ${delta}`, [d.mov(r6, r1), d.mov(r2, delta), d.call('xdp_adjust_head'), d.mov(r7, r0), ...touchFirstByte(), d.mov(r0, r7), d.exit()]);
}
for (const delta of [-10, -50, -51, 1, 100, 3456, 3457, -64]) {
  add(`xdp_adjust_tail ${delta}`, [d.mov(r6, r1), d.mov(r2, delta), d.call('xdp_adjust_tail'), d.mov(r7, r0), ...touchFirstByte(), d.mov(r0, r7), d.exit()]);
}
for (const delta of [-4, -8, -32, -36, -3, 4, 0, -216, -220, -252, -256]) {
  add(`xdp_adjust_meta ${delta}`, [
    d.mov(r6, r1), d.mov(r2, delta), d.call('xdp_adjust_meta'), d.mov(r7, r0),
    // write 0x5a into the first metadata byte when there is one
    d.ldxw(r2, r6, 8), d.ldxw(r3, r6, 0), d.mov(r4, r2), d.add(r4, 1), d.jgt(r4, r3, 'out'),
    d.storeImm('u8', r2, 0, 0x5a), d.label('out'), d.mov(r0, r7), d.exit(),
  ]);
}
add('adjust_head then adjust_meta moves metadata along', [
  d.mov(r6, r1), d.mov(r2, -8), d.call('xdp_adjust_meta'), d.ldxw(r2, r6, 8), d.ldxw(r3, r6, 0), d.mov(r4, r2), d.add(r4, 8),
  d.jgt(r4, r3, 'out'), d.storeImm('u64', r2, 0, 0x11223344), d.mov(r1, r6), d.mov(r2, 10), d.call('xdp_adjust_head'),
  d.label('out'), d.exit(),
]);
for (const [off, len] of [[0, 4], [10, 8], [60, 4], [61, 4], [0, 64], [64, 1]] as const) {
  add(`xdp_load_bytes ${off}+${len} -> map`, [
    d.storeImm('u64', r10, -64, 0), d.mov(r2, off), d.mov(r3, r10), d.add(r3, -64), d.mov(r4, len), d.call('xdp_load_bytes'), d.mov(r7, r0),
    d.jne(r0, 0, 'out'), d.ldMapValue(r1, 'res'), d.ldxdw(r2, r10, -64), d.stxdw(r1, 0, r2), d.label('out'), d.mov(r0, r7), d.exit(),
  ], { res: { type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 } });
  add(`xdp_store_bytes ${off}+${len}`, [
    ...Array.from({ length: 8 }, (_, i) => d.storeImm('u64', r10, -64 + 8 * i, 0x01020304 + i)),
    d.mov(r2, off), d.mov(r3, r10), d.add(r3, -64), d.mov(r4, len), d.call('xdp_store_bytes'), d.exit(),
  ]);
}
for (const [fromSize, toSize, seed] of [[8, 8, 0], [4, 0, 0x1234], [0, 16, 0xffffffff], [12, 4, 7], [3, 0, 0], [0, 5, 1], [7, 9, 0xabcdef], [16, 16, 0], [0, 0, 0x12345678]] as const) {
  add(`csum_diff ${fromSize}/${toSize}/${seed}`, [
    d.mov(r0, 0), d.mov(r6, r1), d.ldxw(r7, r6, 0), d.ldxw(r3, r6, 4), d.mov(r4, r7), d.add(r4, 32), d.jgt(r4, r3, 'out'),
    d.mov(r1, r7), d.mov(r2, fromSize), d.mov(r3, r7), d.add(r3, 16), d.mov(r4, toSize), d.mov32(r5, seed),
    ...(fromSize === 0 ? [d.mov(r1, 0)] : []), ...(toSize === 0 ? [d.mov(r3, 0)] : []),
    d.call('csum_diff'), d.label('out'), d.exit(),
  ]);
}
for (const delta of [0, 20, -20]) {
  add(`xdp_get_buff_len after adjust_tail ${delta}`, [d.mov(r6, r1), d.mov(r2, delta), d.call('xdp_adjust_tail'), d.mov(r1, r6), d.call('xdp_get_buff_len'), d.exit()]);
}
for (const [ifindex, flags] of [[1, 0], [7, 0], [1, 1]] as const) {
  add(`redirect ${ifindex} flags ${flags}`, [d.mov(r1, ifindex), d.mov(r2, flags), d.call('redirect'), d.exit()]);
}
add('map helpers: count packets per first byte', [
  d.mov(r6, r1), d.ldxw(r2, r6, 0), d.ldxw(r3, r6, 4), d.mov(r4, r2), d.add(r4, 1), d.jgt(r4, r3, 'drop'),
  d.ldxb(r7, r2, 0), d.stxw(r10, -4, r7), d.ldMap(r1, 'counts'), d.mov(r2, r10), d.add(r2, -4), d.call('map_lookup_elem'),
  d.jeq(r0, 0, 'new'), d.mov(r1, 1), d.atomicAdd('u64', r0, 0, r1), d.ja('del'),
  d.label('new'), d.storeImm('u64', r10, -16, 100), d.ldMap(r1, 'counts'), d.mov(r2, r10), d.add(r2, -4), d.mov(r3, r10), d.add(r3, -16),
  d.mov(r4, 1), d.call('map_update_elem'),
  d.label('del'), d.storeImm('u32', r10, -4, 9), d.ldMap(r1, 'counts'), d.mov(r2, r10), d.add(r2, -4), d.call('map_delete_elem'),
  d.mov(r0, 2), d.exit(), d.label('drop'), d.mov(r0, 1), d.exit(),
], {
  counts: {
    type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16,
    init: [[Uint8Array.of(9, 0, 0, 0), new Uint8Array(8)], [Uint8Array.of(3, 0, 0, 0), new Uint8Array(8)]],
  },
});

describe('helpers agree with the kernel', () => {
  it.for(Object.keys(cases))('%s', (name, ctx) => {
    const { prog, maps } = cases[name]!;
    needHelpersOf(ctx, 'xdp', prog);
    const k = runKernel(prog, PKT, maps);
    const v = runVm(prog, PKT, maps);
    expect(v).toEqual(k);
  });

  it('the VM side runs without the kernel', () => {
    for (const { prog, maps } of Object.values(cases)) expect(() => runVm(prog, PKT, maps)).not.toThrow();
  });
});

describe('VM-only controls', () => {
  // bpf_loop callbacks need BTF func_info in the kernel, which these raw programs lack:
  // the expected values follow from the helper's contract (calls made, early stop on 1).
  it.each([[0, 99], [10, 99], [10, 4], [1000, 99], [1 << 23, 0]] as const)('bpf_loop %d iterations, stop at %d', (n, stopAt) => {
    const prog = d.assemble([
      d.storeImm('u64', r10, -8, 0), d.mov(r1, n), d.ldFunc(r2, 'cb'), d.mov(r3, r10), d.add(r3, -8), d.mov(r4, 0), d.call('loop'),
      d.ldxdw(r1, r10, -8), d.lsh(r1, 32), d.add(r0, r1), d.exit(),
      d.label('cb'), d.ldxdw(r3, r2, 0), d.add(r3, r1), d.stxdw(r2, 0, r3), d.mov(r0, 0), d.jne(r1, stopAt, 1), d.mov(r0, 1), d.exit(),
    ]).insns;
    const calls = Math.min(n, stopAt + 1);
    const sum = BigInt((calls * (calls - 1)) / 2);
    for (const engine of ['interpreter', 'compiled'] as const) expect(runXdp(prog, PKT, { engine }).r0, engine).toBe((sum << 32n) + BigInt(calls));
  });

  it('bpf_loop callbacks count against the instruction budget', () => {
    const prog = d.assemble([
      d.mov(r1, 1 << 20), d.ldFunc(r2, 'cb'), d.mov(r3, 0), d.mov(r4, 0), d.call('loop'), d.exit(), d.label('cb'), d.mov(r0, 0), d.exit(),
    ]).insns;
    for (const engine of ['interpreter', 'compiled'] as const) {
      expect(() => runXdp(prog, PKT, { engine, budget: 10_000 }), engine).toThrow(/budget/);
    }
  });

  it('bpf_loop refuses flags and more than 1<<23 iterations', () => {
    const prog = (n: number, flags: number) => d.assemble([
      d.mov(r1, n), d.ldFunc(r2, 'cb'), d.mov(r3, 0), d.mov(r4, flags), d.call('loop'), d.exit(), d.label('cb'), d.mov(r0, 0), d.exit(),
    ]).insns;
    expect(runXdp(prog(1, 1), PKT).r0).toBe(BigInt.asUintN(64, -22n));
    expect(runXdp(prog((1 << 23) + 1, 0), PKT).r0).toBe(BigInt.asUintN(64, -7n));
  });

  it('ktime is controllable', () => {
    const prog = [d.call('ktime_get_ns'), d.mov(r6, r0), d.call('ktime_get_ns'), d.sub(r0, r6), d.exit()];
    expect(runXdp([d.call('ktime_get_ns'), d.exit()], PKT, { clock: 123456789012345n }).r0).toBe(123456789012345n);
    let t = 0n;
    expect(runXdp(prog, PKT, { clock: () => (t += 250n) }).r0).toBe(250n);
  });

  it('prandom is seeded', () => {
    const prog = [d.call('get_prandom_u32'), d.mov(r6, r0), d.call('get_prandom_u32'), d.lsh(r0, 32), d.or(r0, r6), d.exit()];
    const a = runXdp(prog, PKT, { seed: 7 }).r0, b = runXdp(prog, PKT, { seed: 7 }).r0, c = runXdp(prog, PKT, { seed: 8 }).r0;
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a >> 32n).not.toBe(a & 0xffffffffn);
  });

  it('get_smp_processor_id returns the chosen CPU', () => {
    expect(runXdp([d.call('get_smp_processor_id'), d.exit()], PKT, { cpu: 3 }).r0).toBe(3n);
  });

  it('trace_printk output is captured', () => {
    const fmt = 'x=%d y=%x %llu\n\0';
    const bytes = new TextEncoder().encode(fmt);
    const stores: Instruction[] = [];
    const padded = new Uint8Array(Math.ceil(bytes.length / 8) * 8);
    padded.set(bytes);
    const dv = new DataView(padded.buffer);
    for (let i = 0; i < padded.length; i += 8) {
      stores.push(d.lddw(r1, dv.getBigUint64(i, true)), d.stxdw(r10, -padded.length + i, r1));
    }
    const prog = [...stores, d.mov(r1, r10), d.add(r1, -padded.length), d.mov(r2, bytes.length), d.mov(r3, -5), d.mov(r4, 255),
      d.lddw(r5, 1n << 40n), d.call('trace_printk'), d.exit()];
    const r = runXdp(prog, PKT);
    expect(r.printk).toEqual([`x=-5 y=ff ${1n << 40n}\n`]);
  });

  it('ringbuf output, reserve/submit and reserve/discard', () => {
    const rb = createMap({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096, name: 'rb' });
    const prog = [
      d.storeImm('u64', r10, -8, 0x41424344), d.ldMap(r1, 'rb'), d.mov(r2, r10), d.add(r2, -8), d.mov(r3, 4), d.mov(r4, 0), d.call('ringbuf_output'),
      d.ldMap(r1, 'rb'), d.mov(r2, 2), d.mov(r3, 0), d.call('ringbuf_reserve'), d.jeq(r0, 0, 'skip1'),
      d.storeImm('u16', r0, 0, 0x0102), d.mov(r1, r0), d.mov(r2, 0), d.call('ringbuf_submit'), d.label('skip1'),
      d.ldMap(r1, 'rb'), d.mov(r2, 16), d.mov(r3, 0), d.call('ringbuf_reserve'), d.jeq(r0, 0, 'skip2'),
      d.mov(r1, r0), d.mov(r2, 0), d.call('ringbuf_discard'), d.label('skip2'),
      d.ldMap(r1, 'rb'), d.mov(r2, 8192), d.mov(r3, 0), d.call('ringbuf_reserve'), d.exit(), // too big: NULL
    ];
    const r = runXdp(d.assemble(prog).insns, PKT, { maps: { rb } });
    expect(r.events.map((e) => [e.map, [...e.data]])).toEqual([['rb', [0x44, 0x43, 0x42, 0x41]], ['rb', [0x02, 0x01]]]);
    expect(r.r0).toBe(0n);
  });

  it('a submitted ringbuf record cannot be touched again', () => {
    const rb = createMap({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096, name: 'rb' });
    const prog = [
      d.ldMap(r1, 'rb'), d.mov(r2, 8), d.mov(r3, 0), d.call('ringbuf_reserve'), d.jeq(r0, 0, 'out'), d.mov(r6, r0),
      d.mov(r1, r0), d.mov(r2, 0), d.call('ringbuf_submit'), d.storeImm('u8', r6, 0, 1), d.label('out'), d.exit(),
    ];
    expect(() => runXdp(d.assemble(prog).insns, PKT, { maps: { rb } })).toThrow(/bad-pointer/);
  });
});
