// bpf-ts net list: XDP attachments per interface (netlink's view plus bpf_link ids).
import type { Command } from '../args.js';
import { printJson, printLine } from '../output.js';
import { linkInfo, listInfo } from '../../src/loader/info.js';
import { xdpProgIds } from '../../src/loader/xdp.js';
import { listXdp } from '../../src/sys/xdp-netlink.js';

export function registerNet(program: Command): void {
  const net = program.command('net').description('network attachments');
  net
    .command('list')
    .description('XDP programs attached to each interface')
    .option('--all', 'include interfaces without XDP')
    .option('--json', 'print JSON')
    .action((o: { all?: boolean; json?: boolean }) => {
      const links = listInfo('link', linkInfo).filter((l) => l.ifindex !== undefined);
      const rows = listXdp()
        .filter((s) => o.all === true || s.attached !== 'none')
        .map((s) => ({
          ifname: s.ifname,
          ifindex: s.ifindex,
          attached: s.attached,
          skbProgId: s.skbProgId,
          drvProgId: s.drvProgId,
          hwProgId: s.hwProgId,
          // A link's info names an ifindex, not a namespace: it is this interface's when the
          // interface runs its program (another namespace may have the same index).
          linkIds: links.filter((l) => l.ifindex === s.ifindex && xdpProgIds(s).includes(l.progId)).map((l) => l.id),
        }));
      if (o.json) {
        printJson({ xdp: rows });
        return;
      }
      if (rows.length === 0) printLine('no XDP programs attached');
      for (const r of rows) {
        const modes = [r.drvProgId ? `driver id ${r.drvProgId}` : '', r.skbProgId ? `generic id ${r.skbProgId}` : '', r.hwProgId ? `offload id ${r.hwProgId}` : ''].filter(Boolean);
        printLine(`${r.ifname}(${r.ifindex}) ${modes.join(' ') || 'none'}${r.linkIds.length ? ` link ${r.linkIds.join(',')}` : ''}`);
      }
    });
}
