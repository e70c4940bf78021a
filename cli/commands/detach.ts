// bpf-ts detach --dev IF: remove every XDP program from an interface of this network namespace
// (its bpf_links, pinned or not, and netlink attachments) and the link pin `attach` made.
//
// Interface indexes repeat across network namespaces and the kernel does not say which
// namespace an XDP link's interface is in, so links are not picked by ifindex alone: the one
// pinned for this interface of this namespace (cli/interface.ts), then, for what the interface
// still runs, the link that holds it (netlink says EBUSY for a mode a link holds).
import { rmdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from '../args.js';
import { printError, printJson, printLine } from '../output.js';
import { Link } from '../../src/loader/link.js';
import { xdpLinksRunning } from '../../src/loader/xdp.js';
import { BpfError, NetlinkError, queryXdp, removeXdp, type XdpMode } from '../../src/sys/index.js';
import { interfaceIndex, xdpLinkPinsFor } from '../interface.js';

/** A bpf_link holds the interface's program, but links elsewhere look just like it. */
class AmbiguousLinkError extends Error {
  override readonly name = 'AmbiguousLinkError';
  readonly exitCode = 3;
}

export function registerDetach(program: Command): void {
  program
    .command('detach')
    .description('remove the XDP program(s) attached to an interface')
    .requiredOption('--dev <if>', 'network interface')
    .option('--json', 'print JSON')
    .action((o: { dev: string; json?: boolean }) => {
      const ifindex = interfaceIndex(o.dev);
      const pins = xdpLinkPinsFor(o.dev, ifindex);
      const stale: string[] = [];
      for (const pin of pins.filter((p) => p.state === 'stale')) {
        rmSync(pin.path, { force: true });
        stale.push(pin.path);
        printError(`note: removed the stale link pin ${pin.path} (${pin.why})`);
      }
      // Detach first (BPF_LINK_DETACH is synchronous), then drop the pin: unpinning first would
      // leave the link to be released asynchronously while we look at the interface.
      const links: number[] = [];
      let unpinned: string | null = null;
      for (const pin of pins.filter((p) => p.state === 'ours')) {
        if (detachLink(pin.linkId)) links.push(pin.linkId);
        rmSync(pin.path, { force: true });
        unpinned ??= pin.path;
      }
      const netlink = detachRest(o.dev, ifindex, links);
      if (unpinned !== null || stale.length > 0) removeEmptyPinDirs((unpinned ?? stale[0])!);
      if (o.json) printJson({ dev: o.dev, ifindex, links, netlink, unpinned, stalePins: stale });
      else if (links.length === 0 && netlink.length === 0) printLine(unpinned !== null ? `detached from ${o.dev}: removed the link pinned at ${unpinned}` : `nothing was attached to ${o.dev}`);
      else printLine(`detached from ${o.dev}: ${[...links.map((id) => `link ${id}`), ...netlink.map((m) => `netlink ${m}`)].join(', ')}`);
    });
}

/**
 * Remove what interface `dev` (`ifindex`) of this namespace still runs: netlink attachments directly,
 * and for a mode a bpf_link holds (netlink answers EBUSY), the XDP link on that ifindex running
 * that program — when there is exactly one; `links` collects the ids detached. Returns the
 * netlink modes cleared.
 */
function detachRest(dev: string, ifindex: number, links: number[]): XdpMode[] {
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
            `${dev} runs prog id ${progId} through a bpf_link, but links ${candidates.join(', ')} all run it on an interface with index ${ifindex} (the others are in other network namespaces) and the kernel does not say which is this one: detach it with \`bpftool link detach id N\``,
          );
        }
        if (candidates.length === 1 && detachLink(candidates[0]!)) links.push(candidates[0]!);
        else busy = e; // the link is on its way out: look again
      }
    }
    if (busy === undefined) return netlink;
    if (attempt >= 40) throw busy;
    sleepSync(50);
  }
}

/** BPF_LINK_DETACH link `id`; false when it is gone already. */
function detachLink(id: number): boolean {
  try {
    Link.fromId(id).detach();
    return true;
  } catch (e) {
    if (e instanceof BpfError && e.errnoName === 'ENOENT') return false;
    throw e;
  }
}

/** Block the thread for `ms` milliseconds (detach is synchronous; this is its only wait). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Remove the directories `attach` made for its link pins (…/bpf-ts/links), once empty. */
function removeEmptyPinDirs(pin: string): void {
  for (let dir = dirname(pin), n = 0; n < 2; dir = dirname(dir), n++) {
    try {
      rmdirSync(dir); // fails (ENOTEMPTY) while other interfaces' links are pinned there
    } catch {
      return;
    }
  }
}
