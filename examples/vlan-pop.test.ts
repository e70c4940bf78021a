import { describe, expect, it } from 'vitest';
import { needKernel } from '../test/support/env.js';
import { lintModule, loadCompiled } from '../test/xdp/kernel-load.js';
import { compileModule, craftPacket, XdpAction } from '../src/xdp/index.js';
import * as example from './vlan-pop.js';

describe('examples/vlan-pop', () => {
  const mod = compileModule(example);

  it('lints clean', () => {
    for (const r of lintModule(mod)) expect(r.diagnostics.filter((d) => d.severity === 'error'), JSON.stringify(r.diagnostics)).toEqual([]);
  });

  it('removes the outer tag on the configured VLAN only (kernel)', (ctx) => {
    needKernel(ctx);
    const k = loadCompiled(mod);
    try {
      const prog = k.programs.vlan_pop!;
      const spec = { src: '198.18.0.1', dst: '198.18.0.2', proto: 'udp' } as const;
      const tagged = craftPacket({ ...spec, vlans: [{ tci: (3 << 13) | 100 }] });
      const out = prog.testRun({ data: tagged });
      expect(out.retval).toBe(XdpAction.PASS);
      expect(out.data).toEqual(craftPacket(spec));
      const qinq = craftPacket({ ...spec, vlans: [{ tpid: 0x88a8, tci: 100 }, { tci: 7 }] });
      expect(prog.testRun({ data: qinq }).data).toEqual(craftPacket({ ...spec, vlans: [{ tci: 7 }] }));
      const other = craftPacket({ ...spec, vlans: [{ tci: 200 }] });
      expect(prog.testRun({ data: other }).data).toEqual(other);
      const plain = craftPacket(spec);
      expect(prog.testRun({ data: plain }).data).toEqual(plain);
    } finally {
      k.close();
    }
  });
});
