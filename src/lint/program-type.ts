// Program types the lint models: their uapi numbers, ctx layout and access rules
// (xdp_is_valid_access, tc_cls_act_is_valid_access, sk_filter_is_valid_access, cg_skb_is_valid_access),
// and the return-value range check_return_code enforces.
import type { RegType } from './reg.js';

export const PROG_TYPES = {
  socket_filter: 1, sched_cls: 3, sched_act: 4, xdp: 6, cgroup_skb: 8,
} as const;
export type ProgTypeName = keyof typeof PROG_TYPES;

export function progTypeFromName(name: string): ProgTypeName | undefined {
  const n = name.toLowerCase().replace(/-/g, '_');
  const alias: Record<string, ProgTypeName> = {
    xdp: 'xdp', tc: 'sched_cls', classifier: 'sched_cls', sched_cls: 'sched_cls', action: 'sched_act',
    sched_act: 'sched_act', socket: 'socket_filter', socket_filter: 'socket_filter', cgroup_skb: 'cgroup_skb',
    'cgroup/skb': 'cgroup_skb',
  };
  return alias[n];
}

/** Guess the program type from an ELF section name, libbpf style. */
export function progTypeFromSection(section: string): ProgTypeName | undefined {
  if (section === 'xdp' || section.startsWith('xdp/') || section.startsWith('xdp.')) return 'xdp';
  if (section === 'tc' || section.startsWith('tc/') || section.startsWith('classifier') || section.startsWith('tcx/')) return 'sched_cls';
  if (section.startsWith('action')) return 'sched_act';
  if (section === 'socket' || section.startsWith('socket')) return 'socket_filter';
  if (section.startsWith('cgroup_skb') || section.startsWith('cgroup/skb')) return 'cgroup_skb';
  return undefined;
}

export interface CtxAccess {
  readonly ok: boolean;
  /** the register type a load produces (pkt pointers), else scalar */
  readonly result?: RegType;
}

const BAD: CtxAccess = { ok: false };
const SCALAR: CtxAccess = { ok: true, result: 'scalar' };

function xdpAccess(off: number, size: number, write: boolean, devmap: boolean): CtxAccess {
  if (!devmap && off === 20) return BAD; // egress_ifindex
  if (write) return BAD;
  if (off < 0 || off >= 24 || off % size !== 0 || size !== 4) return BAD;
  if (off === 0) return { ok: true, result: 'pkt' };
  if (off === 4) return { ok: true, result: 'pkt_end' };
  if (off === 8) return { ok: true, result: 'pkt_meta' };
  return SCALAR;
}

// struct __sk_buff offsets
const SKB = {
  len: 0, mark: 8, queue_mapping: 12, priority: 32, tc_index: 44, cb0: 48, cb4end: 68, tc_classid: 72,
  data: 76, data_end: 80, family: 88, remote_ip4: 92, local_ip4: 96, remote_ip6: 100, local_ip6: 116,
  local_port_end: 140, data_meta: 140, flow_keys: 144, tstamp: 152, wire_len: 160, sk: 168,
  tstamp_type: 180, hwtstamp: 184, size: 192,
} as const;

const inRange = (off: number, lo: number, endExcl: number): boolean => off >= lo && off < endExcl;

function skbCommon(off: number, size: number, write: boolean): CtxAccess {
  if (off < 0 || off >= SKB.size) return BAD;
  if (off % size !== 0) return BAD;
  if (inRange(off, SKB.cb0, SKB.cb4end)) return off + size > SKB.cb4end ? BAD : SCALAR;
  if (inRange(off, SKB.remote_ip4, SKB.local_ip6 + 16) || inRange(off, SKB.data, SKB.data_end + 4) || inRange(off, SKB.data_meta, SKB.data_meta + 4)) {
    return size === 4 ? SCALAR : BAD;
  }
  if (inRange(off, SKB.flow_keys, SKB.flow_keys + 8)) return BAD;
  if (inRange(off, SKB.hwtstamp, SKB.hwtstamp + 8)) return write || size !== 8 ? BAD : SCALAR;
  if (inRange(off, SKB.tstamp, SKB.tstamp + 8)) return size !== 8 ? BAD : SCALAR;
  if (off === SKB.sk) return write || size !== 8 ? BAD : { ok: true, result: 'sock_common_or_null' };
  if (inRange(off, SKB.sk, SKB.sk + 8)) return BAD;
  if (inRange(off, SKB.tstamp_type, SKB.hwtstamp)) return BAD;
  if (write) return size === 4 ? SCALAR : BAD;
  // narrow reads of a 4-byte field
  if (size === 8) return BAD;
  return (off % 4) + size <= 4 ? SCALAR : BAD;
}

function pktResult(off: number, a: CtxAccess): CtxAccess {
  if (!a.ok) return a;
  if (off === SKB.data) return { ok: true, result: 'pkt' };
  if (off === SKB.data_end) return { ok: true, result: 'pkt_end' };
  if (off === SKB.data_meta) return { ok: true, result: 'pkt_meta' };
  return a;
}

function tcAccess(off: number, size: number, write: boolean): CtxAccess {
  if (off === SKB.tstamp_type) return !write && size === 1 ? SCALAR : BAD; // u8 read only (tc)
  if (write) {
    const ok = off === SKB.mark || off === SKB.tc_index || off === SKB.priority || inRange(off, SKB.cb0, SKB.cb4end)
      || off === SKB.tc_classid || off === SKB.queue_mapping || off === SKB.tstamp;
    if (!ok) return BAD;
  }
  if (inRange(off, SKB.flow_keys, SKB.flow_keys + 8) || inRange(off, SKB.family, SKB.local_port_end)) return BAD;
  return pktResult(off, skbCommon(off, size, write));
}

function socketFilterAccess(off: number, size: number, write: boolean): CtxAccess {
  if (inRange(off, SKB.tc_classid, SKB.tc_classid + 4) || inRange(off, SKB.data, SKB.data_end + 4)
    || inRange(off, SKB.data_meta, SKB.data_meta + 4) || inRange(off, SKB.family, SKB.local_port_end)
    || inRange(off, SKB.tstamp, SKB.tstamp + 8) || inRange(off, SKB.wire_len, SKB.wire_len + 4)
    || inRange(off, SKB.hwtstamp, SKB.hwtstamp + 8)) return BAD;
  if (write && !inRange(off, SKB.cb0, SKB.cb4end)) return BAD;
  return skbCommon(off, size, write);
}

function cgroupSkbAccess(off: number, size: number, write: boolean): CtxAccess {
  if (inRange(off, SKB.tc_classid, SKB.tc_classid + 4) || inRange(off, SKB.data_meta, SKB.data_meta + 4)
    || inRange(off, SKB.wire_len, SKB.wire_len + 4)) return BAD;
  if (write) {
    const ok = off === SKB.mark || off === SKB.priority || inRange(off, SKB.cb0, SKB.cb4end) || off === SKB.tstamp;
    if (!ok) return BAD;
  }
  return pktResult(off, skbCommon(off, size, write));
}

/** Whether a ctx access at byte `off` of `size` is allowed for the program type, and what it loads. */
export function ctxAccess(type: ProgTypeName, off: number, size: number, write: boolean, expectedAttach = 0): CtxAccess {
  switch (type) {
    case 'xdp': return xdpAccess(off, size, write, expectedAttach === 40 /* BPF_XDP_DEVMAP */);
    case 'sched_cls': case 'sched_act': return tcAccess(off, size, write);
    case 'socket_filter': return socketFilterAccess(off, size, write);
    case 'cgroup_skb': return cgroupSkbAccess(off, size, write);
  }
}

/** The range check_return_code enforces on R0 at program exit, if any. */
export function returnRange(type: ProgTypeName): readonly [number, number] | undefined {
  return type === 'cgroup_skb' ? [0, 1] : undefined;
}

/** Whether direct packet access (data/data_end) is allowed, and writes to the packet. */
export function packetAccess(type: ProgTypeName): { read: boolean; write: boolean } {
  switch (type) {
    case 'xdp': case 'sched_cls': case 'sched_act': return { read: true, write: true };
    case 'cgroup_skb': return { read: true, write: false };
    default: return { read: false, write: false };
  }
}

/** Whether LD_ABS/LD_IND are allowed (may_access_skb). */
export const allowsLdAbs = (type: ProgTypeName): boolean => type !== 'xdp';
