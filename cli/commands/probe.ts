// bpf-ts probe [--save F]: what this kernel supports (program types, map types, helpers per
// program type, ISA level), found by loading tiny programs; --save writes the profile as JSON.
// Exit 2 for an unknown --helpers-for type; exit 3 when this process may not load programs at all
// (then nothing is saved: a profile of "no" everywhere would describe the user, not the kernel).
import { writeFileSync } from 'node:fs';
import type { Command } from '../args.js';
import { UsageError } from '../errors.js';
import { printJson, printLine } from '../output.js';
import { PROBE_PROG_TYPES, probeAll, probeProgTypeName } from '../../src/loader/probe.js';
import { TypeNameError } from '../../src/loader/names.js';

/** The program types of `--helpers-for` (comma-separated), checked before anything is probed. */
function helperTypes(list: string): string[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`--helpers-for needs at least one program type (known: ${PROBE_PROG_TYPES.join(', ')})`);
  try {
    return names.map(probeProgTypeName);
  } catch (e) {
    if (e instanceof TypeNameError) throw new UsageError(`--helpers-for: ${e.message}`);
    throw e;
  }
}

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('probe kernel BPF features (program/map types, helpers, ISA); --save writes a profile')
    .option('--save <file>', 'write the feature profile as JSON')
    .option('--helpers-for <types>', 'comma-separated program types to probe helpers for', 'xdp,sched_cls')
    .option('--json', 'print the profile as JSON')
    .action((o: { save?: string; helpersFor: string; json?: boolean }) => {
      const profile = probeAll({ helperProgTypes: helperTypes(o.helpersFor) });
      if (o.save !== undefined) writeFileSync(o.save, `${JSON.stringify(profile, null, 2)}\n`);
      if (o.json) {
        printJson(profile);
        return;
      }
      const yes = (r: Record<string, { supported: boolean }>): string[] => Object.entries(r).filter(([, v]) => v.supported).map(([k]) => k);
      const no = (r: Record<string, { supported: boolean; error?: string }>): string[] => Object.entries(r).filter(([, v]) => !v.supported).map(([k, v]) => `${k}${v.error ? ` (${v.error})` : ''}`);
      printLine(`kernel ${profile.kernel} ${profile.arch}, ISA ${profile.isa}`);
      printLine(`program types: ${yes(profile.progTypes).join(' ')}`);
      printLine(`  not loadable here: ${no(profile.progTypes).join(' ') || 'none'}`);
      printLine(`map types: ${yes(profile.mapTypes).join(' ')}`);
      printLine(`  not creatable here: ${no(profile.mapTypes).join(' ') || 'none'}`);
      for (const [t, helpers] of Object.entries(profile.helpers)) printLine(`helpers for ${t}: ${helpers.length}`);
      if (o.save !== undefined) printLine(`saved ${o.save}`);
    });
}
