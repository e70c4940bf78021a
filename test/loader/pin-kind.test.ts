// Opening a pin (or wrapping an fd) of the wrong kind: a program pin opened as a map, a map
// pin as a program, a link pin as either, fails with ObjectKindError naming both kinds, closes
// the fd, and the CLI exits 2 with one line. Kinds come from /proc/self/fdinfo.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dsl } from '../../src/asm/index.js';
import { AttachType } from '../../src/elf/bpf-enums.js';
import { BpfMap, expectObjectKind, Link, ObjectKindError, objectKindOf, PinPathError, Program, unpin } from '../../src/loader/index.js';
import { parseFdinfoKind } from '../../src/sys/fdinfo.js';
import { runBpfTs } from '../support/cli.js';
import { kernelUnavailableReason, needKernel } from '../support/env.js';

const { r0, r2, r3, mov, exit, assemble, ldMap, call } = dsl;

const dir = `/sys/fs/bpf/bpf-ts-test-kind-${process.pid}`;
const netns = `bpfts-kind-${process.pid % 100000}`;
const mapPin = join(dir, 'maps', 'counts');
const progArrayPin = join(dir, 'maps', 'jmp');
const progPin = join(dir, 'progs', 'pass');
const linkPin = join(dir, 'links', 'lookup');
const fdCount = (): number => readdirSync('/proc/self/fd').length;

const ip = (args: string[]): { status: number | null; stderr: string } => spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });

interface Made {
  map: BpfMap;
  progArray: BpfMap;
  prog: Program;
  lookup: Program;
  link: Link;
}
let made: Partial<Made> = {};

/** Make the kernel objects and pin them in a fresh directory (only when the kernel is available). */
function setUp(): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  made.map = BpfMap.create({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 4, name: 'counts' });
  made.map.pin(mapPin);
  // A prog_array gets an `owner_prog_type:` line once a program uses it: still a map.
  made.progArray = BpfMap.create({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 1, name: 'jmp' });
  made.progArray.pin(progArrayPin);
  made.prog = Program.load({
    type: 'xdp',
    name: 'pass',
    insns: assemble([ldMap(r2, 'jmp'), mov(r3, 0), call('tail_call'), mov(r0, 2), exit()]).insns,
    maps: { jmp: made.progArray },
  });
  made.prog.pin(progPin);
  // A link that touches nothing else: sk_lookup (SK_PASS) on a namespace of our own.
  const r = ip(['netns', 'add', netns]);
  if (r.status !== 0) throw new Error(`ip netns add ${netns}: ${r.stderr.trim()}`);
  made.lookup = Program.load({ type: 'sk_lookup', expectedAttachType: 'sk_lookup', name: 'lookup', insns: assemble([mov(r0, 1), exit()]).insns });
  const nsFd = openSync(`/run/netns/${netns}`, 'r');
  try {
    made.link = Link.create(made.lookup.fd, nsFd, AttachType.SK_LOOKUP, 0, `netns ${netns}`);
  } finally {
    closeSync(nsFd);
  }
  made.link.pin(linkPin);
}

function tearDown(): void {
  rmSync(dir, { recursive: true, force: true });
  for (const o of [made.link, made.lookup, made.prog, made.progArray, made.map]) o?.close();
  made = {};
  ip(['netns', 'del', netns]);
}

beforeAll(() => {
  if (kernelUnavailableReason() !== undefined) return;
  try {
    setUp();
  } catch (e) {
    tearDown();
    throw e;
  }
});
afterAll(tearDown);

/** The ObjectKindError `fn` throws. */
function kindError(fn: () => unknown): ObjectKindError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ObjectKindError);
    return e as ObjectKindError;
  }
  throw new Error('expected an ObjectKindError, nothing was thrown');
}

describe('fdinfo kinds', () => {
  it('parses the kind line of each BPF fd kind, whole keys only', () => {
    const head = 'pos:\t0\nflags:\t02000002\nmnt_id:\t17\nino:\t1038\n';
    expect(parseFdinfoKind(`${head}map_type:\t3\nkey_size:\t4\nvalue_size:\t4\nmax_entries:\t1\nowner_prog_type:\t6\nowner_jited:\t1\n`)).toBe('map');
    expect(parseFdinfoKind(`${head}prog_type:\t6\nprog_jited:\t1\nprog_tag:\t614b434cd8324ecc\n`)).toBe('prog');
    expect(parseFdinfoKind(`${head}link_type:\tnetns\nlink_id:\t1\nprog_tag:\tb11459a0e11ca14c\nprog_id:\t5\n`)).toBe('link');
    expect(parseFdinfoKind(`${head}btf_id:\t42\n`)).toBe('btf');
    expect(parseFdinfoKind('pos:\t0\nflags:\t02100000\nmnt_id:\t24\nino:\t3\n')).toBe('other');
    expect(parseFdinfoKind('')).toBe('other');
  });

  it('matches /proc/self/fdinfo of real objects (a used prog_array is a map)', (ctx) => {
    needKernel(ctx);
    expect(readFileSync(`/proc/self/fdinfo/${made.progArray!.fd}`, 'utf8')).toMatch(/^owner_prog_type:/m);
    expect(objectKindOf(made.map!.fd)).toBe('map');
    expect(objectKindOf(made.progArray!.fd)).toBe('map');
    expect(objectKindOf(made.prog!.fd)).toBe('prog');
    expect(objectKindOf(made.link!.fd)).toBe('link');
    const plain = openSync('/proc/self/status', 'r');
    try {
      expect(objectKindOf(plain)).toBe('other');
      expect(kindError(() => BpfMap.fromFd(plain)).message).toBe(`fd ${plain} is not a BPF map`);
    } finally {
      closeSync(plain);
    }
    expect(() => expectObjectKind(made.link!.fd, 'link')).not.toThrow();
  });
});

describe('opening a pin of the wrong kind', () => {
  it('BpfMap.fromPinned on a program or link pin throws ObjectKindError and closes the fd', (ctx) => {
    needKernel(ctx);
    const before = fdCount();
    const e = kindError(() => BpfMap.fromPinned(progPin));
    expect(e.message).toBe(`${progPin} is a program, not a map`);
    expect(e.what).toBe(progPin);
    expect(e.expected).toBe('map');
    expect(e.actual).toBe('prog');
    expect(kindError(() => BpfMap.fromPinned(linkPin)).message).toBe(`${linkPin} is a link, not a map`);
    expect(fdCount()).toBe(before);
  });

  it('Program.fromPinned on a map or link pin throws ObjectKindError and closes the fd', (ctx) => {
    needKernel(ctx);
    const before = fdCount();
    const e = kindError(() => Program.fromPinned(mapPin));
    expect(e.message).toBe(`${mapPin} is a map, not a program`);
    expect(e.expected).toBe('prog');
    expect(e.actual).toBe('map');
    expect(kindError(() => Program.fromPinned(progArrayPin)).message).toBe(`${progArrayPin} is a map, not a program`);
    expect(kindError(() => Program.fromPinned(linkPin)).message).toBe(`${linkPin} is a link, not a program`);
    expect(fdCount()).toBe(before);
  });

  it('fromFd checks the kind too; the right kinds still open', (ctx) => {
    needKernel(ctx);
    expect(kindError(() => BpfMap.fromFd(made.prog!.fd)).message).toBe(`fd ${made.prog!.fd} is a program, not a map`);
    expect(kindError(() => Program.fromFd(made.map!.fd)).message).toBe(`fd ${made.map!.fd} is a map, not a program`);
    const before = fdCount();
    {
      using m = BpfMap.fromPinned(mapPin);
      expect(m.info().id).toBe(made.map!.info().id);
      expect(m.keySize).toBe(4);
      using pa = BpfMap.fromPinned(progArrayPin);
      expect(pa.info().typeName).toBe('prog_array');
      using p = Program.fromPinned(progPin);
      expect(p.info().id).toBe(made.prog!.info().id);
      expect(p.name).toBe('pass');
    }
    expect(fdCount()).toBe(before);
  });
});

describe('bpf-ts with a pin of the wrong kind', () => {
  /** Exit 2, nothing on stdout, exactly one line on stderr. */
  function expectRefused(args: string[], line: string): void {
    const r = runBpfTs(args);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 2, stdout: '', stderr: `bpf-ts: ${line}\n` });
  }

  it('map dump / lookup on a program or link pin exit 2 with one line', (ctx) => {
    needKernel(ctx);
    expectRefused(['map', 'dump', '--pinned', progPin], `${progPin} is a program, not a map`);
    expectRefused(['map', 'dump', '--pinned', progPin, '--json'], `${progPin} is a program, not a map`);
    expectRefused(['map', 'lookup', '--pinned', progPin, '--key', '00000000'], `${progPin} is a program, not a map`);
    expectRefused(['map', 'dump', '--pinned', linkPin], `${linkPin} is a link, not a map`);
  });

  it('prog show / dump and test-run on a map or link pin exit 2 with one line', (ctx) => {
    needKernel(ctx);
    expectRefused(['prog', 'show', '--pinned', mapPin], `${mapPin} is a map, not a program`);
    expectRefused(['prog', 'dump', '--pinned', mapPin], `${mapPin} is a map, not a program`);
    expectRefused(['prog', 'show', '--pinned', linkPin], `${linkPin} is a link, not a program`);
    const tmp = mkdtempSync(join(tmpdir(), 'bpf-ts-kind-'));
    try {
      writeFileSync(join(tmp, 'pkt.bin'), new Uint8Array(64));
      expectRefused(['test-run', '--pinned', mapPin, '--data', join(tmp, 'pkt.bin')], `${mapPin} is a map, not a program`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the right kinds still work from the command line', (ctx) => {
    needKernel(ctx);
    const show = runBpfTs(['prog', 'show', '--pinned', progPin, '--json']);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout).id).toBe(made.prog!.info().id);
    const dump = runBpfTs(['map', 'dump', '--pinned', mapPin, '--json']);
    expect(dump.code).toBe(0);
    expect((JSON.parse(dump.stdout) as { entries: unknown[] }).entries).toHaveLength(4);
  });
});

describe('pins outside bpffs', () => {
  it('unpin removes only bpffs pins; Link.fromPinned checks the kind too', (ctx) => {
    needKernel(ctx);
    const tmp = mkdtempSync(join(tmpdir(), 'bpf-ts-unpin-'));
    try {
      const victim = join(tmp, 'victim.txt');
      writeFileSync(victim, 'keep me');
      expect(() => unpin(victim)).toThrow(PinPathError);
      expect(readFileSync(victim, 'utf8')).toBe('keep me');
      expect(() => unpin(join(dir, 'no-such-pin'))).toThrow(/nothing is pinned there/);
      expect(() => Link.fromPinned(mapPin)).toThrow(ObjectKindError);
      expect(() => Link.fromPinned(progPin)).toThrow(ObjectKindError);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('pinFd refuses a path off bpffs before creating anything; load --pin-dir exits 2', (ctx) => {
    needKernel(ctx);
    const tmp = mkdtempSync(join(tmpdir(), 'bpf-ts-notbpffs-'));
    try {
      const map = BpfMap.create({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1, name: 'offfs' });
      try {
        expect(() => map.pin(join(tmp, 'a', 'b', 'm'))).toThrow(PinPathError);
      } finally {
        map.close();
      }
      expect(readdirSync(tmp)).toEqual([]);
      const obj = join(tmp, 'p.o');
      expect(runBpfTs(['build', 'examples/drop-udp-port.ts', '-o', obj]).code).toBe(0);
      const r = runBpfTs(['load', obj, '--pin-dir', join(tmp, 'pins')]);
      expect(r.stderr).toMatch(/^bpf-ts: .*: not on a bpffs mount .*\n$/);
      expect(r.code).toBe(2);
      expect(readdirSync(tmp)).toEqual(['p.o']);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
