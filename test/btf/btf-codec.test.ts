import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeBtf } from '../../src/btf/decode-btf.js';
import { dumpBtf } from '../../src/btf/dump-btf.js';
import { encodeBtf } from '../../src/btf/encode-btf.js';
import { needOracle } from '../support/env.js';
import { fixtureObjects, loadFixture, sectionData } from './fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'bpf-ts-btf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function bpftoolDump(tool: string, path: string): string {
  const r = spawnSync(tool, ['btf', 'dump', 'file', path], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`bpftool failed: ${r.stderr}`);
  return r.stdout;
}

describe('BTF decode/encode against bpftool btf dump', () => {
  for (const name of fixtureObjects) {
    it(`${name}: our dump of .BTF equals bpftool's; encoded BTF dumps the same through bpftool`, (ctx) => {
      const bpftool = needOracle(ctx, 'bpftool');
      const { path, elf } = loadFixture(name);
      const raw = sectionData(elf, '.BTF');
      expect(raw).toBeDefined();
      const btf = decodeBtf(raw!);
      const theirs = bpftoolDump(bpftool, path);
      expect(dumpBtf(btf)).toBe(theirs);
      const encoded = encodeBtf(btf);
      const file = join(work, `${name}.btf`);
      writeFileSync(file, encoded);
      expect(bpftoolDump(bpftool, file)).toBe(theirs);
      // and big-endian BTF (libbpf byte-swaps it when parsing)
      const be = encodeBtf(btf, { bigEndian: true });
      expect(dumpBtf(decodeBtf(be))).toBe(theirs);
      writeFileSync(`${file}.be`, be);
      expect(bpftoolDump(bpftool, `${file}.be`)).toBe(theirs);
    });
  }

  it('vmlinux BTF: dump equals bpftool, and re-encoding it loses nothing', (ctx) => {
    const bpftool = needOracle(ctx, 'bpftool');
    if (!existsSync('/sys/kernel/btf/vmlinux')) ctx.skip('no /sys/kernel/btf/vmlinux');
    const bytes = new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux'));
    const btf = decodeBtf(bytes);
    const theirs = bpftoolDump(bpftool, '/sys/kernel/btf/vmlinux');
    const ours = dumpBtf(btf);
    expect(ours.length).toBe(theirs.length);
    expect(ours === theirs).toBe(true);
    const file = join(work, 'vmlinux.btf');
    writeFileSync(file, encodeBtf(btf));
    expect(bpftoolDump(bpftool, file) === theirs).toBe(true);
  });

  it('looks types up by name and sizes them like the kernel', (ctx) => {
    if (!existsSync('/sys/kernel/btf/vmlinux')) ctx.skip('no /sys/kernel/btf/vmlinux');
    const btf = decodeBtf(new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux')));
    const id = btf.findOne('xdp_md', 'struct');
    expect(id).toBeDefined();
    expect(btf.sizeOf(id!)).toBe(24);
    const u32 = btf.findOne('__u32', 'typedef')!;
    expect(btf.sizeOf(u32)).toBe(4);
    expect(btf.type(btf.resolve(u32)).kind).toBe('int');
    expect(btf.findByName('no_such_type_name_anywhere')).toEqual([]);
  });
});
