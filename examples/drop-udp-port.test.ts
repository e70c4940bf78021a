import { describe, expect, it } from 'vitest';
import { needKernel } from '../test/support/env.js';
import { lintModule, loadCompiled } from '../test/xdp/kernel-load.js';
import { compileModule, craftPacket, withConstants, XdpAction } from '../src/xdp/index.js';
import * as example from './drop-udp-port.js';

const udp = (dport: number) => craftPacket({ src: '198.18.0.1', dst: '198.18.0.2', proto: 'udp', dport });

describe('examples/drop-udp-port', () => {
  const mod = compileModule(example);

  it('lints clean', () => {
    for (const r of lintModule(mod)) expect(r.diagnostics.filter((d) => d.severity === 'error'), JSON.stringify(r.diagnostics)).toEqual([]);
  });

  it('drops UDP to the configured port and counts it (kernel)', (ctx) => {
    needKernel(ctx);
    const k = loadCompiled(withConstants(mod, { blocked_port: 5353 }));
    try {
      const prog = k.programs.drop_udp!;
      expect(prog.testRun({ data: udp(5353) }).retval).toBe(XdpAction.DROP);
      expect(prog.testRun({ data: udp(53) }).retval).toBe(XdpAction.PASS);
      const out = prog.testRun({ data: udp(53) });
      expect(out.data).toEqual(udp(53)); // untouched
      expect(prog.testRun({ data: craftPacket({ src: '198.18.0.1', dst: '198.18.0.2', proto: 'tcp', dport: 5353 }) }).retval).toBe(XdpAction.PASS);
      expect(k.typed(example.dropped).get(0)).toBe(1n);
    } finally {
      k.close();
    }
  });
});
