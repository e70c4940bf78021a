// The CLI runs from per-command bundles (scripts/bundle-cli.ts): every command listed in
// cli/commands/index.ts must have one, reached through bin/bpf-ts.cjs; the top-level help is
// prebuilt text that must match what the commands register.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/commands/index.js';
import { buildProgram } from '../../cli/program.js';
import { REPO_ROOT, runBpfTs } from '../support/cli.js';

describe('the bundled CLI', () => {
  it('has a bundle for every command, and each answers --help', () => {
    expect(COMMANDS.length).toBeGreaterThan(10);
    for (const { name } of COMMANDS) {
      expect(existsSync(`${REPO_ROOT}dist/cli-bundle/commands/${name}.cjs`), name).toBe(true);
      const r = runBpfTs([name, '--help']);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`Usage: bpf-ts ${name}`);
    }
  });

  it('prints the top-level help from the text the build made, the same as the commands give', async () => {
    expect(existsSync(`${REPO_ROOT}dist/cli-bundle/help.txt`)).toBe(true);
    const expected = (await buildProgram()).helpText();
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = runBpfTs(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toBe(expected);
    }
    const none = runBpfTs([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(expected);
  });
});
