// `bpf-ts test-run --vm` prints the same JSON as the kernel path, on clang objects.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBpfTs } from '../support/cli.js';
import { needKernel } from '../support/env.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfts-testrun-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function packet(seed: number, length: number): string {
  const bytes = new Uint8Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) bytes[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  // An IPv4/UDP-looking Ethernet header, so parsers take their longer paths.
  bytes.set([0x08, 0x00], 12);
  if (length > 23) bytes[14] = 0x45, bytes[23] = 17;
  const file = join(dir, `pkt-${seed}-${length}.bin`);
  writeFileSync(file, bytes);
  return file;
}

const CASES: ReadonlyArray<readonly [string, string]> = [
  ['globals.o', 'read_globals'],
  ['subprogs.o', 'first'],
  ['subprogs.o', 'second'],
  ['tailcall.o', 'dispatch'],
];

describe('test-run --vm agrees with the kernel', () => {
  for (const [object, prog] of CASES) it(`${object} ${prog}`, (ctx) => {
    needKernel(ctx);
    for (const [seed, length] of [[1, 64], [2, 14], [3, 128]] as const) {
      const data = packet(seed, length);
      const args = ['test-run', `test/fixtures/obj/${object}`, '--prog', prog, '--data', data, '--json'];
      const kernel = runBpfTs(args);
      const vm = runBpfTs([...args, '--vm']);
      expect(kernel.stderr).toBe('');
      expect(vm.stderr).toBe('');
      const k = JSON.parse(kernel.stdout) as Record<string, unknown>;
      const v = JSON.parse(vm.stdout) as Record<string, unknown>;
      delete k.duration;
      delete v.duration;
      expect(v).toEqual(k);
    }
  });

  it('--vm without an object is a usage error', () => {
    const r = runBpfTs(['test-run', '--pinned', '/sys/fs/bpf/nothing', '--data', '/dev/null', '--vm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--vm needs IN\.o/);
  });

  it('--vm runs the only program of an object without --prog, as the kernel path does; with several it asks', () => {
    const data = packet(4, 64);
    const obj = join(dir, 'one.o');
    expect(runBpfTs(['build', 'examples/drop-udp-port.ts', '-o', obj]).code).toBe(0);
    const r = runBpfTs(['test-run', obj, '--data', data, '--vm', '--json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ program: 'drop_udp', verdict: 'XDP_PASS' });
    const shortPacket = join(dir, 'short.bin');
    writeFileSync(shortPacket, new Uint8Array(13));
    const short = runBpfTs(['test-run', obj, '--data', shortPacket, '--vm']); // the kernel: EINVAL
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/13 bytes is shorter than an Ethernet header/);
    const several = runBpfTs(['test-run', 'test/fixtures/obj/subprogs.o', '--data', data, '--vm']);
    expect(several.code).toBe(2);
    expect(several.stderr).toMatch(/has 3 programs \(first, second, third\): name one/);
  });
});
