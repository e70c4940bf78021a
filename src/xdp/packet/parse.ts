// Header parsing with the bounds checks the verifier needs: each parse proves
// `ptr + header size <= data_end` once, and spills the checked pointer to the stack; field
// reads then load at constant offsets from it. VLAN tags and IPv6 extension headers are
// walked with a bound known at build time (unrolled), so every path is finite.
import { r1, r2, r3, r4, r5, r10, type Reg } from '../../asm/dsl/registers.js';
import { add, and, lsh, mov, toBe } from '../../asm/dsl/alu.js';
import { ja, jumpIf } from '../../asm/dsl/jump.js';
import { load, store, storeImm } from '../../asm/dsl/memory.js';
import type { Emitter } from '../compiler/emitter.js';
import { CTX } from '../compiler/compile-value.js';
import { makeHeader, type HeaderOf } from './header.js';
import { ARP, ETH, EtherType, ICMP, ICMP6, IPV4, IPV6, Ipv6Ext, TCP, UDP, VLAN, XdpMd, type HeaderLayout } from './layouts.js';

export const MAX_VLAN_TAGS = 4;
export const MAX_IPV6_EXT = 8;

/** ptr + len > data_end → fail (clobbers r4, r5). */
export function boundsCheck(e: Emitter, ptr: Reg, len: number, fail: string): void {
  e.emit(mov(r4, ptr), add(r4, len), load('u32', r5, CTX, XdpMd.data_end), jumpIf(r4, '>', r5, fail));
}

export function loadData(e: Emitter, reg: Reg): void {
  e.emit(load('u32', reg, CTX, XdpMd.data));
}

/** Ethernet plus up to maxVlans stacked 802.1Q/802.1ad tags. */
export interface L2 {
  readonly eth: HeaderOf<typeof ETH>;
  /** The outermost VLAN tag's offset is 14 when vlanCount ≥ 1. */
  readonly vlanCountSlot: number;
  /** EtherType after the tags (host order). */
  readonly protoSlot: number;
  /** Pointer to the L3 header (not yet bounds-checked beyond the tags). */
  readonly l3Slot: number;
  readonly gen: number;
  readonly block: number;
}

export function parseL2(e: Emitter, maxVlans: number, fail: string): L2 {
  const ethSlot = e.alloc(8, 'Ethernet header pointer');
  const protoSlot = e.alloc(8, 'EtherType');
  const l3Slot = e.alloc(8, 'L3 pointer');
  const vlanCountSlot = e.alloc(8, 'VLAN count');
  loadData(e, r1);
  boundsCheck(e, r1, ETH.size, fail);
  e.emit(store('u64', r10, ethSlot, r1), load('u16', r2, r1, 12), toBe(r2, 16), store('u64', r10, protoSlot, r2));
  e.emit(mov(r3, r1), add(r3, ETH.size), store('u64', r10, l3Slot, r3), storeImm('u64', r10, vlanCountSlot, 0));
  const done = e.newLabel('l2_done');
  for (let k = 0; k < maxVlans; k++) {
    const tag = e.newLabel('vlan');
    const end = ETH.size + VLAN.size * (k + 1);
    e.emit(load('u64', r2, r10, protoSlot), jumpIf(r2, '==', EtherType.VLAN, tag), jumpIf(r2, '!=', EtherType.QINQ, done));
    e.place(tag);
    loadData(e, r1);
    boundsCheck(e, r1, end, fail);
    e.emit(load('u16', r2, r1, end - 2), toBe(r2, 16), store('u64', r10, protoSlot, r2));
    e.emit(mov(r3, r1), add(r3, end), store('u64', r10, l3Slot, r3), storeImm('u64', r10, vlanCountSlot, k + 1));
  }
  e.place(done);
  return { eth: makeHeader(e, ETH, ethSlot), vlanCountSlot, protoSlot, l3Slot, gen: e.gen, block: e.block };
}

/** The outermost VLAN tag (fails when the frame is untagged). */
export function parseVlan(e: Emitter, l2: L2, fail: string): HeaderOf<typeof VLAN> {
  const slot = e.alloc(8, 'VLAN header pointer');
  e.emit(load('u64', r2, r10, l2.vlanCountSlot), jumpIf(r2, '==', 0, fail));
  loadData(e, r1);
  boundsCheck(e, r1, ETH.size + VLAN.size, fail);
  e.emit(add(r1, ETH.size), store('u64', r10, slot, r1));
  return makeHeader(e, VLAN, slot);
}

function parseL3<L extends HeaderLayout>(e: Emitter, l2: L2, layout: L, etherType: number, fail: string): HeaderOf<L> {
  const slot = e.alloc(8, `${layout.name} header pointer`);
  e.emit(load('u64', r2, r10, l2.protoSlot), jumpIf(r2, '!=', etherType, fail), load('u64', r1, r10, l2.l3Slot));
  boundsCheck(e, r1, layout.size, fail);
  e.emit(store('u64', r10, slot, r1));
  return makeHeader(e, layout, slot);
}

export function parseIpv4(e: Emitter, l2: L2, fail: string): HeaderOf<typeof IPV4> {
  const ip = parseL3(e, l2, IPV4, EtherType.IPV4, fail);
  // version 4 and IHL ≥ 5, so the options length is sane.
  e.emit(load('u64', r1, r10, ip.slot), load('u8', r2, r1, 0), mov(r3, r2), and(r3, 0xf0), jumpIf(r3, '!=', 0x40, fail), and(r2, 0xf), jumpIf(r2, '<', 5, fail));
  return ip;
}

export function parseIpv6(e: Emitter, l2: L2, fail: string): HeaderOf<typeof IPV6> {
  const ip = parseL3(e, l2, IPV6, EtherType.IPV6, fail);
  e.emit(load('u64', r1, r10, ip.slot), load('u8', r2, r1, 0), and(r2, 0xf0), jumpIf(r2, '!=', 0x60, fail));
  return ip;
}

export function parseArp(e: Emitter, l2: L2, fail: string): HeaderOf<typeof ARP> {
  return parseL3(e, l2, ARP, EtherType.ARP, fail);
}

export type L4Layout = typeof UDP | typeof TCP | typeof ICMP | typeof ICMP6;

/** The transport header after IPv4 (options skipped via IHL; non-first fragments fail). */
export function parseL4v4<L extends L4Layout>(e: Emitter, ip: HeaderOf<typeof IPV4>, layout: L, proto: number, fail: string): HeaderOf<L> {
  e.checkPacket(ip);
  const slot = e.alloc(8, `${layout.name} header pointer`);
  e.emit(load('u64', r1, r10, ip.slot), load('u8', r2, r1, 9), jumpIf(r2, '!=', proto, fail));
  e.emit(load('u16', r2, r1, 6), toBe(r2, 16), and(r2, 0x1fff), jumpIf(r2, '!=', 0, fail));
  // r2 = IHL * 4, in [20, 60]: a bounded variable offset the verifier can follow.
  e.emit(load('u8', r2, r1, 0), and(r2, 0xf), lsh(r2, 2), jumpIf(r2, '<', 20, fail), add(r1, r2));
  boundsCheck(e, r1, layout.size, fail);
  e.emit(store('u64', r10, slot, r1));
  return makeHeader(e, layout, slot);
}

/** The transport header after IPv6 and at most maxExt extension headers. */
export function parseL4v6<L extends L4Layout>(e: Emitter, ip: HeaderOf<typeof IPV6>, layout: L, proto: number, fail: string, maxExt = 4): HeaderOf<L> {
  e.checkPacket(ip);
  const slot = e.alloc(8, `${layout.name} header pointer`);
  const nh = e.alloc(8, 'IPv6 next header');
  const ptr = e.alloc(8, 'IPv6 extension pointer');
  e.emit(load('u64', r1, r10, ip.slot), load('u8', r2, r1, 6), store('u64', r10, nh, r2), add(r1, IPV6.size), store('u64', r10, ptr, r1));
  const end = e.newLabel('ext_end');
  for (let k = 0; k < maxExt; k++) {
    const opts = e.newLabel('ext_opts');
    const frag = e.newLabel('ext_frag');
    const ah = e.newLabel('ext_ah');
    const next = e.newLabel('ext_next');
    e.emit(
      load('u64', r2, r10, nh),
      jumpIf(r2, '==', Ipv6Ext.HOPOPTS, opts), jumpIf(r2, '==', Ipv6Ext.ROUTING, opts), jumpIf(r2, '==', Ipv6Ext.DSTOPTS, opts),
      jumpIf(r2, '==', Ipv6Ext.FRAGMENT, frag), jumpIf(r2, '==', Ipv6Ext.AH, ah), ja(end),
    );
    // Options-style headers: length in 8-byte units, not counting the first 8.
    e.place(opts);
    e.emit(load('u64', r1, r10, ptr));
    boundsCheck(e, r1, 2, fail);
    e.emit(load('u8', r2, r1, 0), store('u64', r10, nh, r2), load('u8', r3, r1, 1), add(r3, 1), lsh(r3, 3), add(r1, r3), store('u64', r10, ptr, r1), ja(next));
    // Fragment header: 8 bytes; only the first fragment carries the transport header.
    e.place(frag);
    e.emit(load('u64', r1, r10, ptr));
    boundsCheck(e, r1, 8, fail);
    e.emit(load('u16', r3, r1, 2), toBe(r3, 16), and(r3, 0xfff8), jumpIf(r3, '!=', 0, fail));
    e.emit(load('u8', r2, r1, 0), store('u64', r10, nh, r2), add(r1, 8), store('u64', r10, ptr, r1), ja(next));
    // Authentication header: length in 4-byte units, minus 2.
    e.place(ah);
    e.emit(load('u64', r1, r10, ptr));
    boundsCheck(e, r1, 2, fail);
    e.emit(load('u8', r2, r1, 0), store('u64', r10, nh, r2), load('u8', r3, r1, 1), add(r3, 2), lsh(r3, 2), add(r1, r3), store('u64', r10, ptr, r1));
    e.place(next);
  }
  e.place(end);
  e.emit(load('u64', r2, r10, nh), jumpIf(r2, '!=', proto, fail), load('u64', r1, r10, ptr));
  boundsCheck(e, r1, layout.size, fail);
  e.emit(store('u64', r10, slot, r1));
  return makeHeader(e, layout, slot);
}

export { ICMP, ICMP6, TCP, UDP };
