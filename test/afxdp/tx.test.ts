// TX: N frames sent in-process all arrive on the peer (its rx counter), every frame comes
// back through the completion ring, and no frame is reused while the kernel holds it.
import { describe, expect, it } from 'vitest';
import { needKernel } from '../support/env.js';
import { createVethPair } from './topology.js';
import { FrameOwnershipError, FrameState, parseMac, Umem, writeUdpFrame, XskSocket } from '../../src/afxdp/index.js';

describe('AF_XDP transmit', () => {
  it('sends N frames that the peer receives, and reaps every completion', async (ctx) => {
    needKernel(ctx);
    const pair = createVethPair();
    try {
      using umem = Umem.create({ frameCount: 1024, frameSize: 2048, completionSize: 1024 });
      using xsk = XskSocket.create({ umem, dev: pair.host, rxSize: 0, txSize: 512, bind: 'copy' });
      const N = 50_000;
      const before = pair.counters('peer');
      const spec = { dstMac: parseMac(pair.peerMac), srcMac: parseMac(pair.hostMac), srcIp: '198.18.0.2', dstIp: '198.18.0.1', size: 60 };
      let sent = 0;
      let completed = 0;
      const t0 = Date.now();
      while (completed < N && Date.now() - t0 < 30_000) {
        while (sent < N) {
          const a = xsk.alloc();
          if (a < 0) break;
          // A frame the kernel holds is never handed out again.
          expect(umem.frames.state(umem.frames.frameOf(a))).toBe(FrameState.USER);
          writeUdpFrame(umem.view(a, 60), spec);
          if (!xsk.send(a, 60)) {
            xsk.freeFrame(a);
            break;
          }
          sent++;
        }
        xsk.flush();
        completed += xsk.complete();
        if (sent === N && completed < N) await new Promise((r) => setTimeout(r, 1));
      }
      expect(sent).toBe(N);
      expect(completed).toBe(N);
      expect(umem.frames.freeCount).toBe(1024);
      // The veth delivers synchronously in copy mode; allow the counters a moment anyway.
      let rx = 0;
      for (let i = 0; i < 50; i++) {
        rx = pair.counters('peer').rxPackets - before.rxPackets;
        if (rx >= N) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const dropped = pair.counters('host').txDropped;
      expect(rx + dropped).toBe(N);
      expect(dropped).toBe(0);
      expect(Number(xsk.statistics().txInvalidDescs)).toBe(0);
    } finally {
      pair.destroy();
    }
  }, 120_000);

  it('refuses to send a frame twice or one it does not hold', (ctx) => {
    needKernel(ctx);
    const pair = createVethPair();
    try {
      using umem = Umem.create({ frameCount: 64, frameSize: 2048, fillSize: 64, completionSize: 64 });
      using xsk = XskSocket.create({ umem, dev: pair.host, rxSize: 0, txSize: 64 });
      const a = xsk.alloc();
      expect(xsk.send(a, 60)).toBe(true);
      expect(() => xsk.send(a, 60)).toThrow(FrameOwnershipError);
      expect(() => xsk.freeFrame(a)).toThrow(FrameOwnershipError);
      expect(() => xsk.send(a + 2048, 60)).toThrow(FrameOwnershipError);
      expect(() => xsk.send(xsk.alloc(), 4000)).toThrow(RangeError);
    } finally {
      pair.destroy();
    }
  });
});
