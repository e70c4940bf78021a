// The command-line parser: commands and subcommands, <required> and [optional] arguments,
// --long and -s options with or without a <value>, defaults, required options, --help and
// --version. Its interface is the part of commander's that bpf-ts used (so the command files
// read the same); it replaced commander because loading commander cost ~14 ms of every run.
// Parse errors are CommanderError with exit code 1 and a one-line "error: ..." on stderr.

/** A parse error, or the end of --help/--version (exitCode 0). */
export class CommanderError extends Error {
  override readonly name = 'CommanderError';
  constructor(readonly exitCode: number, readonly code: string, message: string) {
    super(message);
  }
}

interface OptionSpec {
  readonly flags: string;
  readonly short: string | undefined;
  readonly long: string;
  /** The property name in the options object: --big-endian → bigEndian. */
  readonly key: string;
  readonly takesValue: boolean;
  /** `<name...>`: every value up to the next option, and repeats add more (an array). */
  readonly variadic: boolean;
  readonly description: string;
  readonly defaultValue: string | undefined;
  readonly required: boolean;
  /** `--no-x`: sets x to false; x is true when the option is not given (commander's rule). */
  readonly negate: boolean;
}

interface ArgumentSpec {
  readonly name: string;
  readonly required: boolean;
  readonly description: string;
}

type Action = (...args: never[]) => unknown;
type Writer = (text: string) => void;

const HELP = { flags: '-h, --help', description: 'display help for command' };
const WIDTH = 80;

export class Command {
  private readonly commands: Command[] = [];
  private readonly options: OptionSpec[] = [];
  private readonly args: ArgumentSpec[] = [];
  private parent: Command | undefined;
  private about = '';
  private handler: Action | undefined;
  private versionText: string | undefined;
  private writeErr: Writer = (s) => { process.stderr.write(s); };
  private writeOut: Writer = (s) => { process.stdout.write(s); };

  constructor(readonly name = '') {}

  /** A subcommand (returned, for its own options and action). */
  command(name: string): Command {
    const sub = new Command(name);
    sub.parent = this;
    sub.writeErr = this.writeErr;
    sub.writeOut = this.writeOut;
    this.commands.push(sub);
    return sub;
  }

  description(text: string): this {
    this.about = text;
    return this;
  }

  /** `<name>` (required) or `[name]` (optional), in order. */
  argument(spec: string, description = ''): this {
    const m = /^([<[])([\w-]+)[>\]]$/.exec(spec);
    if (m === null) throw new Error(`bad argument spec ${spec}`);
    this.args.push({ name: m[2]!, required: m[1] === '<', description });
    return this;
  }

  /** `--name`, `-n, --name`, or either with ` <value>`; a default applies when it is absent. */
  option(flags: string, description = '', defaultValue?: string): this {
    return this.addOption(flags, description, defaultValue, false);
  }

  requiredOption(flags: string, description = '', defaultValue?: string): this {
    return this.addOption(flags, description, defaultValue, true);
  }

  /** Called with the arguments, then the options object, then this command. */
  action(fn: Action): this {
    this.handler = fn;
    return this;
  }

  version(text: string): this {
    this.versionText = text;
    return this;
  }

  configureOutput(out: { writeErr?: Writer; writeOut?: Writer }): this {
    if (out.writeErr !== undefined) this.writeErr = out.writeErr;
    if (out.writeOut !== undefined) this.writeOut = out.writeOut;
    return this;
  }

  /**
   * Parse user arguments (without node and the script) and run the chosen command's action.
   * Errors, --help and --version end in a thrown CommanderError (exitCode 0 for the last two).
   */
  async parseAsync(argv: readonly string[]): Promise<this> {
    await this.dispatch([...argv]);
    return this;
  }

  private addOption(flags: string, description: string, defaultValue: string | undefined, required: boolean): this {
    const m = /^(?:-(\w), )?--([\w-]+)(?: <[\w=-]+?(\.\.\.)?>)?$/.exec(flags);
    if (m === null) throw new Error(`bad option flags ${flags}`);
    const long = m[2]!;
    const takesValue = flags.endsWith('>');
    const negate = !takesValue && long.startsWith('no-');
    const key = (negate ? long.slice(3) : long).replace(/-(\w)/g, (_s, c: string) => c.toUpperCase());
    this.options.push({ flags, short: m[1], long, key, takesValue, variadic: m[3] !== undefined, description, defaultValue, required, negate });
    return this;
  }

  private async dispatch(argv: string[]): Promise<void> {
    const first = argv[0];
    if (first === '-h' || first === '--help') this.exitWithHelp();
    if (this.versionText !== undefined && (first === '-V' || first === '--version')) {
      this.writeOut(`${this.versionText}\n`);
      throw new CommanderError(0, 'commander.version', this.versionText);
    }
    if (this.commands.length === 0) { await this.run(argv); return; }
    if (first === undefined) {
      this.writeErr(this.helpText());
      throw new CommanderError(1, 'commander.help', '(outputHelp)');
    }
    if (first === 'help') {
      const target = argv[1] === undefined ? this : this.commands.find((c) => c.name === argv[1]);
      if (target === undefined) this.fail('commander.unknownCommand', `unknown command '${argv[1]}'`);
      target.exitWithHelp();
    }
    const sub = this.commands.find((c) => c.name === first);
    if (sub === undefined) {
      if (first.startsWith('-')) this.fail('commander.unknownOption', `unknown option '${first}'`);
      this.fail('commander.unknownCommand', `unknown command '${first}'`);
    }
    await sub.dispatch(argv.slice(1));
  }

  /** Options and arguments of a command with an action. */
  private async run(argv: string[]): Promise<void> {
    const values: Record<string, string | string[] | boolean | undefined> = {};
    const positional: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const token = argv[i]!;
      if (token === '--') { positional.push(...argv.slice(i + 1)); break; }
      if (token === '-h' || token === '--help') this.exitWithHelp();
      if (!token.startsWith('-') || token === '-') { positional.push(token); continue; }
      const eq = token.startsWith('--') ? token.indexOf('=') : -1;
      const name = eq >= 0 ? token.slice(0, eq) : token;
      const spec = this.options.find((o) => `--${o.long}` === name || (o.short !== undefined && `-${o.short}` === name.slice(0, 2)));
      if (spec === undefined) this.fail('commander.unknownOption', `unknown option '${name}'`);
      const attached = eq >= 0 ? token.slice(eq + 1) : name.length > 2 && !name.startsWith('--') ? name.slice(2) : undefined;
      if (!spec.takesValue) {
        if (attached !== undefined) {
          // -rl is -r -l (short flags combined); --flag=value is an error
          if (eq >= 0) this.fail('commander.unknownOption', `option '${spec.flags}' takes no value`);
          argv.splice(i + 1, 0, `-${attached}`);
        }
        values[spec.key] = !spec.negate;
        continue;
      }
      const value = attached ?? argv[++i];
      if (value === undefined) this.fail('commander.optionMissingArgument', `option '${spec.flags}' argument missing`);
      if (!spec.variadic) { values[spec.key] = value; continue; }
      const list = Array.isArray(values[spec.key]) ? values[spec.key] as string[] : [];
      list.push(value);
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) list.push(argv[++i]!);
      values[spec.key] = list;
    }
    for (const o of this.options) {
      if (values[o.key] === undefined && o.negate && !this.options.some((p) => p.key === o.key && !p.negate)) values[o.key] = true;
      if (values[o.key] === undefined && o.defaultValue !== undefined) values[o.key] = o.defaultValue;
      if (o.required && values[o.key] === undefined) this.fail('commander.missingMandatoryOptionValue', `required option '${o.flags}' not specified`);
    }
    const missing = this.args.slice(positional.length).find((a) => a.required);
    if (missing !== undefined) this.fail('commander.missingArgument', `missing required argument '${missing.name}'`);
    if (positional.length > this.args.length) {
      const expected = `${this.args.length} argument${this.args.length === 1 ? '' : 's'}`;
      this.fail('commander.excessArguments', `too many arguments for '${this.name}'. Expected ${expected} but got ${positional.length}.`);
    }
    if (this.handler === undefined) return;
    const args: unknown[] = this.args.map((_a, i) => positional[i]);
    await (this.handler as (...a: unknown[]) => unknown)(...args, values, this);
  }

  private fail(code: string, message: string): never {
    this.writeErr(`error: ${message}\n`);
    throw new CommanderError(1, code, message);
  }

  private exitWithHelp(): never {
    this.writeOut(this.helpText());
    throw new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)');
  }

  private usage(): string {
    const parts: string[] = [];
    if (this.options.length > 0 || this.commands.length > 0 || this.parent === undefined) parts.push('[options]');
    if (this.commands.length > 0) parts.push('[command]');
    return [...parts, ...this.argumentTerms()].join(' ');
  }

  /** `<required>` and `[optional]` for each argument. */
  private argumentTerms(): string[] {
    return this.args.map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`));
  }

  private fullName(): string {
    return this.parent === undefined ? this.name : `${this.parent.fullName()} ${this.name}`;
  }

  /** The --help text: usage, description, then arguments, options and commands in two columns. */
  helpText(): string {
    type Row = readonly [string, string];
    const args: Row[] = this.args.filter((a) => a.description !== '').map((a) => [a.name, a.description]);
    const options: Row[] = this.options.map((o) => [o.flags, o.defaultValue === undefined ? o.description : `${o.description} (default: "${o.defaultValue}")`]);
    if (this.versionText !== undefined) options.unshift(['-V, --version', 'output the version number']);
    options.push([HELP.flags, HELP.description]);
    const commands: Row[] = this.commands.map((c) => [c.term(), c.about]);
    if (commands.length > 0) commands.push(['help [command]', 'display help for command']);
    const width = Math.max(...[...args, ...options, ...commands].map(([term]) => term.length)) + 2;
    const lines = [`Usage: ${this.fullName()} ${this.usage()}`, ''];
    if (this.about !== '') lines.push(this.about, '');
    for (const [title, rows] of [['Arguments', args], ['Options', options], ['Commands', commands]] as const) {
      if (rows.length === 0) continue;
      lines.push(`${title}:`);
      for (const [term, text] of rows) lines.push(...wrap(`  ${term.padEnd(width)}`, text));
      lines.push('');
    }
    return `${lines.join('\n').trimEnd()}\n`;
  }

  /** How a parent's help lists this command: its name, [options] if it has any, its arguments. */
  private term(): string {
    return [this.name, ...(this.options.length > 0 ? ['[options]'] : []), ...this.argumentTerms()].join(' ');
  }
}

/** `lead` then `text` wrapped to the terminal width, continuation lines indented under it. */
function wrap(lead: string, text: string): string[] {
  const room = Math.max(20, WIDTH - lead.length);
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > room) { out.push(line); line = word; } else line = line === '' ? word : `${line} ${word}`;
  }
  out.push(line);
  return out.map((l, i) => (i === 0 ? lead : ' '.repeat(lead.length)) + l);
}
