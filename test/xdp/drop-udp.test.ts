import { describe, expect, it } from 'vitest';
import { needKernel } from '../support/env.js';
import { compileModule, constant, craftPacket, map, u16, u32, u64, xdp, XdpAction } from '../../src/xdp/index.js';
import { loadCompiled } from './kernel-load.js';

const port = constant('blocked_port', u16, 53);
const drops = map('drops', { type: 'percpu_array', key: u32, value: u64, maxEntries: 1 });
const drop_udp = xdp('drop_udp', (p) => {
  const ip = p.ipv4();
  const udp = p.udp(ip);
  p.if(udp.dport.eq(port), () => {
    p.count(drops, 0, 1);
    p.drop();
  });
});

describe('drop udp (inline)', () => {
  it('loads and drops only UDP to the port', (ctx) => {
    needKernel(ctx);
    const mod = compileModule({ port, drops, drop_udp });
    const k = loadCompiled(mod);
    try {
      const prog = k.programs.drop_udp!;
      const run = (pkt: Uint8Array) => prog.testRun({ data: pkt }).retval;
      expect(run(craftPacket({ src: '198.18.0.1', dst: '198.18.0.2', proto: 'udp', dport: 53 }))).toBe(XdpAction.DROP);
      expect(run(craftPacket({ src: '198.18.0.1', dst: '198.18.0.2', proto: 'udp', dport: 54 }))).toBe(XdpAction.PASS);
      expect(run(craftPacket({ src: '198.18.0.1', dst: '198.18.0.2', proto: 'tcp', dport: 53 }))).toBe(XdpAction.PASS);
      expect(run(craftPacket({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'udp', dport: 53 }))).toBe(XdpAction.PASS);
      expect(run(craftPacket({ src: '198.18.0.1', dst: '198.18.0.2', proto: 'udp', dport: 53, vlans: [{ tci: 5 }] }))).toBe(XdpAction.DROP);
      expect(run(craftPacket({ src: '198.18.0.1', dst: '198.18.0.2', proto: 'udp', dport: 53, ipOptions: new Uint8Array(8).fill(1) }))).toBe(XdpAction.DROP);
      const full = craftPacket({ src: '198.18.0.1', dst: '198.18.0.2', proto: 'udp', dport: 53 });
      expect(run(full.subarray(0, 14 + 20 + 4))).toBe(XdpAction.PASS); // UDP header cut short
      expect(run(full.subarray(0, 14 + 10))).toBe(XdpAction.PASS); // IPv4 header cut short
      expect(k.typed(drops).get(0)).toBe(3n);
    } finally {
      k.close();
    }
  });
});
