// bpf-ts test-run (--pinned P | IN.o --prog NAME) --data PKT.bin [--repeat N] [--data-out F]:
// run a program once (or N times) on a packet with BPF_PROG_TEST_RUN and print its verdict.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { printJson, printLine } from '../output.js';
import { ProgType } from '../../src/sys/index.js';
import { openProgram } from './load.js';

interface TestRunCliOptions {
  pinned?: string;
  prog?: string;
  type?: string;
  data: string;
  repeat: string;
  dataOut?: string;
  ctx?: string;
  vm?: boolean;
  json?: boolean;
}

const XDP_ACTIONS = ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT'];
const TC_ACTIONS: Record<number, string> = { 0: 'TC_ACT_OK', 1: 'TC_ACT_RECLASSIFY', 2: 'TC_ACT_SHOT', 3: 'TC_ACT_PIPE', 4: 'TC_ACT_STOLEN', 7: 'TC_ACT_REDIRECT', [0xffffffff]: 'TC_ACT_UNSPEC' };

function verdictName(progType: number, retval: number): string | undefined {
  if (progType === ProgType.XDP) return XDP_ACTIONS[retval];
  if (progType === ProgType.SCHED_CLS || progType === ProgType.SCHED_ACT) return TC_ACTIONS[retval];
  return undefined;
}

export function registerTestRun(program: Command): void {
  program
    .command('test-run')
    .description('run a program on a packet in the kernel (BPF_PROG_TEST_RUN) and print the verdict')
    .argument('[object]', 'BPF ELF object (.o) to load the program from')
    .option('--pinned <path>', 'a program pinned on bpffs')
    .option('--prog <name>', 'program of the object to run')
    .option('--type <type>', 'program type for sections that do not name one')
    .requiredOption('--data <file>', 'input packet (raw bytes)')
    .option('--repeat <n>', 'run n times; duration is the mean', '1')
    .option('--data-out <file>', 'write the output packet here')
    .option('--ctx <file>', 'input context (e.g. struct xdp_md) as raw bytes')
    .option('--vm', 'run in the userspace VM instead of the kernel')
    .option('--json', 'print JSON')
    .action((object: string | undefined, o: TestRunCliOptions) => {
      if (o.vm) throw new UsageError('--vm: the userspace VM is not wired into test-run yet');
      const repeat = Number(o.repeat);
      if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100_000_000) throw new UsageError(`--repeat must be an integer from 1 to 100000000, not "${o.repeat}"`);
      if (!existsSync(o.data)) throw new UsageError(`no such file: ${o.data}`);
      const data = new Uint8Array(readFileSync(o.data));
      const ctx = o.ctx !== undefined ? new Uint8Array(readFileSync(o.ctx)) : undefined;
      const { prog, owner } = openProgram({ ...(o.pinned !== undefined ? { pinned: o.pinned } : {}), ...(object !== undefined ? { object } : {}), ...(o.prog !== undefined ? { prog: o.prog } : {}), ...(o.type !== undefined ? { type: o.type } : {}) });
      try {
        const r = prog.testRun({ data, repeat, ...(ctx ? { ctx } : {}) });
        if (o.dataOut !== undefined) writeFileSync(o.dataOut, r.data);
        const verdict = verdictName(prog.type, r.retval);
        if (o.json) {
          printJson({ program: prog.name, retval: r.retval, ...(verdict ? { verdict } : {}), duration: r.duration, repeat, dataIn: data.length, dataOut: r.data.length, data: Buffer.from(r.data).toString('hex') });
        } else {
          printLine(`retval ${r.retval}${verdict ? ` (${verdict})` : ''}  duration ${r.duration} ns  data out ${r.data.length} bytes${o.dataOut ? ` -> ${o.dataOut}` : ''}`);
        }
      } finally {
        owner.close();
      }
    });
}
