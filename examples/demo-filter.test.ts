import { describe, expect, it } from 'vitest';
import { needKernel } from '../test/support/env.js';
import { lintModule, loadCompiled } from '../test/xdp/kernel-load.js';
import { compileModule, craftPacket, XdpAction } from '../src/xdp/index.js';
import * as example from './demo-filter.js';

describe('examples/demo-filter', () => {
  const mod = compileModule(example);

  it('lints clean', () => {
    for (const r of lintModule(mod)) expect(r.diagnostics.filter((d) => d.severity === 'error'), JSON.stringify(r.diagnostics)).toEqual([]);
  });

  it('drops UDP to the discard port and counts verdicts per protocol (kernel)', (ctx) => {
    needKernel(ctx);
    const k = loadCompiled(mod);
    try {
      const prog = k.programs.demo_filter!;
      const base = { src: '198.18.0.2', dst: '198.18.0.1' } as const;
      const drop = craftPacket({ ...base, proto: 'udp', dport: 9 });
      const pass = craftPacket({ ...base, proto: 'udp', dport: 7 });
      const tcp = craftPacket({ ...base, proto: 'tcp', dport: 80 });
      const steer = craftPacket({ ...base, proto: 'udp', dport: 4242 });
      // No socket in the XSKMAP: redirect_map falls back to XDP_PASS.
      expect(prog.testRun({ data: steer }).retval).toBe(XdpAction.PASS);
      expect(prog.testRun({ data: drop }).retval).toBe(XdpAction.DROP);
      expect(prog.testRun({ data: pass }).retval).toBe(XdpAction.PASS);
      expect(prog.testRun({ data: tcp }).retval).toBe(XdpAction.PASS);
      const t = k.typed(example.by_proto);
      expect(t.get(17)).toEqual({ passed: 1n, dropped: 1n, to_xsk: 1n, bytes: BigInt(drop.length + pass.length + steer.length) });
      expect(t.get(6)).toEqual({ passed: 1n, dropped: 0n, to_xsk: 0n, bytes: BigInt(tcp.length) });
    } finally {
      k.close();
    }
  });
});
