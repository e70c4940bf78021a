// Frame ownership: every move between the free pool, the user, the fill ring and the TX
// ring is checked.
import { describe, expect, it } from 'vitest';
import { FrameOwnershipError, FrameState, FrameTable } from '../../src/afxdp/index.js';

describe('FrameTable', () => {
  it('hands out each frame once and tracks where it is', () => {
    const t = new FrameTable(4, 4096);
    const got = [t.alloc(), t.alloc(), t.alloc(), t.alloc()];
    expect(new Set(got).size).toBe(4);
    expect(t.alloc()).toBe(-1);
    t.move(got[0]!, FrameState.USER, FrameState.TX);
    expect(() => t.move(got[0]!, FrameState.USER, FrameState.TX)).toThrow(FrameOwnershipError);
    expect(() => t.release(got[0]!, FrameState.USER)).toThrow(/TX ring/);
    t.release(got[0]!, FrameState.TX);
    expect(t.freeCount).toBe(1);
    expect(t.alloc()).toBe(got[0]);
    expect(() => t.release(9, FrameState.USER)).toThrow(/outside/);
  });

  it('maps addresses (with in-frame offsets) to frames', () => {
    const t = new FrameTable(1 << 20, 4096);
    expect(t.frameOf(4096 * 7 + 256)).toBe(7);
    expect(t.frameOf(4096 * 600_000 + 300)).toBe(600_000); // beyond 2 GiB
    expect(t.base(600_000)).toBe(4096 * 600_000);
  });
});
