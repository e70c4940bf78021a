// The ring protocol against a simulated kernel side on plain mapped memory (no root
// needed): indices wrap at 2^32, entries land at index & mask, a producer never overruns
// the consumer, and addresses above 4 GiB survive the two-word split.
import { describe, expect, it } from 'vitest';
import { ConsumerRing, ProducerRing } from '../../src/afxdp/index.js';
import { MappedRegion } from '../../src/sys/xsk-memory.js';

const OFF = { producer: 0, consumer: 64, flags: 128, desc: 256 };

function region(start: number): { r: MappedRegion; words: Uint32Array } {
  const r = MappedRegion.anonymous(4096);
  const words = new Uint32Array(r.buffer);
  words[OFF.producer / 4] = start;
  words[OFF.consumer / 4] = start;
  return { r, words };
}

describe('AF_XDP rings', () => {
  it('producer ring (fill): wraps at 2^32 and never overruns the consumer', () => {
    const { r, words } = region(0xfffffffa);
    const ring = new ProducerRing(r, OFF, 8, 8);
    const kernel = { cons: 0xfffffffa };
    const entry = (i: number): number => words[OFF.desc / 4 + (i & 7) * 2]! + words[OFF.desc / 4 + (i & 7) * 2 + 1]! * 2 ** 32;
    let next = 0;
    const seen: number[] = [];
    for (let round = 0; round < 10; round++) {
      const n = ring.reserve(5);
      const idx = ring.reserveIndex;
      for (let i = 0; i < n; i++) ring.setAddr((idx + i) >>> 0, 0x1_0000_0000 * (next % 3) + next++ * 4096);
      ring.submit();
      const prod = words[OFF.producer / 4]!;
      expect((prod - kernel.cons) >>> 0).toBeLessThanOrEqual(8);
      // the kernel consumes three entries per round
      for (let k = 0; k < 3 && kernel.cons !== prod; k++) {
        seen.push(entry(kernel.cons));
        kernel.cons = (kernel.cons + 1) >>> 0;
      }
      words[OFF.consumer / 4] = kernel.cons;
    }
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => 0x1_0000_0000 * (i % 3) + i * 4096));
    expect(words[OFF.producer / 4]).toBeLessThan(0x100); // wrapped
    r.unmap();
  });

  it('consumer ring (RX): peeks what the kernel produced, releases in one store, wraps', () => {
    const { r, words } = region(0xfffffff0);
    const ring = new ConsumerRing(r, OFF, 16, 16);
    let kprod = 0xfffffff0;
    let seq = 0;
    const got: number[] = [];
    for (let round = 0; round < 12; round++) {
      // the kernel produces up to 7 descriptors where there is room
      const room = 16 - ((kprod - words[OFF.consumer / 4]!) >>> 0);
      for (let k = 0; k < Math.min(7, room); k++) {
        const w = OFF.desc / 4 + (kprod & 15) * 4;
        words[w] = seq * 2048;
        words[w + 1] = 0;
        words[w + 2] = 60 + (seq % 5);
        kprod = (kprod + 1) >>> 0;
        seq++;
      }
      words[OFF.producer / 4] = kprod;
      const n = ring.peek(5);
      const idx = ring.peekIndex;
      for (let i = 0; i < n; i++) {
        expect(ring.len((idx + i) >>> 0)).toBe(60 + ((ring.addr((idx + i) >>> 0) / 2048) % 5));
        got.push(ring.addr((idx + i) >>> 0) / 2048);
      }
      // nothing is given back before release()
      expect(words[OFF.consumer / 4]).toBe((idx - 0) >>> 0);
      ring.release();
      expect(words[OFF.consumer / 4]).toBe((idx + n) >>> 0);
    }
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i));
    expect(got.length).toBe(60);
    r.unmap();
  });

  it('a NaN count reserves and peeks nothing (it would move an index back to 0)', () => {
    const { r, words } = region(100);
    const fill = new ProducerRing(r, OFF, 8, 8);
    expect(fill.reserve(Number.NaN)).toBe(0);
    fill.submit();
    expect(words[OFF.producer / 4]).toBe(100);
    words[OFF.producer / 4] = 104; // the kernel produced four entries
    const rx = new ConsumerRing(r, OFF, 8, 16);
    expect(rx.peek(Number.NaN)).toBe(0);
    rx.release();
    expect(words[OFF.consumer / 4]).toBe(100);
    r.unmap();
  });

  it('a closed ring keeps no view on the unmapped memory', () => {
    const { r } = region(0);
    const ring = new ConsumerRing(r, OFF, 16, 16);
    ring.close();
    expect(ring.closed).toBe(true);
    expect(ring.available()).toBe(0); // reads a private dummy, not the old mapping
    expect(() => r.buffer).toThrow(/unmapped/);
  });
});
