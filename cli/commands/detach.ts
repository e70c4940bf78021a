// bpf-ts detach --dev IF: remove every XDP program from an interface (bpf_links, pinned or
// not, and netlink attachments) and the link pin `attach` made.
import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from '../args.js';
import { printJson, printLine } from '../output.js';
import { detachXdp } from '../../src/loader/xdp.js';
import { interfaceIndex, xdpLinkPinPath } from '../interface.js';

export function registerDetach(program: Command): void {
  program
    .command('detach')
    .description('remove the XDP program(s) attached to an interface')
    .requiredOption('--dev <if>', 'network interface')
    .option('--json', 'print JSON')
    .action((o: { dev: string; json?: boolean }) => {
      const ifindex = interfaceIndex(o.dev);
      const pin = xdpLinkPinPath(o.dev);
      const hadPin = existsSync(pin);
      // Detach first (BPF_LINK_DETACH is synchronous), then drop the pin: unpinning first would
      // leave the link to be released asynchronously while we look at the interface.
      const r = detachXdp(ifindex);
      if (hadPin) {
        rmSync(pin, { force: true });
        removeEmptyPinDirs(pin);
      }
      if (o.json) printJson({ dev: o.dev, ifindex, links: r.links, netlink: r.netlink, unpinned: hadPin ? pin : null });
      else if (r.links.length === 0 && r.netlink.length === 0) printLine(hadPin ? `detached from ${o.dev}: removed the link pinned at ${pin}` : `nothing was attached to ${o.dev}`);
      else printLine(`detached from ${o.dev}: ${[...r.links.map((id) => `link ${id}`), ...r.netlink.map((m) => `netlink ${m}`)].join(', ')}`);
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
