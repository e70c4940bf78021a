// The XDP program that steers packets to AF_XDP sockets, written with the instruction DSL:
//
//   r2 = *(u32 *)(r1 + 16)            ; ctx->rx_queue_index
//   r1 = map[xsks_map]                ; the XSKMAP, keyed by queue id
//   r3 = XDP_PASS                     ; flags: the action when the queue has no socket
//   call bpf_redirect_map
//   exit
//
// Since Linux 5.3 the low bits of redirect_map's flags are the action returned when the
// lookup fails, so no explicit lookup is needed (libxdp's default program does the same).
import type { Instruction } from '../asm/instruction.js';
import { assemble, call, exit, ldMap, load, mov, r1, r2, r3 } from '../asm/dsl/index.js';

/** Offset of rx_queue_index in struct xdp_md. */
export const XDP_MD_RX_QUEUE_INDEX = 16;
export const XDP_PASS = 2;
export const XDP_DROP = 1;
export const XSKMAP_NAME = 'xsks_map';

/** The redirect program; `fallback` is the action when no socket serves the queue. */
export function xskRedirectProgram(opts: { mapName?: string; fallback?: 'pass' | 'drop' } = {}): Instruction[] {
  const fallback = opts.fallback === 'drop' ? XDP_DROP : XDP_PASS;
  const { insns } = assemble([
    load('u32', r2, r1, XDP_MD_RX_QUEUE_INDEX),
    ldMap(r1, opts.mapName ?? XSKMAP_NAME),
    mov(r3, fallback),
    call('redirect_map'),
    exit(),
  ]);
  return insns;
}
