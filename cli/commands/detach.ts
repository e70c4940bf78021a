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
import { detachLink, detachXdp } from '../../src/loader/xdp.js';
import { interfaceIndex, xdpLinkPinsFor } from '../interface.js';

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
      const rest = detachXdp(ifindex); // what the interface still runs
      links.push(...rest.links);
      const netlink = rest.netlink;
      if (unpinned !== null || stale.length > 0) removeEmptyPinDirs((unpinned ?? stale[0])!);
      if (o.json) printJson({ dev: o.dev, ifindex, links, netlink, unpinned, stalePins: stale });
      else if (links.length === 0 && netlink.length === 0) printLine(unpinned !== null ? `detached from ${o.dev}: removed the link pinned at ${unpinned}` : `nothing was attached to ${o.dev}`);
      else printLine(`detached from ${o.dev}: ${[...links.map((id) => `link ${id}`), ...netlink.map((m) => `netlink ${m}`)].join(', ')}`);
    });
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
