// XDP buffer helpers, with the kernel's bounds (net/core/filter.c): adjust_head keeps
// sizeof(struct xdp_frame) + metadata of headroom and at least ETH_HLEN of packet,
// adjust_meta keeps metadata a multiple of 4 and at most 32 bytes, adjust_tail stays inside
// the frame minus skb_shared_info, load/store_bytes stay inside the packet.
import type { Machine } from '../machine.js';
import type { XdpBuffer } from '../state.js';
import { EACCES, EFAULT, EINVAL } from './errno.js';

/** sizeof(struct xdp_frame) on 64-bit kernels: headroom adjust_head may not eat into. */
export const XDP_FRAME_RESERVED = 40;
export const ETH_HLEN = 14;
/** type_field_size(struct skb_shared_info, meta_len): a u8 (older kernels: 32). */
export const XDP_META_MAX = 255;

function buffer(m: Machine): XdpBuffer {
  const x = m.state.xdp;
  if (x === undefined) throw m.fault('helper-arg', 'XDP helper called without an XDP buffer');
  return x;
}

/** Keep the packet region's valid window in step with meta/data_end. */
export function syncWindow(x: XdpBuffer): void {
  if (x.meta < x.low) x.low = x.meta;
  if (x.end > x.high) x.high = x.end;
  if (x.region !== undefined) {
    x.region.start = x.meta;
    x.region.end = x.end;
  }
}

const delta = (m: Machine, r: number): number => m.lo[r]!; // int offset: the low 32 bits, signed

export function xdpAdjustHead(m: Machine): void {
  const x = buffer(m);
  const d = delta(m, 2);
  const metalen = x.data - x.meta;
  const data = x.data + d;
  if (data < XDP_FRAME_RESERVED + metalen || data > x.end - ETH_HLEN) {
    m.setR0Int(EINVAL);
    return;
  }
  if (metalen > 0) x.frame.copyWithin(x.meta + d, x.meta, x.data);
  x.meta += d;
  x.data = data;
  syncWindow(x);
  m.setR0(0, 0);
}

export function xdpAdjustMeta(m: Machine): void {
  const x = buffer(m);
  const meta = x.meta + delta(m, 2);
  const metalen = x.data - meta;
  if (meta < XDP_FRAME_RESERVED || meta > x.data) {
    m.setR0Int(EINVAL);
    return;
  }
  if ((metalen & 3) !== 0 || metalen > XDP_META_MAX) {
    m.setR0Int(EACCES);
    return;
  }
  x.meta = meta;
  syncWindow(x);
  m.setR0(0, 0);
}

export function xdpAdjustTail(m: Machine): void {
  const x = buffer(m);
  const d = delta(m, 2);
  const end = x.end + d;
  if (end > x.hardEnd || end < x.data + ETH_HLEN) {
    m.setR0Int(EINVAL);
    return;
  }
  if (d > 0) x.frame.fill(0, x.end, end);
  x.end = end;
  syncWindow(x);
  m.setR0(0, 0);
}

export function xdpGetBuffLen(m: Machine): void {
  const x = buffer(m);
  m.setR0Int(x.end - x.data);
}

function copyArgs(m: Machine, write: boolean): { x: XdpBuffer; offset: number; len: number; buf?: Uint8Array } | undefined {
  const x = buffer(m);
  const offset = m.lo[2]! >>> 0;
  const len = m.lo[4]! >>> 0;
  if (offset > 0xffff || len > 0xffff) {
    m.setR0Int(EFAULT);
    return undefined;
  }
  if (offset + len > x.end - x.data) {
    m.setR0Int(EINVAL);
    return undefined;
  }
  return { x, offset, len, buf: m.ptrArg(3, len, write) };
}

/** bpf_xdp_load_bytes(ctx, offset, buf, len) */
export function xdpLoadBytes(m: Machine): void {
  const a = copyArgs(m, true);
  if (a === undefined) return;
  a.buf!.set(a.x.frame.subarray(a.x.data + a.offset, a.x.data + a.offset + a.len));
  m.setR0(0, 0);
}

/** bpf_xdp_store_bytes(ctx, offset, buf, len) */
export function xdpStoreBytes(m: Machine): void {
  const a = copyArgs(m, false);
  if (a === undefined) return;
  a.x.frame.set(a.buf!, a.x.data + a.offset);
  m.setR0(0, 0);
}
