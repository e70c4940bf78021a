import { describe, expect, it } from 'vitest';
import { needKernel } from '../test/support/env.js';
import { lintModule, loadCompiled } from '../test/xdp/kernel-load.js';
import { compileModule, craftPacket, ipv4ToNumber, withConstants, XdpAction } from '../src/xdp/index.js';
import * as example from './rate-limit.js';

describe('examples/rate-limit', () => {
  const mod = compileModule(example);

  it('lints clean', () => {
    for (const r of lintModule(mod)) expect(r.diagnostics.filter((d) => d.severity === 'error'), JSON.stringify(r.diagnostics)).toEqual([]);
  });

  it('passes max_pps packets per source in a window, then drops (kernel)', (ctx) => {
    needKernel(ctx);
    const k = loadCompiled(withConstants(mod, { max_pps: 5 }));
    try {
      const prog = k.programs.rate_limit!;
      const a = craftPacket({ src: '198.18.0.1', dst: '198.18.0.2', proto: 'udp' });
      const b = craftPacket({ src: '198.18.0.9', dst: '198.18.0.2', proto: 'udp' });
      // The window is one second long; test runs take microseconds, so all land in one window.
      const results = Array.from({ length: 8 }, () => prog.testRun({ data: a }).retval);
      expect(results).toEqual([2, 2, 2, 2, 2, 1, 1, 1]);
      expect(prog.testRun({ data: b }).retval).toBe(XdpAction.PASS);
      const win = k.typed(example.windows);
      expect(win.get(ipv4ToNumber('198.18.0.1'))?.packets).toBe(8n);
      expect(win.get(ipv4ToNumber('198.18.0.9'))?.packets).toBe(1n);
      // An old window restarts: move its start back by two seconds.
      const w = win.get(ipv4ToNumber('198.18.0.1'))!;
      win.set(ipv4ToNumber('198.18.0.1'), { start_ns: w.start_ns - 2_000_000_000n, packets: w.packets });
      expect(prog.testRun({ data: a }).retval).toBe(XdpAction.PASS);
      expect(win.get(ipv4ToNumber('198.18.0.1'))?.packets).toBe(1n);
    } finally {
      k.close();
    }
  });
});
