// bpf-ts build IN.ts -o OUT.o: import a TypeScript module that exports xdp() programs, maps
// and constants, compile it, and write a libbpf-compatible ELF object (loads with
// `bpftool prog loadall` and `ip link set dev X xdpgeneric obj OUT.o sec xdp`).
import { writeFileSync } from 'node:fs';
import type { Command } from '../args.js';
import { writeObject } from '../../src/elf/write-object.js';
import { toObjectModel } from '../../src/xdp/index.js';
import { printJson, printLine } from '../output.js';
import { UsageError } from '../errors.js';
import { buildFromFile, parseConstants } from './run.js';

interface BuildOpts {
  output: string;
  prog?: string[];
  const?: string[];
  json?: boolean;
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('compile a TypeScript program module (xdp() programs, maps, constants) to an ELF object')
    .argument('<file>', 'TypeScript module')
    .requiredOption('-o, --output <file>', 'the object to write')
    .option('--prog <name...>', 'only these programs')
    .option('--const <name=value...>', 'initial values of load-time constants')
    .option('--json', 'print a JSON summary')
    .action(async (file: string, o: BuildOpts) => {
      if (!o.output) throw new UsageError('missing -o OUT.o');
      const mod = await buildFromFile(file, { ...(o.prog ? { programs: o.prog } : {}), constants: parseConstants(o.const) });
      const bytes = writeObject(toObjectModel(mod));
      writeFileSync(o.output, bytes);
      const summary = {
        output: o.output,
        bytes: bytes.length,
        programs: mod.programs.map((p) => ({ name: p.name, section: p.section, insns: p.insns.length, stack: p.stackDepth, subprograms: p.parts.subprograms.map((s) => s.name) })),
        maps: mod.maps.map((m) => ({ name: m.name, type: m.type, keySize: m.key.size, valueSize: m.value.size, maxEntries: m.maxEntries })),
        constants: mod.rodata.vars.map((v) => ({ name: v.name, offset: v.offset, size: v.def.schema.size })),
      };
      if (o.json) printJson(summary);
      else printLine(`${o.output}: ${summary.programs.map((p) => `${p.name} (${p.section}, ${p.insns} insns)`).join(', ')}; maps: ${summary.maps.map((m) => m.name).join(', ') || 'none'}`);
    });
}
