// Worker thread for the busy-poll test: opens its own socket (AF_XDP state is per thread;
// the fd and mappings are process-wide) and spins on the RX ring until done.
import { parentPort, workerData } from 'node:worker_threads';
import { openXsk, receiveBusy } from '../../src/afxdp/index.js';

const { dev, count } = workerData as { dev: string; count: number };
const x = openXsk({ dev, bind: 'copy', txSize: 0, rxSize: 4096, fillSize: 4096, frameCount: 8192 });
try {
  parentPort!.postMessage({ ready: true });
  const r = receiveBusy(x.xsk, { count, idleMs: 2000, startMs: 30_000, maxMs: 60_000 });
  const s = x.xsk.statistics();
  parentPort!.postMessage({ received: r.received, dropped: Number(s.rxDropped + s.rxRingFull + s.rxInvalidDescs) });
} finally {
  x.close();
}
