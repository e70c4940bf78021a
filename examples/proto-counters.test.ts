import { describe, expect, it } from 'vitest';
import { needKernel } from '../test/support/env.js';
import { lintModule, loadCompiled } from '../test/xdp/kernel-load.js';
import { compileModule, craftPacket, XdpAction } from '../src/xdp/index.js';
import * as example from './proto-counters.js';

describe('examples/proto-counters', () => {
  const mod = compileModule(example);

  it('lints clean', () => {
    for (const r of lintModule(mod)) expect(r.diagnostics.filter((d) => d.severity === 'error'), JSON.stringify(r.diagnostics)).toEqual([]);
  });

  it('counts packets and bytes per protocol (kernel)', (ctx) => {
    needKernel(ctx);
    const k = loadCompiled(mod);
    try {
      const prog = k.programs.count_protocols!;
      const udp = craftPacket({ src: '198.18.0.1', dst: '198.18.0.2', proto: 'udp', payload: new Uint8Array(100) });
      const tcp6 = craftPacket({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'tcp' });
      const icmp = craftPacket({ src: '198.18.0.1', dst: '198.18.0.2', proto: 'icmp' });
      const arp = new Uint8Array(60);
      arp.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06]);
      for (const pkt of [udp, udp, tcp6, icmp, arp]) expect(prog.testRun({ data: pkt }).retval).toBe(XdpAction.PASS);
      const stats = k.typed(example.proto_stats);
      expect(stats.get(17)).toEqual({ packets: 2n, bytes: BigInt(2 * udp.length) });
      expect(stats.get(6)).toEqual({ packets: 1n, bytes: BigInt(tcp6.length) });
      expect(stats.get(1)).toEqual({ packets: 1n, bytes: BigInt(icmp.length) });
      expect(stats.get(58)).toEqual({ packets: 0n, bytes: 0n });
      expect(k.typed(example.other_stats).get(0)).toEqual({ packets: 1n, bytes: 60n });
    } finally {
      k.close();
    }
  });
});
