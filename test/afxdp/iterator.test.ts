// The async iterator: frames as zero-copy views, one batch at a time, ending after an idle
// period; waiting through the helper thread (default) and through timers.
import { describe, expect, it } from 'vitest';
import { needKernel } from '../support/env.js';
import { startChild } from './child.js';
import { createVethPair, pythonSender } from './topology.js';
import { frames, parseMac, udpFrame, Umem, XskRedirect, XskSocket } from '../../src/afxdp/index.js';
import { ifNameToIndex } from '../../src/sys/index.js';

describe('AF_XDP async iteration', () => {
  for (const via of ['worker', 'timers'] as const) {
    it(`yields every frame the peer sends (waiting via ${via})`, async (ctx) => {
      needKernel(ctx);
      const pair = createVethPair();
      try {
        using redirect = XskRedirect.attach(ifNameToIndex(pair.host));
        using umem = Umem.create({ frameCount: 1024, fillSize: 512, completionSize: 512 });
        using xsk = XskSocket.create({ umem, dev: pair.host, rxSize: 512, txSize: 0 });
        redirect.register(xsk);
        // Idle first: the waiter must not return early or spin.
        expect(await xsk.readable(200)).toBe(false);
        const N = 500;
        const frame = udpFrame({ dstMac: parseMac(pair.hostMac), srcMac: parseMac(pair.peerMac), srcIp: '198.18.0.1', dstIp: '198.18.0.2', size: 80 });
        const sender = startChild(pair.inNs(pythonSender(pair.peer, Buffer.from(frame).toString('hex'), N)), 30_000);
        // The sender may take seconds to start on a loaded machine: wait for the first frame.
        expect(await xsk.readable(30_000)).toBe(true);
        const seqs: number[] = [];
        let ticks = 0;
        const ticker = setInterval(() => ticks++, 5);
        try {
          for await (const f of frames(xsk, { idleMs: 3000, via })) {
            expect(f.length).toBe(80);
            expect([...f.subarray(12, 42)]).toEqual([...frame.subarray(12, 42)]);
            seqs.push(((f[42]! << 24) | (f[43]! << 16) | (f[44]! << 8) | f[45]!) >>> 0);
            if (seqs.length === N) break;
          }
        } finally {
          clearInterval(ticker);
        }
        const s = await sender.done;
        expect(s.stdout.trim()).toBe(String(N));
        const st = xsk.statistics();
        expect(seqs.length + Number(st.rxDropped + st.rxRingFull)).toBe(N);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(xsk.batchSize).toBe(0); // break released the batch
        expect(ticks).toBeGreaterThan(0); // the event loop kept running
      } finally {
        pair.destroy();
      }
    }, 60_000);
  }
});
