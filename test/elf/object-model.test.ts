import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encode } from '../../src/asm/encoding.js';
import { MapType } from '../../src/elf/bpf-enums.js';
import { objectNameFromPath } from '../../src/elf/global-data.js';
import { linkProgram } from '../../src/elf/link.js';
import { parseElfObject } from '../../src/elf/parse-object.js';
import { fixtureObjects, loadFixture } from '../btf/fixtures.js';
import { needKernel, needOracle } from '../support/env.js';

/** Fixtures libbpf (bpftool prog loadall) loads on this machine. */
const LOADABLE = ['core.o', 'globals.o', 'mapinmap.o', 'maps.o', 'subprogs.o', 'tailcall.o'];
const MAP_TYPE_NAME = new Map<number, string>(Object.entries(MapType).map(([k, v]) => [v, k.toLowerCase()]));

function parse(name: string) {
  const fx = loadFixture(name);
  return { ...fx, obj: parseElfObject(fx.elf, { name: objectNameFromPath(fx.path) }) };
}

/** Run bpftool with a fresh pin directory, always removed afterwards. */
function withPins<T>(fn: (dir: string) => T): T {
  const dir = `/sys/fs/bpf/bpf-ts-elf-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    mkdirSync(`${dir}/progs`, { recursive: true });
    mkdirSync(`${dir}/maps`, { recursive: true });
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('parseObject against llvm-objdump-14 -dr', () => {
  for (const name of fixtureObjects) {
    it(`${name}: functions, instructions and relocations agree with the symbol table and objdump`, (ctx) => {
      const objdump = needOracle(ctx, 'llvm-objdump-14');
      const { path, elf, obj } = parse(name);
      const fns = [...obj.programs, ...obj.subprograms];
      const funcSyms = elf.symbols.filter((s) => s.kind === 'func');
      expect(fns.map((f) => `${f.section}:${f.name}:${f.offset}:${f.size}`).sort())
        .toEqual(funcSyms.map((s) => `${s.section}:${s.name}:${s.value}:${s.size}`).sort());
      expect(obj.subprograms.every((f) => f.section === '.text')).toBe(true);
      for (const f of fns) {
        const sec = elf.sections.find((s) => s.name === f.section)!;
        expect(encode(f.insns, { bigEndian: elf.bigEndian })).toEqual(sec.data.slice(f.offset, f.offset + f.size));
      }
      // every relocation objdump shows in code is a ProgramRelocation on that instruction
      const out = spawnSync(objdump, ['-dr', path], { encoding: 'utf8' }).stdout;
      let section = '';
      let count = 0;
      for (const line of out.split('\n')) {
        const sm = /^Disassembly of section (.*):$/.exec(line);
        if (sm) { section = sm[1]!; continue; }
        const rm = /^\s+([0-9a-f]+):\s+(R_BPF_\S+)\s+(\S+)/.exec(line);
        if (!rm) continue;
        const off = parseInt(rm[1]!, 16);
        const f = fns.find((x) => x.section === section && off >= x.offset && off < x.offset + x.size)!;
        expect(f, `${section}+${off}`).toBeDefined();
        let slot = (off - f.offset) / 8;
        let idx = 0;
        while (slot > 0) slot -= f.insns[idx++]!.code === 0x18 ? 2 : 1;
        const r = f.relocations.find((x) => x.insn === idx);
        expect(r, `${section}+${off} ${rm[3]}`).toBeDefined();
        if (r!.kind === 'map') expect(r!.map).toBe(rm[3]);
        if (r!.kind === 'call' || r!.kind === 'func_addr') expect(rm[2]).toBe(r!.kind === 'call' ? 'R_BPF_64_32' : 'R_BPF_64_64');
        count++;
      }
      expect(count).toBe(elf.relocations.filter((r) => fns.some((f) => f.section === r.section)).length);
    });
  }

  it('maps section names to program types and attach types as libbpf does', () => {
    const { obj } = parse('sections.o');
    const byName = new Map(obj.programs.map((p) => [p.name, p]));
    expect(byName.get('p_xdp')).toMatchObject({ progType: 6, expectedAttachType: 37 });
    expect(byName.get('p_xdp_frags')).toMatchObject({ progType: 6, expectedAttachType: 37, progFlags: 32 });
    expect(byName.get('p_xdp_devmap')).toMatchObject({ progType: 6, expectedAttachType: 33 });
    expect(byName.get('p_tcx_ingress')).toMatchObject({ progType: 3, expectedAttachType: 46 });
    expect(byName.get('p_kprobe')).toMatchObject({ progType: 2, attachTarget: 'do_unlinkat' });
    expect(byName.get('p_tracepoint')).toMatchObject({ progType: 5, attachTarget: 'syscalls/sys_enter_getpid' });
    expect(byName.get('p_fentry')).toMatchObject({ progType: 26, expectedAttachType: 24, attachTarget: 'do_unlinkat' });
    expect(byName.get('p_cgroup_skb_in')).toMatchObject({ progType: 8, expectedAttachType: 0 });
    expect(byName.get('p_lsm')).toMatchObject({ progType: 29, expectedAttachType: 27 });
    expect(byName.get('p_netfilter')).toMatchObject({ progType: 32, expectedAttachType: 45 });
  });

  it('reads pinning, flags and typed keys of BTF-defined maps', () => {
    const m = parse('sections.o').obj.maps.find((x) => x.name === 'pinned_by_name')!;
    expect(m).toMatchObject({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 8, flags: 1, pinning: 1 });
    const maps = parse('maps.o').obj;
    const btf = maps.btf!;
    const lpm = maps.maps.find((x) => x.name === 'm_lpm')!;
    expect(btf.describe(lpm.btfKeyTypeId)).toBe('struct key4');
    expect(maps.maps.find((x) => x.name === 'm_bloom')).toMatchObject({ mapExtra: 3n, keySize: 0, valueSize: 4 });
    expect(maps.maps.find((x) => x.name === 'm_lru_hash')).toMatchObject({ flags: 4, numaNode: 0 });
  });

  it('reads the legacy maps section and the version section', () => {
    const { obj } = parse('legacy.o');
    expect(obj.kernelVersion).toBe(0x050f00);
    expect(obj.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags])).toEqual([
      ['legacy_counts', MapType.ARRAY, 4, 8, 16, 0],
      ['legacy_hash', MapType.HASH, 8, 4, 128, 1],
    ]);
  });

  it('reads prog_array and map-in-map `values` initialisers', () => {
    expect(parse('tailcall.o').obj.maps.find((m) => m.name === 'jump_table')!.initialValues)
      .toEqual([{ index: 0, target: 'leaf_pass' }, { index: 2, target: 'leaf_drop' }]);
    const outer = parse('mapinmap.o').obj.maps.find((m) => m.name === 'outer_arr')!;
    expect(outer.initialValues).toEqual([{ index: 0, target: 'inner_a' }, { index: 2, target: 'inner_b' }]);
    expect(outer.inner).toMatchObject({ type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 });
  });
});

describe('parseObject and linkProgram against libbpf (bpftool prog loadall)', () => {
  for (const name of LOADABLE) {
    it(`${name}: maps libbpf creates have our names, types, sizes and flags`, (ctx) => {
      needKernel(ctx);
      const bpftool = needOracle(ctx, 'bpftool');
      const { path, obj } = parse(name);
      type Shown = { name: string; type: string; bytes_key: number; bytes_value: number; max_entries: number; flags: number };
      const pinsByName = obj.maps.some((m) => m.pinning !== 0);
      const created = withPins((dir) => {
        // pinmaps conflicts with maps pinned by name; then read the maps through the programs' map ids
        const args = ['prog', 'loadall', path, `${dir}/progs`, ...(pinsByName ? [] : ['pinmaps', `${dir}/maps`])];
        const r = spawnSync(bpftool, args, { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        const show = (what: string[]): Shown => JSON.parse(spawnSync(bpftool, ['-j', 'map', 'show', ...what], { encoding: 'utf8' }).stdout) as Shown;
        if (!pinsByName) return readdirSync(`${dir}/maps`).map((f) => show(['pinned', `${dir}/maps/${f}`]));
        const ids = new Set<number>();
        for (const f of readdirSync(`${dir}/progs`)) {
          const info = JSON.parse(spawnSync(bpftool, ['-j', 'prog', 'show', 'pinned', `${dir}/progs/${f}`], { encoding: 'utf8' }).stdout) as { map_ids?: number[] };
          for (const id of info.map_ids ?? []) ids.add(id);
        }
        return [...ids].map((id) => show(['id', String(id)]));
      });
      const ours = obj.maps.map((m) => m.name.slice(0, 15)).sort(); // the kernel keeps 15 characters
      if (pinsByName) for (const m of created) expect(ours).toContain(m.name);
      else expect(created.map((m) => m.name).sort()).toEqual(ours);
      for (const m of created) {
        const mine = obj.maps.find((x) => x.name.slice(0, 15) === m.name)!;
        expect(MAP_TYPE_NAME.get(mine.type), m.name).toBe(m.type);
        // the kernel itself adds BPF_F_RDONLY_PROG to devmaps (dev_map_alloc)
        const kernelFlags = mine.type === MapType.DEVMAP || mine.type === MapType.DEVMAP_HASH ? m.flags & ~0x80 : m.flags;
        expect([mine.keySize, mine.valueSize, mine.flags], m.name).toEqual([m.bytes_key, m.bytes_value, kernelFlags]);
        if (mine.maxEntries !== 0) expect(mine.maxEntries, m.name).toBe(m.max_entries); // libbpf sizes perf arrays to the CPU count
      }
    });

    it(`${name}: linkProgram appends subprograms in libbpf's order at libbpf's offsets`, (ctx) => {
      needKernel(ctx);
      const bpftool = needOracle(ctx, 'bpftool');
      const { path, obj } = parse(name);
      const log = withPins((dir) => spawnSync(bpftool, ['-d', 'prog', 'loadall', path, `${dir}/progs`], { encoding: 'utf8' }).stderr);
      for (const p of obj.programs) {
        const linked = linkProgram(obj, p.name);
        const added = [...log.matchAll(new RegExp(`prog '${p.name}': added (\\d+) insns from sub-prog '([^']+)'`, 'g'))].map((m) => [m[2], Number(m[1])]);
        const ours = linked.functions.slice(1).map((f, i) => {
          const end = i + 2 < linked.functions.length ? linked.functions[i + 2]!.startSlot : linked.insns.reduce((n, x) => n + (x.code === 0x18 ? 2 : 1), 0);
          return [f.name, end - f.startSlot];
        });
        expect(ours, p.name).toEqual(added);
        // "points to subprog 'S' (now at N offset)" for every call made while linking p
        // (only the entry function's own lines can be told apart: subprogram lines repeat per program)
        const slotIndex = new Map<number, number>();
        linked.insns.reduce((slot, x, i) => (slotIndex.set(slot, i), slot + (x.code === 0x18 ? 2 : 1)), 0);
        for (const m of log.matchAll(/prog '([^']+)': insn #(\d+) relocated, imm (-?\d+) points to subprog '([^']+)' \(now at (\d+) offset\)/g)) {
          if (m[1] !== p.name) continue;
          const target = linked.functions.find((f) => f.name === m[4]);
          expect(target?.startSlot, `${p.name} → ${m[4]}`).toBe(Number(m[5]));
          expect(linked.insns[slotIndex.get(Number(m[2]))!]!.imm, `${p.name} insn #${m[2]}`).toBe(Number(m[3]));
        }
        // the call instructions now point at those starts
        for (const f of linked.functions) expect(f.startSlot).toBeGreaterThanOrEqual(0);
      }
    });
  }
});
