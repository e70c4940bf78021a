// bpf-ts test-run (--pinned P | IN.o --prog NAME) --data PKT.bin [--repeat N] [--data-out F]:
// run a program once (or N times) on a packet with BPF_PROG_TEST_RUN and print its verdict.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from '../args.js';
import { UsageError } from '../errors.js';
import { printJson, printLine } from '../output.js';

// struct bpf_prog_type values (uapi): the verdict names below depend on the program type.
const PROG_TYPE_SCHED_CLS = 3;
const PROG_TYPE_SCHED_ACT = 4;
const PROG_TYPE_XDP = 6;

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
  if (progType === PROG_TYPE_XDP) return XDP_ACTIONS[retval];
  if (progType === PROG_TYPE_SCHED_CLS || progType === PROG_TYPE_SCHED_ACT) return TC_ACTIONS[retval];
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
    .action(async (object: string | undefined, o: TestRunCliOptions) => {
      const repeat = Number(o.repeat);
      if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100_000_000) throw new UsageError(`--repeat must be an integer from 1 to 100000000, not "${o.repeat}"`);
      if (!existsSync(o.data)) throw new UsageError(`no such file: ${o.data}`);
      const data = new Uint8Array(readFileSync(o.data));
      const ctx = o.ctx !== undefined ? new Uint8Array(readFileSync(o.ctx)) : undefined;
      if (o.vm) {
        if (object === undefined) throw new UsageError('--vm needs IN.o (a pinned program lives in the kernel)');
        if (!existsSync(object)) throw new UsageError(`no such file: ${object}`);
        const { testRunVm } = await import('../../src/vm/index.js');
        const { objectNameFromPath } = await import('../../src/elf/index.js');
        const r = testRunVm({ object: new Uint8Array(readFileSync(object)), objectName: objectNameFromPath(object), ...(o.prog !== undefined ? { program: o.prog } : {}), data, repeat, ...(ctx ? { ctx } : {}) });
        report(o, r.program, PROG_TYPE_XDP, r.retval, r.duration, repeat, data, r.data);
        return;
      }
      const { openProgram } = await import('./load.js');
      const { prog, owner } = openProgram({ ...(o.pinned !== undefined ? { pinned: o.pinned } : {}), ...(object !== undefined ? { object } : {}), ...(o.prog !== undefined ? { prog: o.prog } : {}), ...(o.type !== undefined ? { type: o.type } : {}) });
      try {
        const r = prog.testRun({ data, repeat, ...(ctx ? { ctx } : {}) });
        report(o, prog.name, prog.type, r.retval, r.duration, repeat, data, r.data);
      } finally {
        owner.close();
      }
    });
}

/** The same output for the kernel and the VM, so scripts can switch with --vm. */
function report(
  o: TestRunCliOptions, name: string, progType: number, retval: number, duration: number,
  repeat: number, dataIn: Uint8Array, dataOut: Uint8Array,
): void {
  if (o.dataOut !== undefined) writeFileSync(o.dataOut, dataOut);
  const verdict = verdictName(progType, retval);
  if (o.json) {
    printJson({ program: name, retval, ...(verdict ? { verdict } : {}), duration, repeat, dataIn: dataIn.length, dataOut: dataOut.length, data: Buffer.from(dataOut).toString('hex') });
  } else {
    printLine(`retval ${retval}${verdict ? ` (${verdict})` : ''}  duration ${duration} ns  data out ${dataOut.length} bytes${o.dataOut ? ` -> ${o.dataOut}` : ''}`);
  }
}
