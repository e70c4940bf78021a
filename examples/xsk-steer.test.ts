import { describe, expect, it } from 'vitest';
import { needKernel } from '../test/support/env.js';
import { lintModule, loadCompiled } from '../test/xdp/kernel-load.js';
import { compileModule, craftPacket, XdpAction } from '../src/xdp/index.js';
import * as example from './xsk-steer.js';

describe('examples/xsk-steer', () => {
  const mod = compileModule(example);

  it('lints clean', () => {
    for (const r of lintModule(mod)) expect(r.diagnostics.filter((d) => d.severity === 'error'), JSON.stringify(r.diagnostics)).toEqual([]);
  });

  it('passes to the stack when no socket is bound to the queue (kernel)', (ctx) => {
    needKernel(ctx);
    const k = loadCompiled(mod);
    try {
      const prog = k.programs.xsk_steer!;
      expect(prog.testRun({ data: craftPacket({ src: '198.18.0.1', dst: '198.18.0.2', proto: 'udp', dport: 4242 }) }).retval).toBe(XdpAction.PASS);
      expect(prog.testRun({ data: craftPacket({ src: '198.18.0.1', dst: '198.18.0.2', proto: 'udp', dport: 53 }) }).retval).toBe(XdpAction.PASS);
    } finally {
      k.close();
    }
  });
});
