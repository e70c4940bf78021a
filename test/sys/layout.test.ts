// Our bpf_attr / info struct tables and enum values against <linux/bpf.h>, through gcc.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as layouts from '../../src/sys/bpf-layouts.js';
import { AttachType, BpfCmd, MapType, ProgType } from '../../src/sys/bpf-constants.js';
import type { Layout } from '../../src/sys/layout.js';
import { needOracle } from '../support/env.js';

const ENUM_PREFIX: ReadonlyArray<[string, Readonly<Record<string, number>>, string]> = [
  ['BpfCmd', BpfCmd, 'BPF_'],
  ['MapType', MapType, 'BPF_MAP_TYPE_'],
  ['ProgType', ProgType, 'BPF_PROG_TYPE_'],
  ['AttachType', AttachType, 'BPF_'],
];
// Values newer than the 6.1 header this machine's libc headers carry.
const NEWER = new Set(['MapType.CGRP_STORAGE', 'MapType.ARENA', 'ProgType.NETFILTER']);

function runC(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpf-ts-layout-'));
  try {
    writeFileSync(join(dir, 'l.c'), source);
    const cc = spawnSync('gcc', ['-o', join(dir, 'l'), join(dir, 'l.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(cc.stderr);
    const r = spawnSync(join(dir, 'l'), [], { encoding: 'utf8' });
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('bpf_attr and info layouts', () => {
  it('match sizeof/offsetof from linux/bpf.h', (ctx) => {
    needOracle(ctx, 'gcc');
    const all = Object.entries(layouts) as [string, Layout<string>][];
    const lines: string[] = ['#include <stdio.h>', '#include <stddef.h>', '#include <linux/bpf.h>', '#define SZ(t, f) sizeof(((t *)0)->f)', 'int main(void) {'];
    const expected: string[] = [];
    for (const [name, l] of all) {
      lines.push(`printf("${name} size %zu\\n", sizeof(${l.cType}));`);
      expected.push(`${name} size ${l.size}`);
      for (const [field, [off, size, path]] of Object.entries(l.fields)) {
        lines.push(`printf("${name}.${field} %zu %zu\\n", offsetof(${l.cType}, ${path}), SZ(${l.cType}, ${path}));`);
        expected.push(`${name}.${field} ${off} ${size}`);
      }
    }
    lines.push('return 0; }');
    const got = runC(lines.join('\n')).trim().split('\n');
    expect(all.length).toBeGreaterThan(15);
    expect(got).toEqual(expected);
  });

  it('enum values match linux/bpf.h', (ctx) => {
    needOracle(ctx, 'gcc');
    const lines: string[] = ['#include <stdio.h>', '#include <linux/bpf.h>', 'int main(void) {'];
    const expected: string[] = [];
    for (const [ts, table, prefix] of ENUM_PREFIX) {
      for (const [k, v] of Object.entries(table)) {
        if (NEWER.has(`${ts}.${k}`)) continue;
        lines.push(`printf("${ts}.${k} %d\\n", (int)${prefix}${k});`);
        expected.push(`${ts}.${k} ${v}`);
      }
    }
    lines.push('return 0; }');
    expect(runC(lines.join('\n')).trim().split('\n')).toEqual(expected);
  });
});
