// bpf-ts prog list | show | dump: the programs loaded in the kernel.
import { existsSync } from 'node:fs';
import type { Command } from '../args.js';
import { UsageError } from '../errors.js';
import { printJson, printLine } from '../output.js';
import { formatInstruction } from '../../src/asm/text/format.js';
import { listPrograms, progInfo, progXlated, type ProgInfo } from '../../src/loader/info.js';
import { Program } from '../../src/loader/program.js';

interface Which {
  id?: string;
  pinned?: string;
  json?: boolean;
}

function open(o: Which): Program {
  if (o.pinned !== undefined) {
    if (!existsSync(o.pinned)) throw new UsageError(`nothing is pinned at ${o.pinned}`);
    return Program.fromPinned(o.pinned);
  }
  if (o.id !== undefined) {
    const id = Number(o.id);
    if (!Number.isInteger(id) || id <= 0) throw new UsageError(`--id must be a positive integer, not "${o.id}"`);
    return Program.fromId(id);
  }
  throw new UsageError('give --id N or --pinned PATH');
}

const line = (p: ProgInfo): string =>
  `${p.id}: ${p.typeName} name ${p.name || '-'} tag ${p.tag} xlated ${p.xlatedLen}B jited ${p.jitedLen}B map_ids ${p.mapIds.join(',') || '-'} run_cnt ${p.runCnt}`;

export function registerProg(program: Command): void {
  const prog = program.command('prog').description('inspect loaded BPF programs');
  prog
    .command('list')
    .description('every loaded program')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const all = listPrograms();
      if (o.json) printJson({ programs: all });
      else for (const p of all) printLine(line(p));
    });
  prog
    .command('show')
    .description('one program')
    .option('--id <id>', 'program id')
    .option('--pinned <path>', 'pinned program')
    .option('--json', 'print JSON')
    .action((o: Which) => {
      const p = open(o);
      try {
        const info = progInfo(p.fd);
        if (o.json) printJson(info);
        else printLine(line(info));
      } finally {
        p.close();
      }
    });
  prog
    .command('dump')
    .description("the program's instructions as the kernel rewrote them (xlated), disassembled")
    .option('--id <id>', 'program id')
    .option('--pinned <path>', 'pinned program')
    .option('--json', 'print JSON')
    .action((o: Which) => {
      const p = open(o);
      try {
        const insns = progXlated(p.fd);
        let slot = 0;
        const rows = insns.map((insn) => {
          const row = { slot, text: formatInstruction(insn) };
          slot += insn.code === 0x18 ? 2 : 1;
          return row;
        });
        if (o.json) printJson({ id: progInfo(p.fd).id, insns: rows });
        else for (const r of rows) printLine(`${String(r.slot).padStart(4)}: ${r.text}`);
      } finally {
        p.close();
      }
    });
}
