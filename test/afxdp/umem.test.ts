// UMEM setup: sizes are validated before any syscall; huge pages are used when reserved
// and otherwise fall back with a note that says why.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { needKernel } from '../support/env.js';
import { Umem, XskError } from '../../src/afxdp/index.js';

describe('Umem', () => {
  it('rejects frame sizes and ring sizes the kernel would refuse, with a clear message', (ctx) => {
    needKernel(ctx);
    expect(() => Umem.create({ frameSize: 3000 })).toThrow(XskError);
    expect(() => Umem.create({ frameSize: 8192 })).toThrow(/2048 or 4096/);
    expect(() => Umem.create({ fillSize: 1000 })).toThrow(/power of two/);
    expect(() => Umem.create({ frameCount: 0 })).toThrow(/frame count/);
    expect(() => Umem.create({ headroom: 4000 })).toThrow(/headroom/);
  });

  it('uses huge pages when reserved, otherwise says why not', (ctx) => {
    needKernel(ctx);
    const reserved = Number(/HugePages_Free:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
    using umem = Umem.create({ frameCount: 512, hugePages: true, fillSize: 256, completionSize: 256 });
    if (reserved >= 1) {
      expect(umem.hugePages).toBe(true);
    } else {
      expect(umem.hugePages).toBe(false);
      expect(umem.note).toMatch(/huge pages unavailable.*vm\.nr_hugepages/);
    }
    // Either way the frames are usable memory.
    umem.view(4096, 4).set([1, 2, 3, 4]);
    expect([...umem.view(4096, 4)]).toEqual([1, 2, 3, 4]);
  });
});
