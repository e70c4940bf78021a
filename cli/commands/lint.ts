// bpf-ts lint IN.o|IN.s|IN.ts: predict the kernel verifier's verdict without loading.
// Exit 0 when every program is expected to load, 1 when a rejection is predicted, 2 bad input.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from '../args.js';
import { assemble } from '../../src/asm/text/index.js';
import { parseElfObject } from '../../src/elf/parse-object.js';
import { parseObject } from '../../src/elf/parse-object.js';
import { formatJson, formatSarif, formatText } from '../../src/lint/format.js';
import { type ObjectLintOptions, lintObject } from '../../src/lint/object.js';
import { lintInstructions } from '../../src/lint/lint.js';
import { parseKernelProfile } from '../../src/lint/profile.js';
import type { LintReport } from '../../src/lint/diagnostic.js';
import { progTypeFromName } from '../../src/lint/program-type.js';
import { UsageError } from '../errors.js';
import { printJson, printLine } from '../output.js';

interface LintCliOptions {
  format?: string;
  json?: boolean;
  type?: string;
  unprivileged?: boolean;
  kernel?: string;
  program?: string[];
  cpus?: string;
}

async function lintFile(input: string, opts: ObjectLintOptions): Promise<LintReport> {
  const objName = basename(input).split('.')[0] ?? 'obj';
  if (input.endsWith('.s') || input.endsWith('.S') || input.endsWith('.asm')) {
    const source = readFileSync(input, 'utf8');
    const { elf } = assemble(source, { file: input });
    return lintObject(parseElfObject(elf, { name: objName }), { ...opts, asmSource: { file: input, text: source } });
  }
  if (input.endsWith('.ts') || input.endsWith('.mts')) {
    // a program module: compile it like `bpf-ts build`, lint the instructions (they carry TS lines)
    const { buildFromFile, lintMapInfo } = await import('./run.js');
    const mod = await buildFromFile(input, opts.programs !== undefined ? { programs: [...opts.programs] } : {});
    const maps = { ...lintMapInfo(mod), ...(opts.maps ?? {}) };
    const { programs: _only, maps: _m, asmSource: _a, ...lintOpts } = opts;
    return {
      programs: mod.programs.map((p) => lintInstructions(p.insns, { ...lintOpts, type: opts.type ?? 'xdp', maps, name: p.name, section: p.section })),
    };
  }
  return lintObject(parseObject(new Uint8Array(readFileSync(input === '-' ? 0 : input)), { name: input === '-' ? 'stdin' : objName }), opts); // - : an object on stdin
}

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('predict whether the kernel verifier accepts each program, with its message and source line')
    .argument('<input>', 'an ELF object (.o, or - for one on stdin), LLVM assembly (.s) or a TypeScript program module (.ts)')
    .option('--format <format>', 'text, json or sarif', 'text')
    .option('--json', 'same as --format json')
    .option('--type <type>', 'program type: xdp, tc (sched_cls), sched_act, socket_filter, cgroup_skb (default: from the section name)')
    .option('--unprivileged', 'model a loader without CAP_BPF/CAP_PERFMON')
    .option('--kernel <profile>', 'lint against a kernel profile saved by `bpf-ts probe --save`')
    .option('--program <name...>', 'only these programs')
    .option('--cpus <n>', 'nr_cpu_ids of the target (bounds bpf_get_smp_processor_id)')
    .action(async (input: string, o: LintCliOptions) => {
      const format = o.json === true ? 'json' : (o.format ?? 'text');
      if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown --format '${format}' (text, json, sarif)`);
      if (o.type !== undefined && progTypeFromName(o.type) === undefined) {
        throw new UsageError(`unsupported --type '${o.type}' (xdp, tc, sched_cls, sched_act, socket_filter, cgroup_skb)`);
      }
      let cpus: number | undefined;
      if (o.cpus !== undefined) {
        cpus = Number(o.cpus);
        if (!Number.isInteger(cpus) || cpus < 1) throw new UsageError(`--cpus must be a positive integer, not '${o.cpus}'`);
      }
      let profile;
      if (o.kernel !== undefined) {
        let json: unknown;
        try { json = JSON.parse(readFileSync(o.kernel, 'utf8')); } catch (e) {
          if ((e as { code?: string }).code !== undefined) throw e;
          throw new UsageError(`${o.kernel}: not JSON`);
        }
        profile = parseKernelProfile(json);
      }
      const report = await lintFile(input, {
        ...(o.type !== undefined ? { type: o.type } : {}),
        ...(o.unprivileged === true ? { unprivileged: true } : {}),
        ...(profile !== undefined ? { profile } : {}),
        ...(o.program !== undefined ? { programs: o.program } : {}),
        ...(cpus !== undefined ? { possibleCpus: cpus } : {}),
      });
      if (report.programs.length === 0) throw new UsageError(`${input}: no programs to lint`);
      if (format === 'json') printJson(formatJson(report));
      else if (format === 'sarif') printJson(formatSarif(report, input));
      else printLine(formatText(report, input));
      if (report.programs.some((p) => p.verdict === 'reject')) process.exitCode = 1;
    });
}
