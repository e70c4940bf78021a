// In-process receive loop for the tests: event-loop waiting (so children keep running and
// their output keeps flowing), bounded by count and time.
import { waitForFrames, type XskSocket } from '../../src/afxdp/index.js';

export async function receiveAll(xsk: XskSocket, opts: { count: number; idleMs: number; maxMs: number; onFrame?: (f: Uint8Array) => void }): Promise<number> {
  const t0 = Date.now();
  let got = 0;
  let last = 0;
  while (got < opts.count && Date.now() - t0 < opts.maxMs) {
    const idle = last === 0 ? opts.maxMs - (Date.now() - t0) : opts.idleMs - (Date.now() - last);
    if (idle <= 0 || !(await waitForFrames(xsk, { timeoutMs: idle, maxSleepMs: 1 }))) break;
    for (let k = 0; k < 256; k++) {
      const n = xsk.peek(64);
      if (n === 0) break;
      if (opts.onFrame) for (let i = 0; i < n; i++) opts.onFrame(xsk.frame(i));
      xsk.release();
      got += n;
    }
    last = Date.now();
  }
  return got;
}
