// The CLI runs from per-command bundles (scripts/bundle-cli.ts): every command listed in
// cli/commands/index.ts must have one, reached through bin/bpf-ts.cjs.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/commands/index.js';
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
});
