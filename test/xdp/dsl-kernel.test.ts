// DSL features checked against the kernel: each program is loaded (the verifier is the judge)
// and run with BPF_PROG_TEST_RUN on crafted packets; expected bytes come from craftPacket,
// which computes checksums from scratch.
import { afterAll, describe, expect, it } from 'vitest';
import { needKernel } from '../support/env.js';
import { needHelper } from '../support/kernel-features.js';
import {
  compileModule, craftPacket, internetChecksum, ipv4ToNumber, map, ringbuf, struct, subprogram, readEvents, parseIpv4, u16, u32, u64, u8, array, xdp, XdpAction,
  type CompiledModule,
} from '../../src/xdp/index.js';
import { loadCompiled, type LoadedModule } from './kernel-load.js';
import { RingBuffer } from '../../src/loader/index.js';

const opened: LoadedModule[] = [];
afterAll(() => {
  for (const k of opened) k.close();
});

function load(exports: Record<string, unknown>): LoadedModule {
  const k = loadCompiled(compileModule(exports));
  opened.push(k);
  return k;
}

const V4 = { src: '198.18.0.1', dst: '198.18.0.2' } as const;

describe('packet writes', () => {
  it('rewrites the UDP port with an incremental checksum update', (ctx) => {
    needKernel(ctx);
    const prog = xdp('port_rewrite', (p) => {
      const ip = p.ipv4();
      const udp = p.udp(ip);
      p.if(udp.dport.eq(53), () => udp.set('dport', 5353));
    });
    const k = load({ prog });
    for (const payload of [new Uint8Array(0), Uint8Array.from([1, 2, 3]), new Uint8Array(100).fill(0xff)]) {
      const out = k.programs.port_rewrite!.testRun({ data: craftPacket({ ...V4, proto: 'udp', dport: 53, payload }) });
      expect(out.data).toEqual(craftPacket({ ...V4, proto: 'udp', dport: 5353, payload }));
    }
  });

  it('rewrites the IPv4 destination, fixing the IP and the TCP pseudo-header checksums', (ctx) => {
    needKernel(ctx);
    const prog = xdp('dnat', (p) => {
      const ip = p.ipv4();
      const tcp = p.tcp(ip);
      ip.set('daddr', ipv4ToNumber('198.19.7.9'), { pseudo: tcp });
    });
    const k = load({ prog });
    const out = k.programs.dnat!.testRun({ data: craftPacket({ ...V4, proto: 'tcp', dport: 80 }) });
    expect(out.data).toEqual(craftPacket({ src: V4.src, dst: '198.19.7.9', proto: 'tcp', dport: 80 }));
  });

  it('pushes a VLAN tag, and truncates', (ctx) => {
    needKernel(ctx);
    const push = xdp('vlan_push', (p) => p.vlanPush((5 << 13) | 42));
    const cut = xdp('cut', (p) => p.truncate(60));
    const k = load({ push, cut });
    const plain = craftPacket({ ...V4, proto: 'udp', payload: new Uint8Array(200) });
    expect(k.programs.vlan_push!.testRun({ data: plain }).data).toEqual(craftPacket({ ...V4, proto: 'udp', payload: new Uint8Array(200), vlans: [{ tci: (5 << 13) | 42 }] }));
    expect(k.programs.cut!.testRun({ data: plain }).data).toEqual(plain.subarray(0, 60));
    const small = plain.subarray(0, 50);
    expect(k.programs.cut!.testRun({ data: small }).data).toEqual(small);
  });

  it('sets bit fields and MAC addresses', (ctx) => {
    needKernel(ctx);
    const prog = xdp('bits', (p) => {
      const eth = p.eth();
      eth.set('dst', 0x0a0b0c0d0e0f);
      const ip = p.ipv4();
      ip.set('tos', 0xb8);
    });
    const k = load({ prog });
    const pkt = craftPacket({ ...V4, proto: 'udp' });
    const out = k.programs.bits!.testRun({ data: pkt }).data;
    expect(Array.from(out.subarray(0, 6))).toEqual([10, 11, 12, 13, 14, 15]);
    expect(out[15]).toBe(0xb8);
    expect(internetChecksum(out.subarray(14, 34))).toBe(0);
  });
});

describe('parsing', () => {
  it('walks IPv6 extension headers to the transport header', (ctx) => {
    needKernel(ctx);
    const seen = map('seen', { type: 'array', key: u32, value: u64, maxEntries: 1 });
    const prog = xdp('v6ext', (p) => {
      const ip = p.ipv6();
      const udp = p.udp(ip);
      p.update(seen, 0, udp.dport);
      p.drop();
    });
    const k = load({ prog, seen });
    const base = craftPacket({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'udp', dport: 777 });
    // Insert a hop-by-hop header (8 bytes) and a destination options header (16 bytes).
    const ext = new Uint8Array([60, 0, 1, 4, 0, 0, 0, 0, 17, 1, 1, 12, ...new Array<number>(12).fill(0)]);
    const pkt = new Uint8Array(base.length + ext.length);
    pkt.set(base.subarray(0, 54));
    pkt.set(ext, 54);
    pkt.set(base.subarray(54), 54 + ext.length);
    pkt[14 + 6] = 0; // next header: hop-by-hop
    expect(k.programs.v6ext!.testRun({ data: pkt }).retval).toBe(XdpAction.DROP);
    expect(k.typed(seen).get(0)).toBe(777n);
    expect(k.programs.v6ext!.testRun({ data: pkt.subarray(0, 54 + 10) }).retval).toBe(XdpAction.PASS);
  });

  it('reads ARP, TCP flags, ICMP types and the VLAN id', (ctx) => {
    needKernel(ctx);
    const out = map('out', { type: 'array', key: u32, value: u64, maxEntries: 4 });
    const prog = xdp('fields', (p) => {
      p.ifArp((arp) => p.update(out, 0, arp.op));
      p.ifIpv4((ip) => {
        p.ifTcp(ip, (tcp) => p.update(out, 1, tcp.flags));
        p.ifIcmp(ip, (icmp) => p.update(out, 2, icmp.type));
      });
      p.ifVlan((tag) => p.update(out, 3, tag.vid));
    });
    const k = load({ prog, out });
    const arp = new Uint8Array(42);
    arp.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 2]);
    k.programs.fields!.testRun({ data: arp });
    k.programs.fields!.testRun({ data: craftPacket({ ...V4, proto: 'tcp', tcpFlags: 0x12, vlans: [{ tci: 0x2000 | 99 }] }) });
    k.programs.fields!.testRun({ data: craftPacket({ ...V4, proto: 'icmp' }) });
    const t = k.typed(out);
    expect([t.get(0), t.get(1), t.get(2), t.get(3)]).toEqual([2n, 0x12n, 8n, 99n]);
  });
});

describe('actions', () => {
  it('redirects through a devmap and a cpumap, falling back when the slot is empty', (ctx) => {
    needKernel(ctx);
    const ports = map('ports', { type: 'devmap', key: u32, value: u32, maxEntries: 4 });
    const cpus = map('cpus', { type: 'cpumap', key: u32, value: u32, maxEntries: 4 });
    const to_port = xdp('to_port', (p) => {
      const ip = p.ipv4();
      p.redirectMap(ports, ip.ttl.bitAnd(3), { otherwise: 'drop' });
    });
    const to_cpu = xdp('to_cpu', (p) => p.redirectMap(cpus, 3, { otherwise: 'aborted' }));
    const k = load({ to_port, to_cpu, ports });
    k.typed(ports).set(1, 1); // slot 1 → lo
    const run = (ttl: number) => k.programs.to_port!.testRun({ data: craftPacket({ ...V4, proto: 'udp', ttl }) }).retval;
    expect(run(5)).toBe(XdpAction.REDIRECT);
    expect(run(6)).toBe(XdpAction.DROP);
    expect(k.programs.to_cpu!.testRun({ data: craftPacket({ ...V4, proto: 'udp' }) }).retval).toBe(XdpAction.ABORTED);
  });

  it('returns computed actions', (ctx) => {
    needKernel(ctx);
    const prog = xdp('computed', (p) => {
      const ip = p.ipv6();
      p.ifIcmp6(ip, (icmp) => p.return(icmp.type.sub(127))); // echo request (128) → 1 = drop
      p.tx();
    });
    const k = load({ prog });
    expect(k.programs.computed!.testRun({ data: craftPacket({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'icmp' }) }).retval).toBe(XdpAction.DROP);
    expect(k.programs.computed!.testRun({ data: craftPacket({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'udp' }) }).retval).toBe(XdpAction.TX);
  });

  it('stores adjust_meta results', (ctx) => {
    needHelper(ctx, 'xdp', 'xdp_adjust_meta');
    const res = map('meta_res', { type: 'array', key: u32, value: u64, maxEntries: 1 });
    const prog = xdp('meta', (p) => {
      p.update(res, 0, p.adjustMeta(-8).add(100));
      p.pass();
    });
    const k = load({ prog, res });
    expect(k.programs.meta!.testRun({ data: craftPacket({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'udp' }) }).retval).toBe(XdpAction.PASS);
    expect(k.typed(res).get(0)).toBe(100n);
  });
});

describe('control flow and helpers', () => {
  it('runs a bounded loop, unrolled code, variables and and/or/not conditions', (ctx) => {
    needKernel(ctx);
    const out = map('loop_out', { type: 'array', key: u32, value: u64, maxEntries: 2 });
    const prog = xdp('loops', (p) => {
      const sum = p.let(0);
      p.loop(100, (i, ctl) => {
        p.if(i.eq(50), () => ctl.break());
        p.if(i.mod(2).eq(1).or(i.eq(10)).and(i.ne(3).not().not()), () => sum.set(sum.add(i)));
      });
      p.update(out, 0, sum);
      const twice = p.let(1);
      p.unroll(5, () => twice.set(twice.mul(2)));
      p.update(out, 1, twice);
    });
    const k = load({ prog, out });
    k.programs.loops!.testRun({ data: craftPacket({ ...V4, proto: 'udp' }) });
    let want = 0;
    for (let i = 0; i < 50; i++) if ((i % 2 === 1 || i === 10) && i !== 3) want += i;
    expect(k.typed(out).get(0)).toBe(BigInt(want));
    expect(k.typed(out).get(1)).toBe(32n);
  });

  it('calls subprograms (bpf-to-bpf), including one from another', (ctx) => {
    needKernel(ctx);
    const square = subprogram('square', 1, (_f, x) => x.mul(x));
    const mix = subprogram('mix', 2, (f, a, b) => {
      const t = f.let(a.bitXor(b));
      f.if(t.gt(1000), () => f.return(f.call(square, 3)));
      return f.call(square, t).add(1);
    });
    const out = map('fn_out', { type: 'array', key: u32, value: u64, maxEntries: 2 });
    const prog = xdp('calls', (p) => {
      const ip = p.ipv4();
      p.update(out, 0, p.call(mix, ip.ttl, 7));
      p.update(out, 1, p.call(mix, ip.saddr, 0));
    });
    const k = load({ prog, out });
    k.programs.calls!.testRun({ data: craftPacket({ ...V4, proto: 'udp', ttl: 20 }) });
    expect(k.typed(out).get(0)).toBe(BigInt((20 ^ 7) * (20 ^ 7) + 1));
    expect(k.typed(out).get(1)).toBe(9n);
    expect(() => compileModule({ bad: xdp('bad', (p) => void p.call(subprogram('pk', 0, (f) => void f.ipv4()))) })).toThrow(/no packet/);
  });

  it('computes csum_diff over header bytes', (ctx) => {
    needKernel(ctx);
    const out = map('cd_out', { type: 'array', key: u32, value: u64, maxEntries: 1 });
    const prog = xdp('cdiff', (p) => {
      const ip = p.ipv6();
      p.update(out, 0, p.csumDiff(undefined, ip.bytes('saddr')));
    });
    const k = load({ prog, out });
    const pkt = craftPacket({ src: '2001:db8:ffff:1234::fe01', dst: '2001:db8::2', proto: 'udp' });
    k.programs.cdiff!.testRun({ data: pkt });
    const fold = (x: number): number => {
      while (x > 0xffff) x = (x & 0xffff) + Math.floor(x / 0x10000);
      return x;
    };
    let sum = 0; // ones-complement sum of the address as host-order (little-endian) 16-bit words
    for (let i = 22; i < 38; i += 2) sum += pkt[i]! | (pkt[i + 1]! << 8);
    expect(fold(Number(k.typed(out).get(0)))).toBe(fold(sum));
  });

  it('emits typed events to a ring buffer and reads ktime/random', (ctx) => {
    needKernel(ctx);
    const event = struct({ saddr: u32, proto: u8, len: u16, addr: array(u8, 4) }, 'pkt_event');
    const events = ringbuf('events', { event, size: 4096 });
    const res = map('rb_res', { type: 'array', key: u32, value: u64, maxEntries: 3 });
    const prog = xdp('rb', (p) => {
      const ip = p.ipv4();
      const len = p.packetLength();
      const r = p.emit(events, { saddr: ip.saddr, proto: ip.protocol, len, addr: ip.bytes('daddr') });
      p.update(res, 0, r);
      p.update(res, 1, p.ktime());
      p.update(res, 2, p.random().bitOr(1));
    });
    const k = load({ prog, res });
    const reader = RingBuffer.open(k.maps.events!);
    try {
      const pkts = [craftPacket({ ...V4, proto: 'udp' }), craftPacket({ src: '198.18.3.4', dst: '198.18.200.1', proto: 'tcp' })];
      for (const pkt of pkts) k.programs.rb!.testRun({ data: pkt });
      const t = k.typed(res);
      expect(t.get(0)).toBe(0n);
      expect(t.get(1)! > 0n).toBe(true);
      expect(t.get(2)! % 2n).toBe(1n);
      expect(reader.wait(0)).toBe(true);
      const got = readEvents(events, reader);
      expect(got).toEqual([
        { saddr: ipv4ToNumber(V4.src), proto: 17, len: pkts[0]!.length, addr: parseIpv4(V4.dst) },
        { saddr: ipv4ToNumber('198.18.3.4'), proto: 6, len: pkts[1]!.length, addr: parseIpv4('198.18.200.1') },
      ]);
      expect(readEvents(events, reader)).toEqual([]);
      expect(reader.wait(0)).toBe(false);
    } finally {
      reader.close();
    }
  });
});

export type { CompiledModule };
