// Our bpf_attr / info struct tables and enum values against <linux/bpf.h>, through gcc.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as layouts from '../../src/sys/bpf-layouts.js';
import { BpfCmd } from '../../src/sys/bpf-constants.js';
import { AttachType, MapType, ProgType } from '../../src/elf/bpf-enums.js';
import type { Layout } from '../../src/sys/layout.js';
import { needOracle } from '../support/env.js';

const ENUM_PREFIX: ReadonlyArray<[string, Readonly<Record<string, number>>, string]> = [
  ['BpfCmd', BpfCmd, 'BPF_'],
];
// Values newer than the 6.1 header this machine's libc headers carry.
const NEWER = new Set<string>();
// Program, map and attach types are the running kernel's (newer than the installed header):
// checked against the kernel's own BTF as bpftool prints it.
const KERNEL_ENUMS: ReadonlyArray<[string, Readonly<Record<string, number>>, string]> = [
  ['MapType', MapType, 'BPF_MAP_TYPE_'],
  ['ProgType', ProgType, 'BPF_PROG_TYPE_'],
  ['AttachType', AttachType, 'BPF_'],
];

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

  it('program, map and attach types match the running kernel (bpftool btf dump of vmlinux)', (ctx) => {
    const bpftool = needOracle(ctx, 'bpftool');
    const dump = spawnSync(bpftool, ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout;
    const value = new Map<string, number>();
    for (const m of dump.matchAll(/^\t(BPF_[A-Z0-9_]+) = (\d+),?$/gm)) if (!value.has(m[1]!)) value.set(m[1]!, Number(m[2]));
    let checked = 0;
    for (const [ts, table, prefix] of KERNEL_ENUMS) {
      for (const [k, v] of Object.entries(table)) {
        expect(value.get(`${prefix}${k}`), `${ts}.${k}`).toBe(v);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
