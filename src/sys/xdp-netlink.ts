// XDP on an interface through rtnetlink (RTM_SETLINK/RTM_GETLINK with IFLA_XDP): the way
// `ip link set dev X xdp …` does it. An attachment made here outlives the process.
import { XdpAttached, XdpFlags } from './bpf-constants.js';
import { AttrWriter, NLM_F_ACK, NLM_F_DUMP, parseAttrs, RtNetlink, type NlAttr } from './netlink.js';

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_SETLINK = 19;
const IFLA_IFNAME = 3;
const IFLA_XDP = 43;
const IFLA_XDP_FD = 1;
const IFLA_XDP_ATTACHED = 2;
const IFLA_XDP_FLAGS = 3;
const IFLA_XDP_PROG_ID = 4;
const IFLA_XDP_DRV_PROG_ID = 5;
const IFLA_XDP_SKB_PROG_ID = 6;
const IFLA_XDP_HW_PROG_ID = 7;
const IFLA_XDP_EXPECTED_FD = 8;
const IFINFOMSG_SIZE = 16;

/** Where an XDP program runs: generic (skb), in the driver (drv), offloaded (hw). */
export type XdpMode = 'skb' | 'drv' | 'hw';

export function xdpModeFlag(mode: XdpMode | undefined): number {
  switch (mode) {
    case 'skb':
      return XdpFlags.SKB_MODE;
    case 'drv':
      return XdpFlags.DRV_MODE;
    case 'hw':
      return XdpFlags.HW_MODE;
    default:
      return 0;
  }
}

export interface XdpSetOptions {
  /** Mode to attach in; undefined lets the kernel pick (native when the driver has it). */
  readonly mode?: XdpMode;
  /** Fail with EBUSY when a program is already attached (XDP_FLAGS_UPDATE_IF_NOEXIST). */
  readonly noReplace?: boolean;
  /** Replace only if this program fd is the one attached now (XDP_FLAGS_REPLACE). */
  readonly expectedFd?: number;
}

export interface XdpState {
  readonly ifindex: number;
  readonly ifname: string;
  /** What IFLA_XDP_ATTACHED says: none, drv, skb, hw or multi. */
  readonly attached: 'none' | 'drv' | 'skb' | 'hw' | 'multi';
  /** IFLA_XDP_PROG_ID (single attachment) — 0 when none. */
  readonly progId: number;
  readonly skbProgId: number;
  readonly drvProgId: number;
  readonly hwProgId: number;
}

function ifinfomsg(ifindex: number): Uint8Array {
  const b = new Uint8Array(IFINFOMSG_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint8(0, 0); // AF_UNSPEC
  dv.setInt32(4, ifindex, true);
  return b;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function withSocket<T>(fn: (nl: RtNetlink) => T): T {
  const nl = new RtNetlink();
  try {
    return fn(nl);
  } finally {
    nl.close();
  }
}

/** Attach program `fd` to `ifindex` (fd -1 removes). */
export function setXdp(ifindex: number, fd: number, opts: XdpSetOptions = {}): void {
  let flags = xdpModeFlag(opts.mode);
  if (opts.noReplace) flags |= XdpFlags.UPDATE_IF_NOEXIST;
  const attrs = new AttrWriter().begin(IFLA_XDP).s32(IFLA_XDP_FD, fd);
  if (opts.expectedFd !== undefined) {
    flags |= XdpFlags.REPLACE;
    attrs.s32(IFLA_XDP_EXPECTED_FD, opts.expectedFd);
  }
  if (flags !== 0) attrs.u32(IFLA_XDP_FLAGS, flags);
  attrs.end();
  const what = fd < 0 ? `netlink XDP detach from ifindex ${ifindex}` : `netlink XDP attach to ifindex ${ifindex}`;
  withSocket((nl) => nl.request(RTM_SETLINK, NLM_F_ACK, concat(ifinfomsg(ifindex), attrs.bytes()), what));
}

/** Remove the XDP program in `mode` (or the kernel's default mode) from `ifindex`. */
export function removeXdp(ifindex: number, mode?: XdpMode, expectedFd?: number): void {
  setXdp(ifindex, -1, { ...(mode ? { mode } : {}), ...(expectedFd !== undefined ? { expectedFd } : {}) });
}

const u32 = (a: NlAttr | undefined): number => (a && a.data.length >= 4 ? new DataView(a.data.buffer, a.data.byteOffset, 4).getUint32(0, true) : 0);

function parseLink(payload: Uint8Array): XdpState {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const ifindex = dv.getInt32(4, true);
  const attrs = parseAttrs(payload.subarray(IFINFOMSG_SIZE));
  const nameAttr = attrs.find((a) => a.type === IFLA_IFNAME);
  let ifname = '';
  if (nameAttr) {
    let end = nameAttr.data.indexOf(0);
    if (end < 0) end = nameAttr.data.length;
    ifname = new TextDecoder().decode(nameAttr.data.subarray(0, end));
  }
  const xdp = parseAttrs(attrs.find((a) => a.type === IFLA_XDP)?.data ?? new Uint8Array(0));
  const get = (t: number): number => u32(xdp.find((a) => a.type === t));
  const attachedRaw = xdp.find((a) => a.type === IFLA_XDP_ATTACHED)?.data[0] ?? 0;
  const attached =
    attachedRaw === XdpAttached.DRV ? 'drv' : attachedRaw === XdpAttached.SKB ? 'skb' : attachedRaw === XdpAttached.HW ? 'hw' : attachedRaw === XdpAttached.MULTI ? 'multi' : 'none';
  const progId = get(IFLA_XDP_PROG_ID);
  // With a single attachment the kernel sends only PROG_ID; fill the per-mode id from it.
  const single = (m: string, id: number): number => (id !== 0 ? id : attached === m ? progId : 0);
  return {
    ifindex,
    ifname,
    attached,
    progId,
    skbProgId: single('skb', get(IFLA_XDP_SKB_PROG_ID)),
    drvProgId: single('drv', get(IFLA_XDP_DRV_PROG_ID)),
    hwProgId: single('hw', get(IFLA_XDP_HW_PROG_ID)),
  };
}

/** The XDP state of one interface. */
export function queryXdp(ifindex: number): XdpState {
  const replies = withSocket((nl) => nl.request(RTM_GETLINK, 0, ifinfomsg(ifindex), `netlink query of ifindex ${ifindex}`));
  const msg = replies.find((m) => m.type === RTM_NEWLINK);
  if (!msg) throw new Error(`no RTM_NEWLINK reply for ifindex ${ifindex}`);
  return parseLink(msg.payload);
}

/** The XDP state of every interface in this network namespace. */
export function listXdp(): XdpState[] {
  const replies = withSocket((nl) => nl.request(RTM_GETLINK, NLM_F_DUMP, ifinfomsg(0), 'netlink link dump'));
  return replies.filter((m) => m.type === RTM_NEWLINK).map((m) => parseLink(m.payload));
}
