import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Instruction } from '../../src/asm/instruction.js';
import { MapType } from '../../src/elf/bpf-enums.js';
import { objectNameFromPath } from '../../src/elf/global-data.js';
import { objectToModel } from '../../src/elf/object-to-model.js';
import { parseElfObject, parseObject } from '../../src/elf/parse-object.js';
import { writeObject, type ObjectModel } from '../../src/elf/write-object.js';
import { loadFixture } from '../btf/fixtures.js';
import { needKernel, needOracle } from '../support/env.js';

const work = mkdtempSync(join(tmpdir(), 'bpf-ts-wobj-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pinRoot = (): string => `/sys/fs/bpf/bpf-ts-wobj-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/** Load every program of an object with libbpf, run the named XDP programs once on `packet`, return their verdicts. */
function loadAndRun(bpftool: string, obj: string, programs: readonly string[], packet: Uint8Array): { loaded: string; results: Record<string, number>; xlated: Record<string, string> } {
  const dir = pinRoot();
  const pkt = join(work, `pkt-${Math.random().toString(36).slice(2)}.bin`);
  writeFileSync(pkt, packet);
  try {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync(bpftool, ['prog', 'loadall', obj, dir], { encoding: 'utf8' });
    if (r.status !== 0) return { loaded: r.stderr, results: {}, xlated: {} };
    const results: Record<string, number> = {};
    const xlated: Record<string, string> = {};
    for (const p of programs) {
      const run = spawnSync(bpftool, ['prog', 'run', 'pinned', `${dir}/${p}`, 'data_in', pkt, 'repeat', '1'], { encoding: 'utf8' });
      const m = /Return value: (\d+)/.exec(run.stdout + run.stderr);
      results[p] = m ? Number(m[1]) : -1;
      xlated[p] = spawnSync(bpftool, ['prog', 'dump', 'xlated', 'pinned', `${dir}/${p}`, 'linum'], { encoding: 'utf8' }).stdout;
    }
    return { loaded: 'ok', results, xlated };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ROUND_TRIP: Record<string, string[]> = {
  'subprogs.o': ['first', 'second'],
  'tailcall.o': ['dispatch', 'leaf_pass', 'leaf_drop'],
  'mapinmap.o': ['lookup_inner'],
  'maps.o': ['use_maps'],
  'globals.o': ['read_globals', 'tc_globals'], // .data/.rodata/.bss/.data.custom and .kconfig externs
  'core.o': [], // CO-RE relocations carried over; kprobe/tp_btf programs only load (no test run)
};

describe('writeObject: read a clang object, write it back', () => {
  for (const [name, progs] of Object.entries(ROUND_TRIP)) {
    it(`${name}: bpftool prints its BTF, libbpf loads it, and the programs return what the original's do`, (ctx) => {
      const bpftool = needOracle(ctx, 'bpftool');
      const fx = loadFixture(name);
      const obj = parseElfObject(fx.elf, { name: objectNameFromPath(fx.path) });
      const bytes = writeObject(objectToModel(obj));
      expect(writeObject(objectToModel(obj))).toEqual(bytes); // deterministic
      const out = join(work, name);
      writeFileSync(out, bytes);
      const dump = spawnSync(bpftool, ['btf', 'dump', 'file', out], { encoding: 'utf8' });
      expect(dump.status, dump.stderr).toBe(0);
      if (obj.maps.some((m) => m.origin === 'btf')) expect(dump.stdout).toMatch(/DATASEC '\.maps'/);
      // the rewritten object reads back to the same programs, maps and relocations
      const again = parseObject(bytes, { name: objectNameFromPath(fx.path) });
      expect(again.programs.map((p) => [p.name, p.section, p.insns.length])).toEqual(obj.programs.map((p) => [p.name, p.section, p.insns.length]));
      expect(again.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags, m.initialValues]))
        .toEqual(obj.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags, m.initialValues]));
      needKernel(ctx);
      const packet = new Uint8Array(64);
      const theirs = loadAndRun(bpftool, fx.path, progs, packet);
      const ours = loadAndRun(bpftool, out, progs, packet);
      expect(theirs.loaded).toBe('ok');
      expect(ours.loaded).toBe('ok');
      expect(ours.results).toEqual(theirs.results);
      for (const p of progs) expect(ours.results[p]).toBeGreaterThanOrEqual(0);
    });
  }
});

/** A program as the DSL would hand it over: instructions with `ref` names and source locations. */
function dslStyleModel(): ObjectModel {
  const loc = (line: number, text: string) => ({ file: 'examples/count.ts', line, column: 3, text });
  const ld64 = (dst: number, ref: string, src = 0, imm2 = 0): Instruction => ({ code: 0x18, dst, src, off: 0, imm: 0, imm2, ref });
  const prog: Instruction[] = [
    { code: 0xb7, dst: 1, src: 0, off: 0, imm: 0, loc: loc(10, 'const key = 0;') },                 // r1 = 0
    { code: 0x63, dst: 10, src: 1, off: -4, imm: 0, loc: loc(10, 'const key = 0;') },                // *(u32 *)(r10 - 4) = r1
    { ...ld64(1, 'counters', 1), loc: loc(11, 'const slot = counters.lookup(key);') },               // r1 = counters ll
    { code: 0xbf, dst: 2, src: 10, off: 0, imm: 0, loc: loc(11, 'const slot = counters.lookup(key);') },
    { code: 0x07, dst: 2, src: 0, off: 0, imm: -4, loc: loc(11, 'const slot = counters.lookup(key);') },
    { code: 0x85, dst: 0, src: 0, off: 0, imm: 1, loc: loc(11, 'const slot = counters.lookup(key);') }, // call map_lookup_elem
    { code: 0x15, dst: 0, src: 0, off: 2, imm: 0, loc: loc(12, 'if (slot) slot.add(1);') },         // if r0 == 0 goto +2
    { code: 0xb7, dst: 1, src: 0, off: 0, imm: 1, loc: loc(12, 'if (slot) slot.add(1);') },
    { code: 0xdb, dst: 0, src: 1, off: 0, imm: 0, loc: loc(12, 'if (slot) slot.add(1);') },          // lock *(u64 *)(r0 + 0) += r1
    { ...ld64(1, '.rodata', 2, 4), loc: loc(13, 'return verdict(config.action);') },                 // r1 = &.rodata + 4
    { code: 0x61, dst: 1, src: 1, off: 0, imm: 0, loc: loc(13, 'return verdict(config.action);') }, // r1 = *(u32 *)(r1 + 0)
    { code: 0x85, dst: 0, src: 1, off: 0, imm: 0, ref: 'verdict', loc: loc(13, 'return verdict(config.action);') },
    { code: 0x95, dst: 0, src: 0, off: 0, imm: 0, loc: loc(13, 'return verdict(config.action);') },
  ];
  const verdict: Instruction[] = [
    { code: 0xbc, dst: 0, src: 1, off: 0, imm: 0, loc: loc(20, 'function verdict(a) { return a; }') }, // w0 = w1
    { code: 0x95, dst: 0, src: 0, off: 0, imm: 0, loc: loc(20, 'function verdict(a) { return a; }') },
  ];
  const rodata = new Uint8Array(8);
  new DataView(rodata.buffer).setUint32(4, 2, true); // action = XDP_PASS
  return {
    functions: [{ name: 'count', section: 'xdp', insns: prog }, { name: 'verdict', section: '.text', insns: verdict }],
    maps: [{ name: 'counters', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 }],
    data: [{ name: '.rodata', data: rodata, variables: [{ name: 'config', offset: 0, size: 8 }] }],
    license: 'GPL',
  };
}

describe('writeObject from a DSL-style model', () => {
  it('loads with libbpf, runs, and the kernel shows line info from the TypeScript source', (ctx) => {
    const bpftool = needOracle(ctx, 'bpftool');
    const bytes = writeObject(dslStyleModel());
    expect(writeObject(dslStyleModel())).toEqual(bytes);
    const out = join(work, 'count.o');
    writeFileSync(out, bytes);
    const dump = spawnSync(bpftool, ['btf', 'dump', 'file', out], { encoding: 'utf8' });
    expect(dump.status, dump.stderr).toBe(0);
    expect(dump.stdout).toContain("FUNC 'count' type_id=");
    const parsed = parseObject(bytes, { name: 'count' });
    expect(parsed.programs[0]!.lineInfo.map((l) => l.lineNum)).toEqual([10, 11, 12, 13]);
    expect(parsed.maps.map((m) => m.name)).toEqual(['counters', 'count.rodata']);
    needKernel(ctx);
    const r = loadAndRun(bpftool, out, ['count'], new Uint8Array(64));
    expect(r.loaded).toBe('ok');
    expect(r.results.count).toBe(2);
    expect(r.xlated.count, r.xlated.count).toContain('[file:examples/count.ts line_num:11 line_col:3]');
    expect(r.xlated.count).toContain('const slot = counters.lookup(key);');
  });

  it('writes big-endian objects that read back to the same model (and llvm-readelf agrees on the layout)', (ctx) => {
    const le = parseObject(writeObject(dslStyleModel()), { name: 'count' });
    const beBytes = writeObject({ ...dslStyleModel(), bigEndian: true });
    const be = parseObject(beBytes, { name: 'count' });
    expect(be.bigEndian).toBe(true);
    const strip = (o: typeof le) => o.programs.map((p) => ({ insns: p.insns, relocations: p.relocations, lines: p.lineInfo }));
    expect(strip(be)).toEqual(strip(le));
    expect(be.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, Array.from(m.data ?? [])]))
      .toEqual(le.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, Array.from(m.data ?? [])])); // data bytes are raw
    const readelf = needOracle(ctx, 'llvm-readelf-14');
    const f = join(work, 'count-be.o');
    writeFileSync(f, beBytes);
    const r = spawnSync(readelf, ['-h', '-S', '-r', f], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/big endian/);
    expect(r.stdout).toMatch(/R_BPF_64_32/);
  });

  it('rejects references to unknown names and calls into program sections', () => {
    const m = dslStyleModel();
    const bad = { ...m, functions: [{ ...m.functions[0]!, insns: [{ code: 0x18, dst: 1, src: 0, off: 0, imm: 0, imm2: 0, ref: 'nope' }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }] }] };
    expect(() => writeObject(bad)).toThrow(/unknown reference nope/);
  });
});

describe('objects bpf-ts writes load through ip and xdp-loader', () => {
  it('ip link set dev X xdpgeneric obj F sec xdp, and xdp-loader load -m skb, on a veth in a fresh netns', (ctx) => {
    needKernel(ctx);
    const ip = needOracle(ctx, 'ip');
    const out = join(work, 'count-ip.o');
    writeFileSync(out, writeObject(dslStyleModel()));
    const ns = `bpfts-elf-${process.pid}`;
    const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
    try {
      expect(run(ip, ['netns', 'add', ns]).status).toBe(0);
      expect(run(ip, ['-n', ns, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb']).status).toBe(0);
      run(ip, ['-n', ns, 'link', 'set', 'va', 'up']);
      run(ip, ['-n', ns, 'link', 'set', 'vb', 'up']);
      const load = run(ip, ['-n', ns, 'link', 'set', 'dev', 'va', 'xdpgeneric', 'obj', out, 'sec', 'xdp']);
      expect(load.status, load.stderr).toBe(0);
      const show = run(ip, ['-n', ns, 'link', 'show', 'dev', 'va']).stdout;
      expect(show).toMatch(/xdpgeneric/);
      expect(show).toMatch(/prog\/xdp id \d+ name count/);
      const loader = run('sh', ['-c', 'command -v xdp-loader']).stdout.trim();
      if (loader) {
        const l = run(ip, ['netns', 'exec', ns, loader, 'load', '-m', 'skb', 'vb', out]);
        expect(l.status, l.stderr).toBe(0);
        expect(run(ip, ['netns', 'exec', ns, loader, 'status']).stdout).toMatch(/vb\s+count\s+skb/);
      }
    } finally {
      run(ip, ['netns', 'del', ns]);
    }
  });
});
