// A reader that goes away (`bpf-ts disasm big.o | head`) ends the command quietly: no stack
// trace, no error, exit 0 (the listing is far larger than a pipe's buffer, so the write fails).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runBpfTs } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfts-pipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('output to a closed pipe', () => {
  it('disasm | head -c 10 exits 0 with nothing on stderr', () => {
    const src = join(dir, 'big.s');
    writeFileSync(src, `\t.text\nf:\n${'\tr1 = r2\n'.repeat(20_000)}\texit\n`);
    expect(runBpfTs(['asm', src, '-o', join(dir, 'big.o')]).code).toBe(0);
    const err = join(dir, 'err');
    const cmd = `set -o pipefail; "${process.execPath}" bin/bpf-ts.cjs disasm "${join(dir, 'big.o')}" 2>"${err}" | head -c 10 >/dev/null`;
    const r = spawnSync('bash', ['-c', cmd], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(readFileSync(err, 'utf8')).toBe('');
    expect(r.status).toBe(0);
  });
});
