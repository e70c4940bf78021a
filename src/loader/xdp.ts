// Attaching XDP programs to interfaces: a bpf_link by default (released when the process
// dies unless pinned), netlink when links cannot express the request (hw offload) or the
// kernel lacks XDP links. Detach removes both kinds.
import { BpfError, closeFd, LinkType, NetlinkError, queryXdp, removeXdp, setXdp, type XdpMode, XdpFlags, type XdpState } from '../sys/index.js';
import { fdById, linkInfo, listIds } from './info.js';
import { Link } from './link.js';

/** skb: generic, in the stack. native: in the driver. hw: offloaded. auto: the kernel picks. */
export type XdpAttachMode = 'skb' | 'native' | 'hw' | 'auto';

export interface XdpAttachOptions {
  readonly mode?: XdpAttachMode;
  /** link (default when possible), netlink, or auto: link, falling back to netlink. */
  readonly via?: 'link' | 'netlink' | 'auto';
  /** netlink only: replace a program already attached (default: fail with EBUSY). */
  readonly replace?: boolean;
}

export type XdpAttachment =
  | { readonly kind: 'link'; readonly ifindex: number; readonly mode: XdpAttachMode; readonly link: Link }
  | { readonly kind: 'netlink'; readonly ifindex: number; readonly mode: XdpAttachMode };

function netlinkMode(mode: XdpAttachMode): XdpMode | undefined {
  return mode === 'skb' ? 'skb' : mode === 'native' ? 'drv' : mode === 'hw' ? 'hw' : undefined;
}

function linkFlags(mode: XdpAttachMode): number {
  return mode === 'skb' ? XdpFlags.SKB_MODE : mode === 'native' ? XdpFlags.DRV_MODE : 0;
}

/** Attach program `progFd` to interface `ifindex`. */
export function attachXdp(progFd: number, ifindex: number, opts: XdpAttachOptions = {}): XdpAttachment {
  const mode = opts.mode ?? 'auto';
  const via = mode === 'hw' ? 'netlink' : opts.via ?? 'auto';
  if (via !== 'netlink') {
    try {
      return { kind: 'link', ifindex, mode, link: Link.xdp(progFd, ifindex, linkFlags(mode)) };
    } catch (e) {
      // Kernels before 5.9 have no XDP links (EINVAL); anything else is a real refusal.
      if (via === 'link' || !(e instanceof BpfError) || e.errnoName !== 'EINVAL') throw e;
    }
  }
  const nlMode = netlinkMode(mode);
  setXdp(ifindex, progFd, { ...(nlMode ? { mode: nlMode } : {}), noReplace: !opts.replace });
  return { kind: 'netlink', ifindex, mode };
}

export interface XdpDetachResult {
  /** Ids of the bpf_links detached. */
  readonly links: number[];
  /** Netlink modes cleared. */
  readonly netlink: XdpMode[];
}

/** Ids of the XDP links attached to interface `ifindex` of this network namespace. */
export function xdpLinksOn(ifindex: number): number[] {
  // A link's info has the ifindex but not the network namespace, and other namespaces may
  // have an interface with this index: a link is this interface's when the interface runs its
  // program.
  let running: number[];
  try {
    const s = queryXdp(ifindex);
    running = [s.progId, s.skbProgId, s.drvProgId, s.hwProgId].filter((id) => id !== 0);
  } catch (e) {
    if (e instanceof NetlinkError && e.errnoName === 'ENODEV') return [];
    throw e;
  }
  return running.length === 0 ? [] : xdpLinksRunning(ifindex, running);
}

/**
 * Ids of the XDP links on ifindex `ifindex` — of any network namespace: the kernel's link info
 * does not say which — that run one of the programs `progIds`.
 */
export function xdpLinksRunning(ifindex: number, progIds: readonly number[]): number[] {
  const out: number[] = [];
  for (const id of listIds('link')) {
    let fd: number;
    try {
      fd = fdById('link', id);
    } catch {
      continue;
    }
    try {
      const info = linkInfo(fd);
      if (info.type === LinkType.XDP && info.ifindex === ifindex && progIds.includes(info.progId)) out.push(id);
    } finally {
      closeFd(fd);
    }
  }
  return out;
}

/** Remove every XDP program from `ifindex`: its links first, then netlink attachments. */
export function detachXdp(ifindex: number): XdpDetachResult {
  const links: number[] = [];
  for (const id of xdpLinksOn(ifindex)) {
    try {
      Link.fromId(id).detach();
      links.push(id);
    } catch (e) {
      if (!(e instanceof BpfError && e.errnoName === 'ENOENT')) throw e;
    }
  }
  const netlink: XdpMode[] = [];
  // A link whose last fd was closed elsewhere is released asynchronously: while it still
  // holds the hook, netlink removal says EBUSY. Retry for a bounded time (2 s).
  for (let attempt = 0; ; attempt++) {
    const state = queryXdp(ifindex);
    try {
      for (const [mode, id] of [['skb', state.skbProgId], ['drv', state.drvProgId], ['hw', state.hwProgId]] as const) {
        if (id !== 0) {
          removeXdp(ifindex, mode);
          if (!netlink.includes(mode)) netlink.push(mode);
        }
      }
      return { links, netlink };
    } catch (e) {
      if (attempt >= 40 || !(e instanceof NetlinkError) || (e.errnoName !== 'EBUSY' && e.errnoName !== 'EEXIST')) throw e;
      sleepSync(50);
    }
  }
}

/** What is attached to `ifindex` (netlink view) and which of it are links. */
export function xdpStatus(ifindex: number): XdpState & { readonly linkIds: number[] } {
  return { ...queryXdp(ifindex), linkIds: xdpLinksOn(ifindex) };
}

/** Block the thread for `ms` milliseconds (detach is synchronous; this is its only wait). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
