// Shared UMEM: two sockets, queues 0 and 1 of a two-queue veth, one UMEM (the second binds
// with XDP_SHARED_UMEM and brings its own fill/completion rings). Our TX in the peer
// namespace sends on each peer queue, which veth delivers to the same host queue.
import { describe, expect, it } from 'vitest';
import { needKernel } from '../support/env.js';
import { cliArgv, startChild } from './child.js';
import { receiveAll } from './receive.js';
import { createVethPair } from './topology.js';
import { Umem, XskRedirect, XskSocket } from '../../src/afxdp/index.js';
import { ifNameToIndex } from '../../src/sys/index.js';

describe('AF_XDP shared UMEM', () => {
  it('receives on two queues through two sockets sharing one UMEM', async (ctx) => {
    needKernel(ctx);
    const pair = createVethPair({ queues: 2 });
    try {
      using redirect = XskRedirect.attach(ifNameToIndex(pair.host));
      using umem = Umem.create({ frameCount: 4096, fillSize: 1024, completionSize: 1024 });
      using q0 = XskSocket.create({ umem, dev: pair.host, queue: 0, rxSize: 1024, txSize: 0, prefill: 1024 });
      using q1 = XskSocket.create({ umem, dev: pair.host, queue: 1, rxSize: 1024, txSize: 0, prefill: 1024 });
      expect(q0.sharedUmem).toBe(false);
      expect(q1.sharedUmem).toBe(true);
      redirect.register(q0);
      redirect.register(q1);
      const N = 2000;
      const send = (queue: number) =>
        startChild(pair.inNs(cliArgv(['xsk', 'tx', '--dev', pair.peer, '--queue', String(queue), '--count', String(N), '--dst-mac', pair.hostMac, '--dst-port', String(1000 + queue), '--copy', '--json'])), 60_000);
      const ports0 = new Map<number, number>();
      const ports1 = new Map<number, number>();
      const count = (m: Map<number, number>) => (f: Uint8Array) => {
        const port = (f[36]! << 8) | f[37]!;
        m.set(port, (m.get(port) ?? 0) + 1);
      };
      const before = pair.counters('peer');
      const s0 = send(0);
      const got0 = await receiveAll(q0, { count: N, idleMs: 3000, maxMs: 60_000, onFrame: count(ports0) });
      expect((await s0.done).code).toBe(0);
      const s1 = send(1);
      const got1 = await receiveAll(q1, { count: N, idleMs: 3000, maxMs: 60_000, onFrame: count(ports1) });
      expect((await s1.done).code).toBe(0);
      // Every frame is accounted for: received, or dropped where the kernel counts it
      // (the socket's statistics, or the veth's queue when the receiver fell behind).
      const drops = (x: XskSocket): number => {
        const s = x.statistics();
        return Number(s.rxDropped + s.rxRingFull + s.rxInvalidDescs);
      };
      const vethDrops = pair.counters('peer').txDropped - before.txDropped;
      expect(got0 + got1 + drops(q0) + drops(q1) + vethDrops).toBe(2 * N);
      expect(got0).toBeGreaterThan(0);
      expect(got1).toBeGreaterThan(0);
      expect([...ports0]).toEqual([[1000, got0]]);
      expect([...ports1]).toEqual([[1001, got1]]);
      // Nothing for queue 1 arrived on queue 0 in the meantime, and the frames came from distinct halves of one UMEM pool.
      expect(q0.rxAvailable()).toBe(0);
      expect(umem.frames.freeCount).toBe(4096 - 2048);
    } finally {
      pair.destroy();
    }
  }, 120_000);
});
