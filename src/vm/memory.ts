// The VM's address space. Every region (context, packet, one stack per frame, each map
// value, each ringbuf record, the conformance buffer) gets a fake 64-bit base address whose
// high word names the region: hi = REGION_HI_BASE + id, lo = REGION_LO_BASE + offset.
// The low word starts in the middle of its range, so pointer arithmetic of up to ±2 GiB
// never carries into another region's high word; an access is then checked against the
// region's valid window [start, end), which is how packet headroom/tailroom stay hidden.

export type RegionKind = 'stack' | 'ctx' | 'packet' | 'mem' | 'map-value' | 'ringbuf-record';

/** Context loads the kernel rewrites (xdp_md's 32-bit data fields become 64-bit pointers). */
export interface CtxAccess {
  /**
   * Load `size` bytes at `offset`; returns the low 32 bits and stores the high word in
   * out[0]. Returns undefined when the kernel would refuse the access.
   */
  load(offset: number, size: number, out: Int32Array): number | undefined;
}

export interface Region {
  readonly id: number;
  readonly kind: RegionKind;
  readonly name: string;
  bytes: Uint8Array;
  view: DataView;
  /** Valid window, as offsets into `bytes`. */
  start: number;
  end: number;
  writable: boolean;
  /** Set on the context region: loads go through it, stores fault. */
  readonly ctx: CtxAccess | undefined;
  /** False once freed (a submitted or discarded ringbuf record). */
  alive: boolean;
}

/** High word of region 0's addresses. Scalars (hi 0 or -1) are never region addresses. */
export const REGION_HI_BASE = 0x100;
/** Low word of offset 0 in every region. */
export const REGION_LO_BASE = 0x80000000;
/** Region ids stay below this so the map and function pointer high words stay distinct. */
export const MAX_REGIONS = 0x00ff0000;
/** High word of a map pointer (ld_imm64 src=1/5); the low word is the map's slot. */
export const MAP_PTR_HI = 0x7f000000;
/** High word of a function pointer (ld_imm64 src=4); the low word is the slot index. */
export const FUNC_PTR_HI = 0x7e000000;

export class AddressSpace {
  readonly regions: (Region | undefined)[] = [];
  private readonly fixed: number;

  constructor(fixedRegions: number) {
    this.fixed = fixedRegions;
    this.regions.length = fixedRegions;
  }

  /** Put a region at a fixed id (stack frames, ctx, packet). */
  setFixed(id: number, kind: RegionKind, name: string, bytes: Uint8Array, opts: Partial<Pick<Region, 'start' | 'end' | 'writable' | 'ctx'>> = {}): Region {
    const r = makeRegion(id, kind, name, bytes, opts);
    this.regions[id] = r;
    return r;
  }

  /** Add a region with the next free id (map values, ringbuf records). Returns undefined when full. */
  add(kind: RegionKind, name: string, bytes: Uint8Array, writable = true): Region | undefined {
    const id = this.regions.length;
    if (id >= MAX_REGIONS) return undefined;
    const r = makeRegion(id, kind, name, bytes, { writable });
    this.regions.push(r);
    return r;
  }

  /** Drop the dynamic regions (between runs). */
  resetDynamic(): void {
    this.regions.length = this.fixed;
  }

  /** Region addressed by a high word, or undefined. */
  regionOf(hi: number): Region | undefined {
    const id = hi - REGION_HI_BASE;
    return id >= 0 && id < this.regions.length ? this.regions[id] : undefined;
  }
}

function makeRegion(id: number, kind: RegionKind, name: string, bytes: Uint8Array, opts: Partial<Pick<Region, 'start' | 'end' | 'writable' | 'ctx'>>): Region {
  return {
    id, kind, name, bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    start: opts.start ?? 0,
    end: opts.end ?? bytes.length,
    writable: opts.writable ?? true,
    ctx: opts.ctx,
    alive: true,
  };
}

/** The 64-bit address of `offset` in region `id`, as (hi, lo) int32 words. */
export const regionHi = (id: number): number => (REGION_HI_BASE + id) | 0;
export const regionLo = (offset: number): number => (REGION_LO_BASE + offset) | 0;

/** The address as an unsigned bigint (for reports). */
export function addressOf(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
