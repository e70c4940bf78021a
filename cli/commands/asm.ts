// bpf-ts asm IN.s -o OUT.o: LLVM-syntax BPF assembly to an ELF relocatable object.
import { writeFileSync } from 'node:fs';
import type { Command } from '../args.js';
import { UsageError } from '../errors.js';
import { printJson } from '../output.js';
import { readSourceText } from '../read-source.js';
import { assemble } from '../../src/asm/text/assembler.js';
import { writeElf } from '../../src/elf/write-elf.js';

interface AsmOptions {
  output: string;
  json?: boolean;
  bigEndian?: boolean;
}

export function registerAsm(program: Command): void {
  program
    .command('asm')
    .description('assemble LLVM-syntax BPF assembly (what clang -S emits) into an ELF object')
    .argument('<input>', 'assembly source file, or - for stdin')
    .requiredOption('-o, --output <file>', 'object file to write, or - for stdout')
    .option('--big-endian', 'produce a big-endian (bpfeb) object')
    .option('--json', 'print a JSON summary')
    .action(async (input: string, opts: AsmOptions) => {
      const source = readSourceText(input);
      const { elf, statements } = assemble(source, { file: input === '-' ? '<stdin>' : input, bigEndian: opts.bigEndian === true });
      const bytes = writeElf(elf);
      if (opts.output === '-' && opts.json === true) throw new UsageError('-o - writes the object to stdout: it cannot go with --json');
      writeFileSync(opts.output === '-' ? process.stdout.fd : opts.output, bytes);
      if (opts.json === true) {
        printJson({
          output: opts.output,
          bytes: bytes.length,
          statements,
          sections: elf.sections.map((s) => ({ name: s.name, size: s.size ?? s.data.length, flags: s.flags, align: s.align })),
          symbols: elf.symbols.map((s) => ({ name: s.name, section: s.section ?? null, value: s.value, size: s.size, kind: s.kind, binding: s.binding })),
          relocations: elf.relocations.map((r) => ({ section: r.section, offset: r.offset, symbol: r.symbol, type: r.type })),
        });
      }
    });
}
