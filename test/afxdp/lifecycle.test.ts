// Lifetimes: the XDP attachment leaves with a SIGKILLed process (bpf_link), 1,000 open/close
// cycles leave no fd or mapping behind, and frame views used after close cannot crash.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { needKernel } from '../support/env.js';
import { cliArgv, startChild } from './child.js';
import { receiveAll } from './receive.js';
import { createVethPair, pythonSender } from './topology.js';
import { parseMac, udpFrame, Umem, XskClosedError, XskError, XskRedirect, XskSocket } from '../../src/afxdp/index.js';
import { ifNameToIndex } from '../../src/sys/index.js';

/** What iproute2 reports as attached to `dev` (the oracle), or undefined when nothing. */
function ipXdp(dev: string): unknown {
  const j = JSON.parse(execFileSync('ip', ['-d', '-j', 'link', 'show', 'dev', dev], { encoding: 'utf8' })) as { xdp?: unknown }[];
  return j[0]!.xdp;
}

describe('AF_XDP lifetimes', () => {
  it('SIGKILL of a receiving process leaves no XDP program attached', async (ctx) => {
    needKernel(ctx);
    const pair = createVethPair();
    try {
      expect(ipXdp(pair.host)).toBeUndefined();
      const rx = startChild(cliArgv(['xsk', 'rx', '--dev', pair.host, '--first-ms', '60000', '--json']), 90_000);
      expect(await rx.waitFor(/ready/, 30_000), rx.output().stderr).toBe(true);
      expect(ipXdp(pair.host)).toBeDefined();
      rx.kill('SIGKILL');
      const r = await rx.done;
      expect(r.signal).toBe('SIGKILL');
      // The link goes with the last fd; the kernel releases it right away (bounded wait).
      let attached: unknown = true;
      for (let i = 0; i < 100 && attached !== undefined; i++) {
        attached = ipXdp(pair.host);
        if (attached !== undefined) await new Promise((res) => setTimeout(res, 50));
      }
      expect(attached).toBeUndefined();
    } finally {
      pair.destroy();
    }
  }, 120_000);

  it('1,000 open/close cycles leave the fd and mapping counts where they started', async (ctx) => {
    needKernel(ctx);
    const pair = createVethPair();
    try {
      // In a child process of its own: the test runner's threads map and unmap memory too.
      const c = startChild([process.execPath, '--import', 'tsx', fileURLToPath(new URL('./cycles-child.ts', import.meta.url)), pair.host, '1000'], 170_000);
      const r = await c.done;
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as { done: number; error?: string; before: Record<string, number>; after: Record<string, number>; added: string[] };
      expect(report.error).toBeUndefined();
      expect(report.done).toBe(1000);
      expect(report.after.fds).toBe(report.before.fds);
      expect(report.after.socketMaps).toBe(report.before.socketMaps);
      expect(report.after.umemMaps).toBe(report.before.umemMaps);
      // Our mappings are recognisable (rings: socket:[inode]; the UMEM: its odd size) and
      // must be back to exactly where they were. The total line count also moves with V8
      // heap pages and malloc arenas of Node's own threads (a few to a few dozen lines,
      // observed); a leak of ours would add 1,000 to 5,000.
      expect(Math.abs(report.after.maps - report.before.maps), report.added.join('\n')).toBeLessThanOrEqual(64);
      expect(ipXdp(pair.host)).toBeUndefined();
    } finally {
      pair.destroy();
    }
  }, 180_000);

  it('a frame view used after close reads zeros instead of crashing; the API throws', async (ctx) => {
    needKernel(ctx);
    const pair = createVethPair();
    try {
      const redirect = XskRedirect.attach(ifNameToIndex(pair.host));
      const umem = Umem.create({ frameCount: 256, fillSize: 128, completionSize: 128 });
      const xsk = XskSocket.create({ umem, dev: pair.host, rxSize: 128, txSize: 128 });
      redirect.register(xsk);
      const frame = udpFrame({ dstMac: parseMac(pair.hostMac), srcMac: parseMac(pair.peerMac), srcIp: '198.18.0.1', dstIp: '198.18.0.2', size: 64 });
      const sender = startChild(pair.inNs(pythonSender(pair.peer, Buffer.from(frame).toString('hex'), 1)), 20_000);
      let kept: Uint8Array | undefined;
      const got = await receiveAll(xsk, { count: 1, idleMs: 10_000, maxMs: 15_000, onFrame: (f) => (kept = f) });
      await sender.done;
      expect(got).toBe(1);
      expect(kept![12]).toBe(0x08); // IPv4: the view aliases the UMEM
      const whole = umem.bytes;
      // A NaN count would move a ring index back to 0 (old descriptors seen again as new).
      expect(() => xsk.peek(Number.NaN)).toThrow(XskError);
      expect(() => xsk.refill(Number.NaN)).toThrow(XskError);
      expect(xsk.refill()).toBeGreaterThanOrEqual(0);
      xsk.close();
      redirect.close();
      umem.close();
      // The old views now see a zero page that replaced the UMEM; writing is harmless.
      expect(kept![12]).toBe(0);
      kept![0] = 1;
      whole[0] = 1;
      expect(() => xsk.peek()).toThrow(XskClosedError);
      expect(() => xsk.frame(0)).toThrow(XskClosedError);
      expect(() => xsk.alloc()).toThrow(XskClosedError);
      expect(() => umem.bytes).toThrow(XskClosedError);
      expect(() => umem.view(0, 64)).toThrow(XskClosedError);
      expect(() => xsk.fd).toThrow(XskClosedError);
      expect(() => xsk.kickTx()).toThrow(XskClosedError); // its fd number may be another object's now
    } finally {
      pair.destroy();
    }
  }, 120_000);
});
