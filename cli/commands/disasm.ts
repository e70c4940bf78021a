// bpf-ts disasm IN.o [--section S] [--reloc]: an llvm-objdump -d style listing.
import { readFileSync } from 'node:fs';
import type { Command } from '../args.js';
import { UsageError } from '../errors.js';
import { printJson } from '../output.js';
import { readElf } from '../../src/elf/read-elf.js';
import { codeSections, disassembleElfBytes, listSection } from '../../src/asm/text/disassemble.js';

interface DisasmOptions {
  section?: string;
  reloc?: boolean;
  alu32?: boolean;
  source?: boolean;
  lines?: boolean;
  maps?: boolean;
  json?: boolean;
}

export function registerDisasm(program: Command): void {
  program
    .command('disasm')
    .description('disassemble the executable sections of a BPF ELF object (llvm-objdump -d layout)')
    .argument('<input>', 'ELF object file, or - for stdin')
    .option('--section <name>', 'only this section')
    .option('-r, --reloc', 'show relocations under the instructions they patch')
    .option('--alu32', 'print 8/16/32-bit loads and stores with w registers (llvm-objdump --mattr=+alu32)')
    .option('--source', 'print assembly source that `bpf-ts asm` turns back into the same sections, symbols and relocations')
    .option('-l, --lines', 'print the source line (from .BTF.ext line info) above its first instruction')
    .option('--maps', 'list the maps the object defines, after the code')
    .option('--json', 'print JSON (with maps and source lines when the object has them)')
    .action(async (input: string, opts: DisasmOptions) => {
      // The rest is loaded only when an option needs it: start-up is a large part of a
      // whole-process run, so plain `disasm` does not load the assembler or the object model.
      const elf = readElf(new Uint8Array(readFileSync(input === '-' ? 0 : input))); // - : stdin
      if (opts.section !== undefined && !elf.sections.some((s) => s.name === opts.section)) {
        throw new UsageError(`${input}: no section named ${opts.section}`);
      }
      if (opts.source === true) {
        const { disassembleToSource } = await import('../../src/asm/text/to-source.js');
        process.stdout.write(disassembleToSource(elf));
        return;
      }
      // The object model gives maps and line info; an object it cannot read (plain assembler
      // output without a license, say) is still listed, without them.
      const model = opts.lines === true || opts.maps === true || opts.json === true ? await import('../../src/elf/index.js') : undefined;
      let obj: ReturnType<NonNullable<typeof model>['parseElfObject']> | undefined;
      if (model !== undefined) {
        try {
          obj = model.parseElfObject(elf, { name: model.objectNameFromPath(input) });
        } catch {
          obj = undefined;
        }
      }
      const lines = obj !== undefined ? model!.sourceLinesBySection(obj) : new Map<string, Map<number, { fileName: string; lineNum: number; column: number; line: string }>>();
      const notes = new Map([...lines].map(([sec, m]) => [sec, new Map([...m].map(([off, n]) => [off, model!.formatSourceLineNote(n)]))]));
      const listOpts = {
        relocations: opts.reloc === true, alu32: opts.alu32 === true, fileName: input,
        ...(opts.section !== undefined ? { section: opts.section } : {}),
        ...(opts.lines === true ? { notes } : {}),
      };
      if (opts.json === true) {
        printJson({
          file: input,
          sections: codeSections(elf, opts.section).map((sec) => {
            const l = listSection(elf, sec, listOpts);
            return {
              name: l.name,
              symbols: l.symbols,
              instructions: l.instructions.map((i) => {
                const src = lines.get(sec.name)?.get(i.offset);
                return {
                  index: i.index, offset: i.offset, bytes: i.bytes, text: i.text,
                  ...(opts.reloc === true ? { relocations: i.relocations } : {}),
                  ...(src !== undefined ? { source: { file: src.fileName, line: src.lineNum, column: src.column, text: src.line.trim() } } : {}),
                };
              }),
            };
          }),
          ...(obj !== undefined ? { maps: model!.listMaps(obj) } : {}),
        });
        return;
      }
      process.stdout.write(disassembleElfBytes(elf, listOpts));
      if (opts.maps === true) {
        const maps = obj !== undefined ? model!.listMaps(obj) : [];
        process.stdout.write(`\nMaps:\n${maps.length === 0 ? '  (none)\n' : maps.map((m) => `  ${model!.formatMapListing(m)}\n`).join('')}`);
      }
    });
}
