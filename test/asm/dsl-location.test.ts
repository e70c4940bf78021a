// Source locations of DSL calls, in the processes users run: TypeScript loaded by tsx (what
// `bpf-ts build` does; the location comes from V8's call sites mapped through the module's
// source map) and plain JavaScript (no map: the call site is the location). The vitest
// process itself takes the formatted-stack path, which the other DSL tests cover.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const LIB = pathToFileURL(join(REPO_ROOT, 'src/asm/dsl/index.ts')).href;

/** Run `lines` (after an import of the DSL as d) as `file` under tsx; the locations it prints. */
function run(file: string, lines: string[]): { file: string; line: number; column: number }[] {
  const dir = mkdtempSync(join(tmpdir(), 'bpfts-loc-'));
  try {
    const path = join(dir, file);
    writeFileSync(path, [`import * as d from '${LIB}';`, ...lines].join('\n'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', path], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { file: string; line: number; column: number }[]).map((l) => ({ ...l, file: l.file.replace(dir, '<dir>') }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('DSL source locations', () => {
  it('point at the TypeScript line and column under tsx, types and all', () => {
    const locs = run('prog.ts', [
      'interface Unused { a: number; b: string }',
      'type Alias = Unused;',
      'const out: unknown[] = [];',
      'for (let i = 0; i < 3; i++) {',
      '  const x: number = i;',
      '  out.push(d.mov(d.r0, x).loc);',
      '}',
      'out.push(',
      '  d.exit().loc);',
      'console.log(JSON.stringify(out));',
    ]);
    expect(locs).toEqual([
      { file: '<dir>/prog.ts', line: 7, column: 14 },
      { file: '<dir>/prog.ts', line: 7, column: 14 },
      { file: '<dir>/prog.ts', line: 7, column: 14 },
      { file: '<dir>/prog.ts', line: 10, column: 5 },
    ]);
  });

  it('point at the JavaScript call site without a source map', () => {
    const locs = run('prog.mjs', ['const out = [];', '  out.push(d.mov(d.r1, 1).loc);', 'console.log(JSON.stringify(out));']);
    expect(locs).toEqual([{ file: '<dir>/prog.mjs', line: 3, column: 14 }]);
  });
});
