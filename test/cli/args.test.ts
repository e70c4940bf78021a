// The command-line parser (cli/args.ts), without a process: options in every spelling, defaults,
// required options and arguments, variadic options, subcommands, help and version, and the
// errors (one "error: ..." line, CommanderError with exit code 1).
import { describe, expect, it } from 'vitest';
import { Command, CommanderError } from '../../cli/args.js';

interface Run { calls: unknown[][]; out: string; err: string; error?: CommanderError }

function program(): { root: Command; run: (argv: string[]) => Promise<Run> } {
  const r: Run = { calls: [], out: '', err: '' };
  const root = new Command('tool').description('a tool').version('1.2.3')
    .configureOutput({ writeOut: (s) => { r.out += s; }, writeErr: (s) => { r.err += s; } });
  root.command('asm').description('assemble').argument('<input>', 'source').argument('[extra]', 'more')
    .requiredOption('-o, --output <file>', 'object').option('--big-endian', 'bpfeb').option('--mode <m>', 'how', 'auto')
    .option('--prog <name...>', 'programs').action((...a: unknown[]) => { r.calls.push(a.slice(0, -1)); });
  const map = root.command('map').description('maps');
  map.command('list').option('--json', 'JSON').action((...a: unknown[]) => { r.calls.push(a.slice(0, -1)); });
  return {
    root,
    run: async (argv) => {
      r.calls = []; r.out = ''; r.err = ''; delete r.error;
      try { await root.parseAsync(argv); } catch (e) {
        if (!(e instanceof CommanderError)) throw e;
        r.error = e;
      }
      return { ...r };
    },
  };
}

describe('cli/args', () => {
  it('reads options in every spelling, with defaults and camelCase keys', async () => {
    const { run } = program();
    for (const argv of [['a.s', '-o', 'a.o'], ['a.s', '-oa.o'], ['a.s', '--output', 'a.o'], ['a.s', '--output=a.o'], ['-o', 'a.o', 'a.s']]) {
      expect((await run(argv.length ? ['asm', ...argv] : [])).calls).toEqual([['a.s', undefined, { output: 'a.o', mode: 'auto' }]]);
    }
    expect((await run(['asm', 'a.s', 'b', '-o', 'a.o', '--big-endian', '--mode', 'x'])).calls)
      .toEqual([['a.s', 'b', { output: 'a.o', bigEndian: true, mode: 'x' }]]);
    expect((await run(['asm', '-o', '-', '--', '-weird.s'])).calls).toEqual([['-weird.s', undefined, { output: '-', mode: 'auto' }]]);
    expect((await run(['asm', '-', '-o', 'x'])).calls[0]![0]).toBe('-');
  });

  it('collects variadic option values', async () => {
    const { run } = program();
    expect((await run(['asm', 'a.s', '-o', 'a.o', '--prog', 'p1', 'p2', '--prog', 'p3'])).calls[0]![2])
      .toEqual({ output: 'a.o', mode: 'auto', prog: ['p1', 'p2', 'p3'] });
  });

  it('reads --no-x as x = false, x defaulting to true, and combined short flags', async () => {
    const calls: unknown[][] = [];
    const root = new Command('t');
    root.command('run').option('--no-lint', 'skip the lint').option('-r, --reloc', 'relocs').option('-l, --lines', 'lines')
      .option('-o, --out <f>', 'out').action((...a: unknown[]) => { calls.push(a.slice(0, -1)); });
    const run = async (argv: string[]): Promise<unknown> => { calls.length = 0; await root.parseAsync(['run', ...argv]); return calls[0]![0]; };
    expect(await run([])).toEqual({ lint: true });
    expect(await run(['--no-lint'])).toEqual({ lint: false });
    expect(await run(['-rl'])).toEqual({ lint: true, reloc: true, lines: true });
    expect(await run(['-rlo', 'x'])).toEqual({ lint: true, reloc: true, lines: true, out: 'x' });
    expect(await run(['-rox'])).toEqual({ lint: true, reloc: true, out: 'x' });
  });

  it('dispatches subcommands', async () => {
    const { run } = program();
    expect((await run(['map', 'list', '--json'])).calls).toEqual([[{ json: true }]]);
  });

  it('reports usage errors on one line with exit code 1', async () => {
    const { run } = program();
    const cases: [string[], string][] = [
      [['asm', 'a.s'], "error: required option '-o, --output <file>' not specified"],
      [['asm', '-o', 'a.o'], "error: missing required argument 'input'"],
      [['asm', 'a', 'b', 'c', '-o', 'x'], "error: too many arguments for 'asm'. Expected 2 arguments but got 3."],
      [['asm', 'a.s', '-o', 'x', '--bogus'], "error: unknown option '--bogus'"],
      [['asm', 'a.s', '-o'], "error: option '-o, --output <file>' argument missing"],
      [['asm', 'a.s', '-o', 'x', '--big-endian=1'], "error: option '--big-endian' takes no value"],
      [['nope'], "error: unknown command 'nope'"],
      [['--bogus'], "error: unknown option '--bogus'"],
      [['map', 'nope'], "error: unknown command 'nope'"],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      expect(r.err, argv.join(' ')).toBe(`${message}\n`);
      expect(r.error?.exitCode).toBe(1);
      expect(r.calls).toEqual([]);
    }
  });

  it('prints help and the version on stdout with exit code 0, and help on stderr when no command is given', async () => {
    const { run } = program();
    const asmHelp = await run(['asm', '--help']);
    expect(asmHelp.error?.exitCode).toBe(0);
    expect(asmHelp.out).toBe([
      'Usage: tool asm [options] <input> [extra]', '', 'assemble', '',
      'Arguments:', '  input                source', '  extra                more', '',
      'Options:', '  -o, --output <file>  object', '  --big-endian         bpfeb',
      '  --mode <m>           how (default: "auto")', '  --prog <name...>     programs',
      '  -h, --help           display help for command', '',
    ].join('\n'));
    expect((await run(['help', 'asm'])).out).toBe(asmHelp.out);
    expect((await run(['asm', 'a.s', '-h'])).out).toBe(asmHelp.out);
    const top = await run(['--help']);
    expect(top.out).toContain('  -V, --version');
    expect(top.out).toContain('  asm [options] <input> [extra]  assemble\n  map                            maps\n');
    expect((await run(['--version'])).out).toBe('1.2.3\n');
    const none = await run([]);
    expect(none.error?.exitCode).toBe(1);
    expect(none.err).toBe(top.out);
    const mapNone = await run(['map']);
    expect(mapNone.err).toContain('Usage: tool map [options] [command]');
    expect(mapNone.err).toContain('  list [options]  ');
  });

  it('wraps long descriptions under their column', async () => {
    const root = new Command('t');
    let out = '';
    root.configureOutput({ writeOut: (s) => { out += s; } });
    root.command('c').description('word '.repeat(30).trim()).action(() => undefined);
    await root.parseAsync(['--help']).catch(() => undefined);
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(out).toMatch(/\n {18}word word/); // under the column after 'help [command]' and two spaces
  });
});
