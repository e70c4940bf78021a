// Maps on the real kernel, checked against bpftool's view of the same (pinned) map.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfMap, ClosedError, MapSizeError, possibleCpus } from '../../src/loader/index.js';
import { BpfError } from '../../src/sys/index.js';
import { needKernel, needOracle } from '../support/env.js';

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};
const u64 = (n: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromBpftool = (bytes: string[]): string => bytes.map((x) => x.replace(/^0x/, '').padStart(2, '0')).join('');

function bpftoolDump(pin: string): { key: string[]; value?: string[]; values?: { cpu: number; value: string[] }[] }[] {
  const r = spawnSync('bpftool', ['-j', 'map', 'dump', 'pinned', pin], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe('BpfMap', () => {
  it('hash map: update flags, lookup, delete, iteration agree with bpftool map dump', (ctx) => {
    needKernel(ctx);
    needOracle(ctx, 'bpftool');
    const pin = `/sys/fs/bpf/bpf-ts-test-map-${process.pid}`;
    using map = BpfMap.create({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16, name: 'test_hash' });
    map.pin(pin);
    try {
      for (let i = 0; i < 5; i++) map.update(u32(i), u64(BigInt(i * 1000)));
      expect(() => map.update(u32(1), u64(1n), 'noexist')).toThrow(BpfError);
      expect(() => map.update(u32(99), u64(1n), 'exist')).toThrow(BpfError);
      map.update(u32(2), u64(4242n), 'exist');
      expect(map.delete(u32(4))).toBe(true);
      expect(map.delete(u32(4))).toBe(false);
      expect(map.lookup(u32(4))).toBeUndefined();
      expect(hex(map.lookup(u32(2))!)).toBe(hex(u64(4242n)));

      const ours = new Map([...map.entries()].map(([k, v]) => [hex(k), hex(v)]));
      const theirs = new Map(bpftoolDump(pin).map((e) => [fromBpftool(e.key), fromBpftool(e.value!)]));
      expect(ours).toEqual(theirs);
      expect(ours.size).toBe(4);

      // bpftool writes, we read.
      spawnSync('bpftool', ['map', 'update', 'pinned', pin, 'key', '7', '0', '0', '0', 'value', '1', '2', '3', '4', '5', '6', '7', '8'], { timeout: 20_000 });
      expect(Array.from(map.lookup(u32(7))!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

      expect(hex(map.lookupAndDelete(u32(7))!)).toBe('0102030405060708');
      expect(map.lookup(u32(7))).toBeUndefined();
    } finally {
      rmSync(pin, { force: true });
    }
  });

  it('batch update / lookup / delete', (ctx) => {
    needKernel(ctx);
    using map = BpfMap.create({ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 1000 });
    const keys = Array.from({ length: 700 }, (_, i) => u32(i));
    const values = Array.from({ length: 700 }, (_, i) => u32(i * 7));
    expect(map.updateBatch(keys, values)).toBe(700);
    const got = map.lookupBatch({ chunk: 64 });
    expect(got.keys.length).toBe(700);
    const m = new Map(got.keys.map((k, i) => [new DataView(k.buffer).getUint32(0, true), new DataView(got.values[i]!.buffer).getUint32(0, true)]));
    for (let i = 0; i < 700; i++) expect(m.get(i)).toBe(i * 7);
    expect(map.deleteBatch(keys.slice(0, 300))).toBe(300);
    expect([...map.keys()].length).toBe(400);
    const drained = map.lookupBatch({ andDelete: true });
    expect(drained.keys.length).toBe(400);
    expect(map.nextKey()).toBeUndefined();
  });

  it('lookupBatch with a chunk smaller than a hash bucket still returns every element', (ctx) => {
    needKernel(ctx);
    using map = BpfMap.create({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 1000 });
    const keys = Array.from({ length: 1000 }, (_, i) => u32(i));
    expect(map.updateBatch(keys, keys.map((_, i) => u64(BigInt(i))))).toBe(1000);
    for (const chunk of [1, 2, 3]) expect(map.lookupBatch({ chunk }).keys.length, `chunk ${chunk}`).toBe(1000);
    expect(() => map.lookupBatch({ chunk: Number.NaN })).toThrow(MapSizeError);
  });

  it('every operation on a closed map is ClosedError (the native buffers are gone)', (ctx) => {
    needKernel(ctx);
    const map = BpfMap.create({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16 });
    map.update(u32(1), u64(1n));
    map.close();
    const ops: [string, () => unknown][] = [
      ['lookup', () => map.lookup(u32(1))], ['lookupInto', () => map.lookupInto(u32(1), new Uint8Array(8))],
      ['update', () => map.update(u32(1), u64(2n))], ['delete', () => map.delete(u32(1))],
      ['lookupAndDelete', () => map.lookupAndDelete(u32(1))], ['nextKey', () => map.nextKey()], ['keys', () => [...map.keys()]],
      ['updateBatch', () => map.updateBatch([u32(1)], [u64(1n)])], ['deleteBatch', () => map.deleteBatch([u32(1)])],
      ['lookupBatch', () => map.lookupBatch()], ['updateBatchRaw', () => map.updateBatchRaw(0n, 0n, 1)], ['info', () => map.info()],
    ];
    for (const [name, op] of ops) expect(op, name).toThrow(ClosedError);
  });

  it('per-CPU array values: one 8-byte-aligned slot per possible CPU, as bpftool shows', (ctx) => {
    needKernel(ctx);
    needOracle(ctx, 'bpftool');
    const cpus = possibleCpus();
    const pin = `/sys/fs/bpf/bpf-ts-test-pcpu-${process.pid}`;
    using map = BpfMap.create({ type: 'percpu_array', keySize: 4, valueSize: 4, maxEntries: 2 });
    expect(map.valueBytes).toBe(cpus * 8);
    map.pin(pin);
    try {
      map.updatePerCpu(u32(1), Array.from({ length: cpus }, (_, c) => u32(100 + c)));
      const per = map.lookupPerCpu(u32(1))!;
      expect(per.map((v) => new DataView(v.buffer).getUint32(0, true))).toEqual(Array.from({ length: cpus }, (_, c) => 100 + c));
      const entry = bpftoolDump(pin).find((e) => fromBpftool(e.key) === hex(u32(1)))!;
      expect(entry.values!.map((v) => fromBpftool(v.value))).toEqual(per.map(hex));
    } finally {
      rmSync(pin, { force: true });
    }
  });

  it('queue: push, peek, pop without keys', (ctx) => {
    needKernel(ctx);
    using q = BpfMap.create({ type: 'queue', keySize: 0, valueSize: 4, maxEntries: 4 });
    q.update(undefined, u32(1));
    q.update(undefined, u32(2));
    expect(hex(q.lookup()!)).toBe(hex(u32(1)));
    expect(hex(q.lookupAndDelete()!)).toBe(hex(u32(1)));
    expect(hex(q.lookupAndDelete()!)).toBe(hex(u32(2)));
    expect(q.lookupAndDelete()).toBeUndefined();
  });

  it('freeze makes the map read-only from user space', (ctx) => {
    needKernel(ctx);
    using m = BpfMap.create({ type: 'array', keySize: 4, valueSize: 4, maxEntries: 1 });
    m.update(u32(0), u32(5));
    m.freeze();
    expect(() => m.update(u32(0), u32(6))).toThrow(BpfError);
    expect(hex(m.lookup(u32(0))!)).toBe(hex(u32(5)));
  });

  it('wrong key or value size is caught before the syscall with a clear message', (ctx) => {
    needKernel(ctx);
    using m = BpfMap.create({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 4 });
    expect(() => m.update(new Uint8Array(3), u64(1n))).toThrow(MapSizeError);
    expect(() => m.update(u32(1), u32(1))).toThrow(/value is 4 bytes, the map's value size is 8/);
    expect(() => m.lookup(new Uint8Array(8))).toThrow(/key is 8 bytes, the map's key size is 4/);
  });

  it('creates every map type the loader supports', (ctx) => {
    needKernel(ctx);
    const simple: [string, number, number, number, number?][] = [
      ['hash', 4, 4, 4], ['array', 4, 4, 4], ['percpu_hash', 4, 4, 4], ['percpu_array', 4, 4, 4],
      ['lru_hash', 4, 4, 4], ['lru_percpu_hash', 4, 4, 4], ['lpm_trie', 8, 4, 4, 1], ['prog_array', 4, 4, 4],
      ['devmap', 4, 4, 4], ['devmap_hash', 4, 4, 4], ['cpumap', 4, 4, 4], ['xskmap', 4, 4, 4],
      ['ringbuf', 0, 0, 4096], ['perf_event_array', 4, 4, 4], ['queue', 0, 4, 4], ['stack', 0, 4, 4], ['bloom_filter', 0, 4, 4],
    ];
    for (const [type, keySize, valueSize, maxEntries, flags] of simple) {
      const m = BpfMap.create({ type, keySize, valueSize, maxEntries, flags: flags ?? 0, name: type });
      expect(m.info().typeName).toBe(type);
      m.close();
    }
    using inner = BpfMap.create({ type: 'array', keySize: 4, valueSize: 4, maxEntries: 1 });
    for (const type of ['array_of_maps', 'hash_of_maps']) {
      using outer = BpfMap.create({ type, keySize: 4, valueSize: 4, maxEntries: 2, innerMapFd: inner.fd });
      outer.update(u32(0), u32(inner.fd));
      expect(new DataView(outer.lookup(u32(0))!.buffer).getUint32(0, true)).toBe(inner.info().id);
    }
  });
});

describe('maps userspace cannot read', () => {
  it('an XSKMAP lookup says so in the error, and its keys still iterate', (ctx) => {
    needKernel(ctx);
    using m = BpfMap.create({ type: 'xskmap', keySize: 4, valueSize: 4, maxEntries: 2, name: 'ro_xsk' });
    let err: unknown;
    try {
      m.lookup(new Uint8Array(4));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BpfError);
    expect((err as BpfError).message).toMatch(/^BPF_MAP_LOOKUP_ELEM \(xskmap map ro_xsk\) failed: (ENOTSUP|EOPNOTSUPP): this map type cannot be read from userspace/);
    expect([...m.keys()].length).toBe(2);
  });
});
