// Child process for the SIGKILL test: attach an XDP program with an unpinned link to the
// interface in argv[2], say "ready", then wait to be killed.
import { attachXdp, Program } from '../../../src/loader/index.js';
import { ifNameToIndex } from '../../../src/sys/index.js';

const prog = Program.load({ type: 'xdp', insns: [{ code: 0xb7, dst: 0, src: 0, off: 0, imm: 2 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }] });
const att = attachXdp(prog.fd, ifNameToIndex(process.argv[2]!), { mode: (process.argv[3] as 'skb' | 'native') ?? 'skb', via: 'link' });
process.stdout.write(`ready ${att.kind}\n`);
setTimeout(() => process.exit(0), 60_000);
