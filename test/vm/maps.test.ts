// Map semantics: each VM map type against the kernel's map of the same type, driven through
// the same random sequence of userspace updates, deletes and lookups (flags, errors, LPM
// matching, per-CPU layout), plus the program-side behaviour the kernel cannot show
// deterministically (LRU eviction order) and the redirect/prog_array/ringbuf maps.
import { describe, expect, it } from 'vitest';
import * as d from '../../src/asm/dsl/index.js';
import { BpfMap, Program, possibleCpus } from '../../src/loader/index.js';
import { createMap, hex, runXdp, ProgArrayMap, prepareProgram, type MapSpec, type VmMap } from '../../src/vm/index.js';
import { needKernel } from '../support/env.js';
import { rng } from './support/rng.js';
import { kernelDelete } from './support/both.js';

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
};

type Op = { kind: 'update'; key: Uint8Array; value: Uint8Array; flags: number } | { kind: 'delete' | 'lookup'; key: Uint8Array };

function genOps(spec: MapSpec, seed: number, n: number, valueBytes: number): Op[] {
  const g = rng(seed);
  const ops: Op[] = [];
  const key = (): Uint8Array => {
    if (spec.type === 'lpm_trie') {
      const k = new Uint8Array(spec.keySize);
      new DataView(k.buffer).setUint32(0, g.pick([0, 8, 12, 16, 24, 31, 32, 33]), true);
      k.set([10, g.pick([0, 1, 128]), g.int(4), g.int(3)], 4);
      return k;
    }
    if (spec.keySize === 4) return u32(g.int(spec.maxEntries + 2));
    const k = new Uint8Array(spec.keySize);
    k[0] = g.int(12);
    return k;
  };
  for (let i = 0; i < n; i++) {
    const r = g.int(10);
    if (r < 5) {
      const value = new Uint8Array(valueBytes);
      for (let j = 0; j < valueBytes; j++) value[j] = g.int(256);
      ops.push({ kind: 'update', key: key(), value, flags: g.pick([0, 0, 1, 2, 4]) });
    } else if (r < 7) ops.push({ kind: 'delete', key: key() });
    else ops.push({ kind: 'lookup', key: key() });
  }
  return ops;
}

const errnoOf = (e: unknown): string => {
  const named = (e as { errnoName?: unknown }).errnoName;
  if (typeof named === 'string') return named;
  const m = /: (E[A-Z0-9]+)\b/.exec((e as Error).message);
  return m ? m[1]! : (e as Error).message;
};

function applyVm(m: VmMap, op: Op): string {
  try {
    if (op.kind === 'update') { m.set(op.key, op.value, op.flags); return 'ok'; }
    if (op.kind === 'delete') return String(m.remove(op.key));
    const v = m.get(op.key);
    return v === undefined ? 'none' : hex(v);
  } catch (e) {
    return errnoOf(e);
  }
}

function applyKernel(m: BpfMap, op: Op): string {
  try {
    if (op.kind === 'update') { m.update(op.key, op.value, op.flags); return 'ok'; }
    if (op.kind === 'delete') return kernelDelete(m, op.key);
    const v = m.lookup(op.key);
    return v === undefined ? 'none' : hex(v);
  } catch (e) {
    return errnoOf(e);
  }
}

const SPECS: ReadonlyArray<readonly [string, MapSpec]> = [
  ['hash', { type: 'hash', keySize: 8, valueSize: 12, maxEntries: 6 }],
  ['array', { type: 'array', keySize: 4, valueSize: 12, maxEntries: 6 }],
  ['lru_hash (no eviction pressure)', { type: 'lru_hash', keySize: 8, valueSize: 8, maxEntries: 64 }],
  ['lpm_trie', { type: 'lpm_trie', keySize: 8, valueSize: 8, maxEntries: 16, flags: 1 }],
  ['percpu_array', { type: 'percpu_array', keySize: 4, valueSize: 12, maxEntries: 4 }],
  ['percpu_hash', { type: 'percpu_hash', keySize: 8, valueSize: 4, maxEntries: 6 }],
];

describe('userspace map operations agree with the kernel', () => {
  it.for(SPECS)('%s', ([, spec], ctx) => {
    needKernel(ctx);
    const cpus = possibleCpus();
    const vm = createMap({ ...spec, cpus });
    const k = BpfMap.create({ type: spec.type, keySize: spec.keySize, valueSize: spec.valueSize, maxEntries: spec.maxEntries, flags: spec.flags ?? 0 });
    try {
      const ops = genOps(spec, 42, 400, k.valueBytes);
      ops.forEach((op, i) => {
        expect(applyVm(vm, op), `op ${i} ${op.kind} ${hex(op.key)}${op.kind === 'update' ? ` flags ${op.flags}` : ''}`).toBe(applyKernel(k, op));
      });
    } finally {
      k.close();
    }
  });
});


/** lookup(key) from a program: returns the u32 at the value's start, or 0xffffffff when absent. */
function readKeyProgram(map: string, key: number) {
  return [
    d.storeImm('u32', d.r10, -4, key), d.ldMap(d.r1, map), d.mov(d.r2, d.r10), d.add(d.r2, -4), d.call('map_lookup_elem'),
    d.mov32(d.r1, -1), d.jeq(d.r0, 0, 1), d.ldxw(d.r1, d.r0, 0), d.mov(d.r0, d.r1), d.exit(),
  ];
}

describe('program-side map behaviour', () => {
  it('lru_hash evicts the least recently used entry', () => {
    const m = createMap({ type: 'lru_hash', keySize: 4, valueSize: 4, maxEntries: 3, name: 'lru' });
    for (const k of [1, 2, 3]) m.set(u32(k), u32(k * 10));
    expect(runXdp(readKeyProgram('lru', 1), new Uint8Array(64), { maps: { lru: m } }).retval).toBe(10); // touch 1
    m.set(u32(4), u32(40)); // evicts 2, the least recently used
    expect(m.get(u32(2))).toBeUndefined();
    expect([1, 3, 4].map((k) => m.get(u32(k)) !== undefined)).toEqual([true, true, true]);
  });

  it('hash full: -E2BIG from the program', () => {
    const m = createMap({ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 1, name: 'h' });
    m.set(u32(1), u32(1));
    const prog = [
      d.storeImm('u32', d.r10, -4, 2), d.storeImm('u32', d.r10, -8, 7), d.ldMap(d.r1, 'h'), d.mov(d.r2, d.r10), d.add(d.r2, -4),
      d.mov(d.r3, d.r10), d.add(d.r3, -8), d.mov(d.r4, 0), d.call('map_update_elem'), d.exit(),
    ];
    const r = runXdp(prog, new Uint8Array(64), { maps: { h: m } });
    expect(r.r0).toBe(BigInt.asUintN(64, -7n));
    expect(r.mapChanges).toEqual([]);
  });

  it('per-CPU maps: the program sees its own CPU\'s slot', () => {
    const m = createMap({ type: 'percpu_array', keySize: 4, valueSize: 4, maxEntries: 1, cpus: 4, name: 'pc' });
    const all = new Uint8Array(32);
    for (let c = 0; c < 4; c++) all.set(u32(100 + c), c * 8);
    m.set(u32(0), all);
    for (let cpu = 0; cpu < 4; cpu++) {
      expect(runXdp(readKeyProgram('pc', 0), new Uint8Array(64), { maps: { pc: m }, cpu }).retval).toBe(100 + cpu);
    }
  });

  it('lpm_trie: longest prefix wins', () => {
    const m = createMap({ type: 'lpm_trie', keySize: 8, valueSize: 4, maxEntries: 8, flags: 1, name: 'lpm' });
    const key = (len: number, a: number, b: number, c: number, dd: number): Uint8Array => Uint8Array.from([...u32(len), a, b, c, dd]);
    m.set(key(8, 10, 0, 0, 0), u32(8));
    m.set(key(16, 10, 1, 0, 0), u32(16));
    m.set(key(24, 10, 1, 2, 0), u32(24));
    expect(m.get(key(32, 10, 1, 2, 3))).toEqual(u32(24));
    expect(m.get(key(32, 10, 1, 3, 3))).toEqual(u32(16));
    expect(m.get(key(32, 10, 2, 3, 3))).toEqual(u32(8));
    expect(m.get(key(32, 11, 1, 2, 3))).toBeUndefined();
    expect(m.get(key(12, 10, 1, 2, 3))).toEqual(u32(8)); // the key's own prefix length limits the match
  });

  it('prog_array: tail calls run the target, a missing slot falls through', () => {
    const pa = createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 4, name: 'jmp' }) as ProgArrayMap<unknown>;
    pa.setProgram(1, prepareProgram([d.mov(d.r0, 3), d.exit()]));
    const caller = (idx: number) => [d.ldMap(d.r2, 'jmp'), d.mov(d.r3, idx), d.call('tail_call'), d.mov(d.r0, 1), d.exit()];
    expect(runXdp(caller(1), new Uint8Array(64), { maps: { jmp: pa } }).action).toBe('XDP_TX');
    expect(runXdp(caller(2), new Uint8Array(64), { maps: { jmp: pa } }).action).toBe('XDP_DROP');
  });

  it('prog_array: at most 33 tail calls', () => {
    const pa = createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 1, name: 'jmp' }) as ProgArrayMap<unknown>;
    const counter = createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1, name: 'cnt' });
    // Each run bumps the counter and tail-calls itself.
    const self = prepareProgram([
      d.mov(d.r6, d.r1), d.ldMapValue(d.r1, 'cnt'), d.mov(d.r2, 1), d.atomicAdd('u64', d.r1, 0, d.r2),
      d.mov(d.r1, d.r6), d.ldMap(d.r2, 'jmp'), d.mov(d.r3, 0), d.call('tail_call'), d.mov(d.r0, 2), d.exit(),
    ], { maps: { jmp: pa, cnt: counter } });
    pa.setProgram(0, self);
    expect(runXdp(self, new Uint8Array(64)).action).toBe('XDP_PASS');
    expect(new DataView(counter.get(u32(0))!.buffer).getBigUint64(0, true)).toBe(34n); // first run + 33 tail calls
  });

  it('devmap / xskmap / cpumap: redirect_map records the target or returns the fallback action', () => {
    for (const type of ['devmap', 'xskmap', 'cpumap', 'devmap_hash'] as const) {
      const m = createMap({ type, keySize: 4, valueSize: 4, maxEntries: 8, name: 'tx' });
      m.set(u32(3), u32(7));
      const prog = (key: number, flags: number) => [d.ldMap(d.r1, 'tx'), d.mov(d.r2, key), d.mov(d.r3, flags), d.call('redirect_map'), d.exit()];
      const hit = runXdp(prog(3, 0), new Uint8Array(64), { maps: { tx: m } });
      expect(hit.action).toBe('XDP_REDIRECT');
      expect(hit.redirect).toEqual({ kind: 'map', map: 'tx', mapType: type, key: 3, value: 7 });
      expect(runXdp(prog(4, 2), new Uint8Array(64), { maps: { tx: m } }).action).toBe('XDP_PASS');
      expect(runXdp(prog(4, 0), new Uint8Array(64), { maps: { tx: m } }).action).toBe('XDP_ABORTED');
    }
  });

  it('redirect_map agrees with the kernel on devmap hits and misses', (ctx) => {
    needKernel(ctx);
    const k = BpfMap.create({ type: 'devmap', keySize: 4, valueSize: 4, maxEntries: 8, name: 'tx' });
    try {
      k.update(u32(3), u32(1)); // lo
      const vm = createMap({ type: 'devmap', keySize: 4, valueSize: 4, maxEntries: 8, name: 'tx' });
      vm.set(u32(3), u32(1));
      for (const [key, flags] of [[3, 0], [4, 0], [4, 1], [4, 2], [4, 3], [3, 2]] as const) {
        const insns = [d.ldMap(d.r1, 'tx'), d.mov(d.r2, key), d.mov(d.r3, flags), d.call('redirect_map'), d.exit()];
        const prog = Program.load({ type: 'xdp', insns, maps: { tx: k } });
        try {
          const kr = prog.testRun({ data: new Uint8Array(64) }).retval;
          expect(runXdp(insns, new Uint8Array(64), { maps: { tx: vm } }).retval, `key ${key} flags ${flags}`).toBe(kr);
        } finally {
          prog.close();
        }
      }
    } finally {
      k.close();
    }
  });
});
