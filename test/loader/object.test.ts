// Whole clang objects (test/fixtures/obj) through loadObject, compared with libbpf's view:
// `bpftool prog loadall` + `bpftool prog run` on the same object in the same test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BpfMap, loadObject, type LoadedObject, ObjectLoadError, VerifierError } from '../../src/loader/index.js';
import { parseObject } from '../../src/elf/parse-object.js';
import { needKernel, needOracle } from '../support/env.js';

const loadObjectDefs = (name: string) => parseObject(fixture(name), { name }).maps;

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/obj/${name}.o`, import.meta.url)));
const fixturePath = (name: string): string => new URL(`../fixtures/obj/${name}.o`, import.meta.url).pathname;

function bpftool(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('bpftool', args, { encoding: 'utf8', timeout: 30_000 });
}

interface Libbpf {
  readonly dir: string;
  run(prog: string, pkt: Uint8Array): { retval: number; out: Uint8Array };
  mapDump(mapName: string): Map<string, string>;
  cleanup(): void;
}

/** The object loaded by libbpf (bpftool prog loadall), with programs pinned under a temp dir. */
function libbpfLoad(name: string): Libbpf {
  const dir = `/sys/fs/bpf/bpf-ts-test-obj-${name}-${process.pid}`;
  const tmp = mkdtempSync(join(tmpdir(), 'bpf-ts-obj-'));
  mkdirSync(dir, { recursive: true });
  // pinmaps keeps the maps referenced from user space after bpftool exits (a prog_array loses
  // its entries when the last user reference goes, so libbpf's in-process view needs this).
  const r = bpftool(['prog', 'loadall', fixturePath(name), join(dir, 'progs'), 'pinmaps', join(dir, 'maps')]);
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`bpftool prog loadall ${name}: ${r.stderr}`);
  }
  return {
    dir,
    run(prog, pkt) {
      writeFileSync(join(tmp, 'in'), pkt);
      const x = bpftool(['-j', 'prog', 'run', 'pinned', join(dir, 'progs', prog), 'data_in', join(tmp, 'in'), 'data_out', join(tmp, 'out')]);
      if (x.status !== 0) throw new Error(x.stderr);
      return { retval: JSON.parse(x.stdout).retval as number, out: new Uint8Array(readFileSync(join(tmp, 'out'))) };
    },
    mapDump(mapName) {
      const dump = JSON.parse(bpftool(['-j', 'map', 'dump', 'pinned', join(dir, 'maps', mapName)]).stdout) as { key: string[]; value: string[] }[];
      return new Map(dump.map((e) => [e.key.map((b) => b.slice(2)).join(''), e.value.map((b) => b.slice(2)).join('')]));
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

const ourDump = (m: BpfMap): Map<string, string> => new Map([...m.entries()].map(([k, v]) => [Buffer.from(k).toString('hex'), Buffer.from(v).toString('hex')]));

function compareRuns(ours: LoadedObject, theirs: Libbpf, progs: string[], pkt: Uint8Array): void {
  for (const name of progs) {
    const a = ours.programs.get(name)!.testRun({ data: pkt });
    const b = theirs.run(name, pkt);
    expect({ prog: name, retval: a.retval }).toEqual({ prog: name, retval: b.retval });
    expect(Buffer.from(a.data).toString('hex')).toBe(Buffer.from(b.out).toString('hex'));
  }
}

const packet = Uint8Array.from({ length: 64 }, (_, i) => (i * 7) & 0xff);

describe('loadObject on clang fixtures vs bpftool/libbpf', () => {
  for (const name of ['globals', 'subprogs', 'tailcall', 'mapinmap']) {
    it(`${name}.o: same verdicts, output packets and map contents as libbpf`, (ctx) => {
      needKernel(ctx);
      needOracle(ctx, 'bpftool');
      const pinRoot = `/sys/fs/bpf/bpf-ts-test-pins-${name}-${process.pid}`;
      const theirs = libbpfLoad(name);
      let ours: LoadedObject | undefined;
      try {
        ours = loadObject(fixture(name), { name, pinRoot });
        const progs = [...ours.programs.keys()];
        expect(progs.sort()).toEqual(ours.object.programs.map((p) => p.name).sort());
        compareRuns(ours, theirs, progs, packet);
        compareRuns(ours, theirs, progs, packet); // twice: state kept in maps must agree too
        if (name === 'globals') {
          expect(ourDump(ours.maps.get('globals.data')!)).toEqual(theirs.mapDump('globals_data'));
          expect(ourDump(ours.maps.get('globals.bss')!)).toEqual(theirs.mapDump('globals_bss'));
          expect(() => ours!.maps.get('globals.rodata')!.update(new Uint8Array(4), new Uint8Array(ours!.maps.get('globals.rodata')!.valueSize))).toThrow(/EPERM/);
        }
        if (name === 'subprogs') expect(ourDump(ours.maps.get('hits')!)).toEqual(theirs.mapDump('hits'));
        if (name === 'mapinmap') expect(ourDump(ours.maps.get('inner_a')!)).toEqual(theirs.mapDump('inner_a'));
      } finally {
        ours?.close();
        theirs.cleanup();
        rmSync(pinRoot, { recursive: true, force: true });
      }
    }, 60_000);
  }

  it('maps.o: every map type of the object is created', (ctx) => {
    needKernel(ctx);
    const pinRoot = `/sys/fs/bpf/bpf-ts-test-pins-maps-${process.pid}`;
    try {
      const loaded = loadObject(fixture('maps'), { name: 'maps', pinRoot });
      try {
        for (const def of loaded.object.maps) {
          const m = loaded.maps.get(def.name)!;
          expect({ map: def.name, type: m.info().type }).toEqual({ map: def.name, type: def.type });
        }
      } finally {
        loaded.close();
      }
    } finally {
      rmSync(pinRoot, { recursive: true, force: true });
    }
  }, 60_000);

  it('LIBBPF_PIN_BY_NAME: the map is pinned under the pin root and reused by a second load', (ctx) => {
    needKernel(ctx);
    const pinRoot = `/sys/fs/bpf/bpf-ts-test-pins-sections-${process.pid}`;
    const pinnedDefs = loadObjectDefs('sections').filter((m) => m.pinning === 1);
    expect(pinnedDefs.length).toBeGreaterThan(0);
    const name = pinnedDefs[0]!.name;
    try {
      const first = loadObject(fixture('sections'), { name: 'sections', pinRoot, programs: ['p_xdp'] });
      const m1 = first.maps.get(name)!;
      const id = m1.info().id;
      const key = new Uint8Array(m1.keySize);
      m1.update(key, new Uint8Array(m1.valueSize).fill(9));
      first.close();
      expect(existsSync(join(pinRoot, name))).toBe(true);
      const second = loadObject(fixture('sections'), { name: 'sections', pinRoot, programs: ['p_xdp'] });
      try {
        expect(second.reusedPins).toEqual([name]);
        const m2 = second.maps.get(name)!;
        expect(m2.info().id).toBe(id);
        expect(Array.from(m2.lookup(key)!)).toEqual(new Array(m2.valueSize).fill(9));
      } finally {
        second.close();
      }
    } finally {
      rmSync(pinRoot, { recursive: true, force: true });
    }
  }, 60_000);

  it('core.o: CO-RE relocations against the running kernel load like libbpf', (ctx) => {
    needKernel(ctx);
    needOracle(ctx, 'bpftool');
    const theirs = libbpfLoad('core');
    try {
      const ours = loadObject(fixture('core'), { name: 'core' });
      expect([...ours.programs.keys()].sort()).toEqual(['on_sys_enter', 'probe_skb', 'probe_unlink']);
      ours.close();
    } finally {
      theirs.cleanup();
    }
  }, 60_000);

  it('legacy.o: the verifier rejection names the C source line; nothing stays loaded', (ctx) => {
    needKernel(ctx);
    let err: unknown;
    try {
      loadObject(fixture('legacy'), { name: 'legacy' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VerifierError);
    const v = err as VerifierError;
    expect(v.source?.file).toMatch(/legacy\.c$/);
    expect(v.source?.text).toContain('bpf_map_lookup_elem(&legacy_hash, &k)');
    expect(v.errorLines.join(' ')).toMatch(/invalid read from stack/);
  });

  it('an unknown program name is a clear error', (ctx) => {
    needKernel(ctx);
    expect(() => loadObject(fixture('globals'), { name: 'globals', programs: ['nope'] })).toThrow(ObjectLoadError);
  });
});
