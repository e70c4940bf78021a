// The struct codec's layout against clang's (the C compiler decides what C layout is), and
// encode/decode round trips.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needOracle } from '../support/env.js';
import type { BtfType } from '../../src/btf/btf-types.js';
import { array, be16, be32, decode, encode, i16, i64, schemaToBtf, SchemaError, struct, sumValues, u16, u32, u64, u8 } from '../../src/xdp/index.js';

const inner = struct({ x: u16, y: u8 }, 'inner');
const outer = struct({ a: u8, b: u64, c: be16, d: array(u32, 3), e: inner, f: u8, g: i16, h: be32, i: array(u8, 5), j: i64 }, 'outer');

const C_SOURCE = `
typedef unsigned short __be16; typedef unsigned int __be32;
struct inner { unsigned short x; unsigned char y; };
struct outer { unsigned char a; unsigned long long b; __be16 c; unsigned int d[3]; struct inner e; unsigned char f; short g; __be32 h; unsigned char i[5]; long long j; };
struct outer the_outer;
`;

/** struct name → { size, members: name → bit offset } from `bpftool btf dump ... format raw`. */
function clangLayouts(bpftool: string, clang: string): Map<string, { size: number; members: Map<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bpfts-schema-'));
  try {
    writeFileSync(join(dir, 'x.c'), C_SOURCE);
    const cc = spawnSync(clang, ['-target', 'bpf', '-g', '-O2', '-c', join(dir, 'x.c'), '-o', join(dir, 'x.o')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(cc.stderr);
    const dump = spawnSync(bpftool, ['btf', 'dump', 'file', join(dir, 'x.o'), 'format', 'raw'], { encoding: 'utf8' });
    if (dump.status !== 0) throw new Error(dump.stderr);
    const out = new Map<string, { size: number; members: Map<string, number> }>();
    let cur: { size: number; members: Map<string, number> } | undefined;
    for (const line of dump.stdout.split('\n')) {
      const s = /STRUCT '(\w+)' size=(\d+)/.exec(line);
      if (s) {
        cur = { size: Number(s[2]), members: new Map() };
        out.set(s[1]!, cur);
        continue;
      }
      const m = /^\s+'(\w+)' type_id=\d+ bits_offset=(\d+)/.exec(line);
      if (m && cur) cur.members.set(m[1]!, Number(m[2]));
      else if (!line.startsWith('\t') && !line.startsWith(' ')) cur = undefined;
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('struct layout', () => {
  it('matches clang (offsets, sizes, padding)', (ctx) => {
    const clang = needOracle(ctx, 'clang-14');
    const bpftool = needOracle(ctx, 'bpftool');
    const layouts = clangLayouts(bpftool, clang);
    for (const s of [inner, outer]) {
      const c = layouts.get(s.name)!;
      expect(c, s.name).toBeDefined();
      expect(s.size).toBe(c.size);
      expect(new Map(s.layout.map((f) => [f.name, f.offset * 8]))).toEqual(c.members);
    }
  });

  it('generates BTF with the same members, sizes and offsets', () => {
    const types: BtfType[] = [];
    const id = schemaToBtf(outer, (t) => types.push(t));
    const t = types[id - 1]!;
    expect(t.kind).toBe('struct');
    if (t.kind !== 'struct') return;
    expect(t.size).toBe(outer.size);
    expect(t.members.map((m) => [m.name, m.bitOffset])).toEqual(outer.layout.map((f) => [f.name, f.offset * 8]));
    const c = types[t.members[2]!.type - 1]!;
    expect(c.kind === 'typedef' && c.name).toBe('__be16');
    const d = types[t.members[3]!.type - 1]!;
    expect(d.kind === 'array' && d.nelems).toBe(3);
  });
});

describe('codec', () => {
  it('encodes little-endian host fields and big-endian network fields at their offsets', () => {
    const v = { a: 1, b: 0x0102030405060708n, c: 0x1234, d: [1, 2, 3], e: { x: 0xabcd, y: 9 }, f: 255, g: -2, h: 0xc6120001, i: Uint8Array.from([1, 2, 3, 4, 5]), j: -5n };
    const bytes = encode(outer, v);
    expect(bytes.length).toBe(outer.size);
    const dv = new DataView(bytes.buffer);
    expect(dv.getBigUint64(8, true)).toBe(0x0102030405060708n);
    expect(dv.getUint16(16, false)).toBe(0x1234);
    expect(dv.getUint32(outer.layout.find((f) => f.name === 'h')!.offset, false)).toBe(0xc6120001);
    expect(decode(outer, bytes)).toEqual(v);
  });

  it('refuses values that do not fit, and missing fields', () => {
    expect(() => encode(u8, 256)).toThrow(SchemaError);
    expect(() => encode(i16, -40000)).toThrow(SchemaError);
    expect(() => encode(inner, { x: 1 } as never)).toThrow(/missing/);
    expect(() => encode(array(u8, 4), Uint8Array.from([1, 2]))).toThrow(SchemaError);
    expect(() => decode(outer, new Uint8Array(3))).toThrow(SchemaError);
  });

  it('sums per-CPU values field by field', () => {
    const s = struct({ p: u64, q: u32 });
    expect(sumValues(s, { p: 1n, q: 2 }, { p: 10n, q: 20 })).toEqual({ p: 11n, q: 22 });
  });
});
