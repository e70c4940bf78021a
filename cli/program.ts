// The bpf-ts command line. Each command lives in cli/commands/<name>.ts and exports
// `register(program)`; this file wires them and turns errors into exit codes.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from './args.js';
import { describeError, exitCodeFor } from './errors.js';
import { printError } from './output.js';
import { COMMANDS } from './commands/index.js';

/** Build the command tree; with `only`, just that command (the others are not even loaded). */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('bpf-ts')
    .description('A pure-TypeScript eBPF toolkit: assemble, build, lint, load, attach, run')
    .version('0.1.0');
  const selected = COMMANDS.filter((c) => c.name === only);
  const versionOnly = only === '--version' || only === '-V';
  if (!versionOnly) for (const entry of selected.length > 0 ? selected : COMMANDS) (await entry.load())(program);
  return program;
}

/**
 * The top-level help, written next to the bundled CLI by `npm run build` (scripts/bundle-cli.ts,
 * from buildProgram() itself), so that listing the commands does not load every command's
 * bundle; undefined when running unbundled.
 */
function prebuiltHelp(): string | undefined {
  try {
    return readFileSync(new URL('./help.txt', import.meta.url), 'utf8');
  } catch {
    return undefined;
  }
}

/** Run the CLI with user arguments; resolves to the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  if (argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help'))) {
    const help = prebuiltHelp();
    if (help !== undefined) {
      // as the parser does: help asked for goes to stdout (exit 0), help instead of a command to stderr
      if (argv.length === 0) { process.stderr.write(help); return 2; }
      process.stdout.write(help);
      return 0;
    }
  }
  const program = await buildProgram(argv[0]);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; the parser already printed the message.
      return err.exitCode === 0 ? 0 : 2;
    }
    // A verifier rejection reads like a `bpf-ts lint` finding: file:line: error: message [prog insn N].
    // Recognised by name, so that every command does not load the loader and lint to check.
    const format = err instanceof Error && err.name === 'VerifierError' ? (err as { format?: unknown }).format : undefined;
    if (typeof format === 'function') process.stderr.write(`${String(format.call(err))}\n`);
    else printError(describeError(err));
    const code = exitCodeFor(err);
    if (code === 70 || process.env.BPF_TS_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    return code;
  }
}
