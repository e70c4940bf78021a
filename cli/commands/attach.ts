// bpf-ts attach --dev IF (--pinned P | IN.o --prog NAME) [--mode skb|native|auto]: attach an
// XDP program so that it stays attached after the CLI exits — as a bpf_link pinned at
// /sys/fs/bpf/bpf-ts/links/xdp-ns<NETNS>-<IFINDEX>-<IF> (cli/interface.ts says why all three),
// or through netlink with --netlink.
import { rmSync } from 'node:fs';
import type { Command } from '../args.js';
import { UsageError } from '../errors.js';
import { printError, printJson, printLine } from '../output.js';
import { attachXdp, type XdpAttachMode } from '../../src/loader/xdp.js';
import { DEFAULT_PIN_ROOT, isBpffs } from '../../src/loader/pin.js';
import { ProgType } from '../../src/elf/bpf-enums.js';
import { interfaceIndex, netnsInode, xdpLinkPinPath, xdpLinkPinsFor } from '../interface.js';
import { openProgram } from './load.js';

interface AttachOptions {
  dev: string;
  pinned?: string;
  prog?: string;
  type?: string;
  mode: string;
  netlink?: boolean;
  json?: boolean;
}

const MODES: readonly string[] = ['skb', 'native', 'auto', 'hw'];

export function registerAttach(program: Command): void {
  program
    .command('attach')
    .description('attach an XDP program to an interface; it stays attached after bpf-ts exits (detach removes it)')
    .argument('[object]', 'BPF ELF object (.o) to load the program from')
    .requiredOption('--dev <if>', 'network interface')
    .option('--pinned <path>', 'a program already pinned on bpffs')
    .option('--prog <name>', 'program of the object to attach')
    .option('--type <type>', 'program type for sections that do not name one')
    .option('--mode <mode>', 'skb (generic), native (driver), hw (offload) or auto', 'auto')
    .option('--netlink', 'attach through netlink instead of a pinned bpf_link')
    .option('--json', 'print JSON')
    .action((object: string | undefined, o: AttachOptions) => {
      if (!MODES.includes(o.mode)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}, not "${o.mode}"`);
      const ifindex = interfaceIndex(o.dev);
      if (!o.netlink) {
        // This namespace's pins for this interface: a live one means it is taken; a stale one
        // (its interface was deleted, or moved away) would only be in the way.
        for (const pin of xdpLinkPinsFor(o.dev, ifindex)) {
          if (pin.state === 'ours') throw new UsageError(`${o.dev} already has an XDP program attached by bpf-ts (${pin.path}): run \`bpf-ts detach --dev ${o.dev}\` first`);
          if (pin.state === 'stale') {
            rmSync(pin.path, { force: true });
            printError(`note: removed the stale link pin ${pin.path} (${pin.why})`);
          }
        }
      }
      const { prog, owner } = openProgram({ ...(o.pinned !== undefined ? { pinned: o.pinned } : {}), ...(object !== undefined ? { object } : {}), ...(o.prog !== undefined ? { prog: o.prog } : {}), ...(o.type !== undefined ? { type: o.type } : {}) });
      try {
        if (prog.type !== ProgType.XDP) throw new UsageError(`program ${prog.name || '(unnamed)'} is a ${prog.typeName} program, not xdp`);
        const mode = o.mode as XdpAttachMode;
        let useNetlink = o.netlink === true || mode === 'hw';
        // Inside a private mount namespace (`ip netns exec` mounts a fresh /sys), /sys/fs/bpf is
        // not the host's bpffs: a link pinned there would vanish with this process, and the
        // program with it. Netlink attachments live with the interface instead.
        if (!useNetlink && !isBpffs(DEFAULT_PIN_ROOT)) {
          useNetlink = true;
          printError(`note: no bpffs at ${DEFAULT_PIN_ROOT} here (a private mount namespace such as \`ip netns exec\`?), so a pinned link would not outlive bpf-ts: attaching through netlink`);
        }
        const att = attachXdp(prog.fd, ifindex, { mode, via: useNetlink ? 'netlink' : 'link' });
        let pinned: string | undefined;
        if (att.kind === 'link') {
          try {
            const pinPath = xdpLinkPinPath(o.dev, ifindex, netnsInode());
            att.link.pin(pinPath);
            pinned = pinPath;
          } finally {
            att.link.close();
          }
        }
        const id = prog.info().id;
        if (o.json) printJson({ dev: o.dev, ifindex, progId: id, program: prog.name, mode, via: att.kind, ...(pinned ? { pinned } : {}) });
        else printLine(`attached ${prog.name || `prog id ${id}`} (id ${id}) to ${o.dev} in ${mode} mode via ${att.kind === 'link' ? `bpf_link pinned at ${pinned}` : 'netlink'}`);
      } finally {
        owner.close();
      }
    });
}
