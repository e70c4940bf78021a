import { describe, expect, it } from 'vitest';
import { needKernel } from '../test/support/env.js';
import { lintModule, loadCompiled } from '../test/xdp/kernel-load.js';
import { compileModule, craftPacket, ipv4ChecksumOk, XdpAction } from '../src/xdp/index.js';
import * as example from './ttl-decrement.js';

describe('examples/ttl-decrement', () => {
  const mod = compileModule(example);

  it('lints clean', () => {
    for (const r of lintModule(mod)) expect(r.diagnostics.filter((d) => d.severity === 'error'), JSON.stringify(r.diagnostics)).toEqual([]);
  });

  it('decrements TTL with a valid checksum, swaps MACs and transmits (kernel)', (ctx) => {
    needKernel(ctx);
    const k = loadCompiled(mod);
    try {
      const prog = k.programs.ttl_decrement!;
      const base = { srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02', src: '198.18.0.1', dst: '198.18.0.2', proto: 'udp' } as const;
      for (const ttl of [64, 2, 255, 0x81]) {
        const out = prog.testRun({ data: craftPacket({ ...base, ttl }) });
        expect(out.retval).toBe(XdpAction.TX);
        // The kernel's own reply: what the same packet looks like with TTL-1 and swapped MACs, checksum recomputed.
        expect(out.data).toEqual(craftPacket({ ...base, srcMac: base.dstMac, dstMac: base.srcMac, ttl: ttl - 1 }));
        expect(ipv4ChecksumOk(out.data)).toBe(true);
      }
      const expiring = craftPacket({ ...base, ttl: 1 });
      const out1 = prog.testRun({ data: expiring });
      expect(out1.retval).toBe(XdpAction.PASS);
      expect(out1.data).toEqual(expiring);
      const v6 = { ...base, src: '2001:db8::1', dst: '2001:db8::2' };
      const out6 = prog.testRun({ data: craftPacket({ ...v6, ttl: 9 }) });
      expect(out6.retval).toBe(XdpAction.TX);
      expect(out6.data).toEqual(craftPacket({ ...v6, srcMac: base.dstMac, dstMac: base.srcMac, ttl: 8 }));
    } finally {
      k.close();
    }
  });
});
