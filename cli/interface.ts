// A network interface as the XDP commands name it: its index, and where `attach` pins the
// bpf_link it creates for it (so that `detach` finds it). Kept apart from the commands so that
// `detach` does not load the object loader that `attach` needs.
//
// bpffs is one tree for the whole host while interface names and indexes are per network
// namespace, so a pin names the interface by all three: `xdp-ns<netns inode>-<ifindex>-<ifname>`
// (the name only for people reading the directory). A pin outlives its interface: once the
// interface is deleted its link points at ifindex 0, and such a pin is stale. Earlier versions
// of bpf-ts pinned at `xdp-<ifname>` (no namespace); those pins are still recognised here.
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './errors.js';
import { linkInfo, objectKindOf } from '../src/loader/info.js';
import { DEFAULT_PIN_ROOT, openPinnedFd } from '../src/loader/pin.js';
import { xdpProgIdsOn } from '../src/loader/xdp.js';
import { BpfError, closeFd, LinkType, SystemError } from '../src/sys/index.js';
import { ifNameToIndex } from '../src/sys/posix.js';

/** The interface index of `dev`, or a UsageError (bad input) when there is no such interface. */
export function interfaceIndex(dev: string): number {
  try {
    return ifNameToIndex(dev);
  } catch (e) {
    if (e instanceof SystemError) throw new UsageError(`no network interface named "${dev}"`);
    throw e;
  }
}

/** The network namespace this process is in, as the inode number of /proc/self/ns/net. */
export function netnsInode(): number {
  try {
    return statSync('/proc/self/ns/net').ino;
  } catch {
    // statSync follows the magic link; its text (net:[N]) says the same where stat cannot.
  }
  try {
    const m = /^net:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/net'));
    if (m) return Number(m[1]);
  } catch (e) {
    const errno = typeof (e as { errno?: unknown }).errno === 'number' ? Math.abs((e as { errno: number }).errno) : 2;
    throw new SystemError('readlink', errno, '/proc/self/ns/net', 'bpf-ts names XDP link pins by network namespace: is /proc mounted?');
  }
  throw new SystemError('readlink', 22, '/proc/self/ns/net', 'not of the form net:[N]');
}

/** Where `attach` pins the XDP links of every interface. */
export const XDP_LINK_PIN_DIR = join(DEFAULT_PIN_ROOT, 'bpf-ts', 'links');

/** Where `bpf-ts attach` pins the XDP link of `dev` (index `ifindex` in network namespace `netns`). */
export function xdpLinkPinPath(dev: string, ifindex: number, netns: number): string {
  return join(XDP_LINK_PIN_DIR, `xdp-ns${netns}-${ifindex}-${dev}`);
}

/** Where bpf-ts before namespace-qualified pins pinned the XDP link of `dev`. */
export function legacyXdpLinkPinPath(dev: string): string {
  return join(XDP_LINK_PIN_DIR, `xdp-${dev}`);
}

const PIN_NAME = /^xdp-ns(\d+)-(\d+)-(.+)$/;

export interface XdpLinkPin {
  readonly path: string;
  /**
   * ours: the link of the interface asked about. stale: its link no longer points at the
   * interface the pin names (deleted, or moved to another namespace): safe to remove.
   * other: a live link of another interface (renamed, or of a namespace we cannot see).
   */
  readonly state: 'ours' | 'stale' | 'other';
  /** For stale pins: why, in words. */
  readonly why: string;
  readonly linkId: number;
  /** An `xdp-<ifname>` pin from before pins named the namespace. */
  readonly legacy: boolean;
}

/**
 * The bpf-ts link pins that may concern interface `dev` (index `ifindex`) in this network
 * namespace: this namespace's pins for that name or that index, and a legacy `xdp-<dev>` pin.
 * Pins of other namespaces are not looked at (their interfaces are not visible from here).
 */
export function xdpLinkPinsFor(dev: string, ifindex: number, netns?: number): XdpLinkPin[] {
  let names: string[];
  try {
    names = readdirSync(XDP_LINK_PIN_DIR);
  } catch {
    return []; // no pins at all (or no bpffs here: `ip netns exec` has a private /sys)
  }
  const ns = netns ?? netnsInode();
  const out: XdpLinkPin[] = [];
  for (const name of names.sort()) {
    const path = join(XDP_LINK_PIN_DIR, name);
    const m = PIN_NAME.exec(name);
    let pin: XdpLinkPin | undefined;
    if (m && Number(m[1]) === ns && (Number(m[2]) === ifindex || m[3] === dev)) pin = inspectPin(path, Number(m[2]), ifindex, false);
    else if (name === `xdp-${dev}`) pin = inspectPin(path, ifindex, ifindex, true);
    if (pin) out.push(pin);
  }
  return out;
}

/**
 * What the link pinned at `path` is to the interface `ifindex` of this namespace, given that
 * the pin says it belongs to interface `pinIfindex` of this namespace (legacy pins say nothing:
 * they are taken to belong to `ifindex` when it runs their program, and to be stale only once
 * their interface is gone). Undefined when the pin vanished meanwhile.
 */
function inspectPin(path: string, pinIfindex: number, ifindex: number, legacy: boolean): XdpLinkPin | undefined {
  let fd: number;
  try {
    fd = openPinnedFd(path);
  } catch (e) {
    if (e instanceof BpfError && e.errnoName === 'ENOENT') return undefined;
    throw e;
  }
  const pin = (state: XdpLinkPin['state'], linkId: number, why = ''): XdpLinkPin => ({ path, state, why, linkId, legacy });
  try {
    const kind = objectKindOf(fd); // a pin may hold any BPF object, and their info structs overlap
    if (kind !== undefined && kind !== 'link') return pin('other', 0);
    const info = linkInfo(fd);
    if (info.type !== LinkType.XDP || info.ifindex === undefined) return pin('other', info.id);
    if (info.ifindex === 0) return pin('stale', info.id, 'its interface is gone');
    if (info.ifindex !== pinIfindex) return legacy ? pin('other', info.id) : pin('stale', info.id, `its interface moved to another network namespace, where its link is on ifindex ${info.ifindex}: without the pin it is detached there`);
    // The link is on an interface with that index — in this namespace, or in another one where
    // an interface has the same index (the kernel does not say which). The interface here runs
    // the link's program if it is this one.
    if (!runsProgram(pinIfindex, info.progId)) {
      return legacy ? pin('other', info.id) : pin('stale', info.id, `ifindex ${pinIfindex} here does not run its program: its interface moved to another network namespace, and without the pin it is detached there`);
    }
    return pin(pinIfindex === ifindex ? 'ours' : 'other', info.id);
  } finally {
    closeFd(fd);
  }
}

/** Whether interface `ifindex` of this network namespace runs program `progId` (in any XDP mode). */
export function runsProgram(ifindex: number, progId: number): boolean {
  return progId !== 0 && xdpProgIdsOn(ifindex).includes(progId);
}
