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

/** The non-zero program ids in an interface's XDP state (any mode). */
export function xdpProgIds(s: XdpState): number[] {
  return [s.progId, s.skbProgId, s.drvProgId, s.hwProgId].filter((id) => id !== 0);
}

/** The XDP programs interface `ifindex` of this network namespace runs; none when it is not here. */
export function xdpProgIdsOn(ifindex: number): number[] {
  try {
    return xdpProgIds(queryXdp(ifindex));
  } catch (e) {
    if (e instanceof NetlinkError && e.errnoName === 'ENODEV') return [];
    throw e;
  }
}

/** Ids of the XDP links attached to interface `ifindex` of this network namespace. */
export function xdpLinksOn(ifindex: number): number[] {
  // A link's info has the ifindex but not the network namespace, and other namespaces may
  // have an interface with this index: a link is this interface's when the interface runs its
  // program.
  const running = xdpProgIdsOn(ifindex);
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

/** A bpf_link holds the interface's program, but links of other namespaces look just like it. */
export class AmbiguousLinkError extends Error {
  override readonly name = 'AmbiguousLinkError';
  readonly exitCode = 3;
}

/**
 * Remove every XDP program from interface `ifindex` of this network namespace: netlink
 * attachments directly, and for a mode a bpf_link holds (netlink answers EBUSY) the XDP link on
 * that ifindex running that program. Interface indexes repeat across namespaces and the kernel
 * does not say which namespace a link's interface is in: when several links run that program
 * on that index, AmbiguousLinkError (nothing is guessed).
 */
export function detachXdp(ifindex: number): XdpDetachResult {
  const links: number[] = [];
  const netlink: XdpMode[] = [];
  // A link whose last fd was closed elsewhere is released asynchronously: it can hold the hook
  // a while after its id is gone. Retry for a bounded time (2 s).
  for (let attempt = 0; ; attempt++) {
    const state = queryXdp(ifindex);
    let busy: NetlinkError | undefined;
    for (const [mode, progId] of [['skb', state.skbProgId], ['drv', state.drvProgId], ['hw', state.hwProgId]] as const) {
      if (progId === 0) continue;
      try {
        removeXdp(ifindex, mode);
        if (!netlink.includes(mode)) netlink.push(mode);
      } catch (e) {
        if (!(e instanceof NetlinkError) || (e.errnoName !== 'EBUSY' && e.errnoName !== 'EEXIST')) throw e;
        const candidates = xdpLinksRunning(ifindex, [progId]);
        if (candidates.length > 1) {
          throw new AmbiguousLinkError(
            `interface ${ifindex} runs prog id ${progId} through a bpf_link, but links ${candidates.join(', ')} all run it on an interface with that index (the others are in other network namespaces) and the kernel does not say which is this one: detach it with \`bpftool link detach id N\``,
          );
        }
        if (candidates.length === 1 && detachLink(candidates[0]!)) links.push(candidates[0]!);
        else busy = e; // the link is on its way out: look again
      }
    }
    if (busy === undefined) return { links, netlink };
    if (attempt >= 40) throw busy;
    sleepSync(50);
  }
}

/** BPF_LINK_DETACH link `id`; false when it is gone already. */
export function detachLink(id: number): boolean {
  let link: Link;
  try {
    link = Link.fromId(id);
  } catch (e) {
    if (e instanceof BpfError && e.errnoName === 'ENOENT') return false;
    throw e;
  }
  try {
    link.detach();
    return true;
  } catch (e) {
    if (e instanceof BpfError && e.errnoName === 'ENOENT') return false;
    throw e;
  } finally {
    link.close();
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
