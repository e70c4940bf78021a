// The user-facing XDP runner: context fields, actions, output packet and metadata, map
// changes, instruction traces, reuse across runs, repeat.
import { describe, expect, it } from 'vitest';
import * as d from '../../src/asm/dsl/index.js';
import { createMap, runXdp, XdpVm, xdpActionName } from '../../src/vm/index.js';

const { r0, r1, r2, r3, r4, r6, r10 } = d;
const PKT = Uint8Array.from({ length: 64 }, (_, i) => i);
const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);

describe('runXdp', () => {
  it('exposes ingress_ifindex, rx_queue_index and egress_ifindex', () => {
    const prog = [d.ldxw(r2, r1, 12), d.ldxw(r3, r1, 16), d.mul(r3, 1000), d.add(r2, r3), d.ldxw(r3, r1, 20), d.add(r2, r3), d.mov(r0, r2), d.exit()];
    expect(runXdp(prog, PKT, { ingressIfindex: 7, rxQueueIndex: 3 }).r0).toBe(3007n);
  });

  it('names actions from the 32-bit return value', () => {
    expect([0, 1, 2, 3, 4, 5].map(xdpActionName)).toEqual(['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT', 'unknown(5)']);
    const r = runXdp([d.lddw(r0, 0x100000002n), d.exit()], PKT);
    expect([r.retval, r.action, r.r0]).toEqual([2, 'XDP_PASS', 0x100000002n]);
  });

  it('returns the rewritten packet and the metadata in front of it', () => {
    const prog = d.assemble([
      d.mov(r6, r1), d.mov(r2, -4), d.call('xdp_adjust_meta'),
      d.ldxw(r2, r6, 8), d.ldxw(r3, r6, 0), d.mov(r4, r2), d.add(r4, 4), d.jgt(r4, r3, 'out'),
      d.storeImm('u32', r2, 0, 0x11223344), d.storeImm('u8', r3, 0, 0xee), d.label('out'), d.mov(r0, 2), d.exit(),
    ]).insns;
    const r = runXdp(prog, PKT);
    expect([...r.meta]).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(r.packet[0]).toBe(0xee);
    expect([...r.packet.subarray(1)]).toEqual([...PKT.subarray(1)]);
    expect(r.dataOut.length).toBe(68);
  });

  it('reports map changes', () => {
    const h = createMap({ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 4, name: 'h' });
    h.set(u32(1), u32(10));
    h.set(u32(2), u32(20));
    const put = (k: number, v: number) => [d.storeImm('u32', r10, -4, k), d.storeImm('u32', r10, -8, v), d.ldMap(r1, 'h'), d.mov(r2, r10), d.add(r2, -4),
      d.mov(r3, r10), d.add(r3, -8), d.mov(r4, 0), d.call('map_update_elem')];
    const prog = [...put(1, 11), ...put(3, 30), d.storeImm('u32', r10, -4, 2), d.ldMap(r1, 'h'), d.mov(r2, r10), d.add(r2, -4), d.call('map_delete_elem'), d.mov(r0, 2), d.exit()];
    const r = runXdp(prog, PKT, { maps: { h } });
    expect(r.mapChanges).toEqual([
      { map: 'h', key: '01000000', before: '0a000000', after: '0b000000' },
      { map: 'h', key: '02000000', before: '14000000', after: null },
      { map: 'h', key: '03000000', before: null, after: '1e000000' },
    ]);
  });

  it('traces instructions on request', () => {
    const prog = [d.mov(r0, 1), d.add(r0, 1), d.exit()];
    const r = runXdp(prog, PKT, { trace: true });
    expect(r.trace!.map((t) => t.pc)).toEqual([0, 1, 2]);
    expect(r.trace![2]!.regs[0]).toBe(2n);
    expect(r.instructions).toBe(3);
    const cut = runXdp(prog, PKT, { trace: 2 });
    expect([cut.trace!.length, cut.traceTruncated]).toEqual([2, true]);
  });
});

describe('legacy packet loads (LD_ABS / LD_IND)', () => {
  // Socket-filter semantics on the run's packet: network byte order, and a load past the end
  // ends the program with r0 = 0.
  const be = (off: number, n: number) => [...PKT.subarray(off, off + n)].reduce((a, b) => a * 256 + b, 0);
  it.for(['interpreter', 'compiled'] as const)('%s', (engine) => {
    const run = (insns: Parameters<typeof runXdp>[0]) => runXdp(insns, PKT, { engine }).r0;
    expect(run([d.loadAbs('u8', 14), d.exit()])).toBe(BigInt(be(14, 1)));
    expect(run([d.loadAbs('u16', 12), d.exit()])).toBe(BigInt(be(12, 2)));
    expect(run([d.loadAbs('u32', 60), d.exit()])).toBe(BigInt(be(60, 4)));
    expect(run([d.mov(r6, 20), d.loadInd('u32', r6, 6), d.exit()])).toBe(BigInt(be(26, 4)));
    expect(run([d.mov(r0, 7), d.loadAbs('u32', 61), d.mov(r0, 9), d.exit()])).toBe(0n);
    expect(run([d.mov(r6, -1), d.loadInd('u8', r6, 0), d.mov(r0, 9), d.exit()])).toBe(0n);
  });
});

describe('XdpVm', () => {
  const bumpFirstByte = d.assemble([
    d.ldxw(r2, r1, 0), d.ldxw(r3, r1, 4), d.mov(r4, r2), d.add(r4, 1), d.jgt(r4, r3, 'out'),
    d.ldxb(r0, r2, 0), d.add(r0, 1), d.stxb(r2, 0, r0), d.label('out'), d.exit(),
  ]).insns;

  it('starts every run from the given packet, keeps maps', () => {
    const vm = new XdpVm(bumpFirstByte);
    for (let i = 0; i < 3; i++) expect(vm.run(PKT).r0).toBe(1n);
  });

  it('repeat carries the packet over, as BPF_PROG_TEST_RUN repeat does', () => {
    const vm = new XdpVm(bumpFirstByte);
    expect(vm.repeat(PKT, 5).retval).toBe(5);
  });

  it('compiled and interpreted runs agree once the program is hot', () => {
    const a = new XdpVm(bumpFirstByte, { engine: 'interpreter' });
    const b = new XdpVm(bumpFirstByte, { engine: 'compiled' });
    for (let i = 0; i < 20; i++) expect(b.run(PKT)).toEqual(a.run(PKT));
  });
});
