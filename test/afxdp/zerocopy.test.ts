// Zero-copy on veth: the kernel refuses (veth has no XSK buffer pool support); the error
// says so and names copy mode as the fallback, in the API and on the command line.
import { describe, expect, it } from 'vitest';
import { needKernel } from '../support/env.js';
import { cliArgv, startChild } from './child.js';
import { createVethPair } from './topology.js';
import { Umem, XskSocket, ZeroCopyUnsupportedError } from '../../src/afxdp/index.js';

describe('AF_XDP zero-copy on veth', () => {
  it('throws ZeroCopyUnsupportedError naming copy mode; copy and auto bind in copy mode', (ctx) => {
    needKernel(ctx);
    const pair = createVethPair();
    try {
      using umem = Umem.create({ frameCount: 256, fillSize: 128, completionSize: 128 });
      let err: unknown;
      try {
        XskSocket.create({ umem, dev: pair.host, bind: 'zerocopy', rxSize: 128, txSize: 128 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ZeroCopyUnsupportedError);
      expect((err as Error).message).toMatch(/zero-copy/);
      expect((err as Error).message).toMatch(/copy mode/);
      expect((err as Error).message).toContain(pair.host);
      // The UMEM is still usable: the same queue binds in copy mode afterwards.
      using xsk = XskSocket.create({ umem, dev: pair.host, bind: 'auto', rxSize: 128, txSize: 128 });
      expect(xsk.zeroCopy).toBe(false);
    } finally {
      pair.destroy();
    }
  });

  it('bpf-ts xsk rx --zerocopy exits 3 with a one-line message', async (ctx) => {
    needKernel(ctx);
    const pair = createVethPair();
    try {
      const c = startChild(cliArgv(['xsk', 'rx', '--dev', pair.host, '--zerocopy', '--count', '1', '--idle-ms', '100']), 30_000);
      const r = await c.done;
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/zero-copy AF_XDP is not supported on .*copy mode instead \(--copy/);
    } finally {
      pair.destroy();
    }
  }, 120_000);
});
