// Busy-poll in a worker thread: the worker spins on its RX ring at full speed while the
// main thread's event loop keeps running (timers fire during the receive).
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { needKernel } from '../support/env.js';
import { cliArgv, startChild } from './child.js';
import { createVethPair } from './topology.js';

describe('AF_XDP busy-poll in a worker thread', () => {
  it('receives in the worker while the main event loop stays responsive', async (ctx) => {
    needKernel(ctx);
    const pair = createVethPair();
    try {
      const N = 20_000;
      const worker = new Worker(new URL('./busy-worker-boot.mjs', import.meta.url), { workerData: { dev: pair.host, count: N } });
      const kill = setTimeout(() => void worker.terminate(), 90_000);
      const messages: { ready?: boolean; received?: number; dropped?: number }[] = [];
      const result = new Promise<{ received: number; dropped: number }>((resolve, reject) => {
        worker.on('message', (m: { ready?: boolean; received?: number; dropped?: number }) => {
          messages.push(m);
          if (m.received !== undefined) resolve(m as { received: number; dropped: number });
        });
        worker.on('error', reject);
        worker.on('exit', (code) => reject(new Error(`worker exited ${code}`)));
      });
      const t0 = Date.now();
      while (!messages.some((m) => m.ready) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 20));
      expect(messages.some((m) => m.ready)).toBe(true);
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      const before = pair.counters('peer');
      const tx = startChild(pair.inNs(cliArgv(['xsk', 'tx', '--dev', pair.peer, '--count', String(N), '--dst-mac', pair.hostMac])), 60_000);
      expect((await tx.done).code).toBe(0);
      const r = await result.finally(() => {
        clearInterval(ticker);
        clearTimeout(kill);
      });
      const vethDrops = pair.counters('peer').txDropped - before.txDropped;
      expect(r.received + r.dropped + vethDrops).toBe(N);
      expect(r.received).toBeGreaterThan(0);
      expect(ticks).toBeGreaterThan(10); // the main thread was never blocked
      await worker.terminate();
    } finally {
      pair.destroy();
    }
  }, 120_000);
});
