// The CLI's EPERM/EACCES hints as root: refusals that privilege cannot fix (a frozen map, a
// path that is not on bpffs, a program type this kernel does not enable) must not tell root
// to "run as root". As another user the hint still says to (see also cli.test.ts).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BpfMap } from '../../src/loader/map.js';
import { REPO_ROOT, runBpfTs } from '../support/cli.js';
import { needKernel, needOracle } from '../support/env.js';

const pinDir = `/sys/fs/bpf/bpf-ts-test-hints-${process.pid}`;
const tmp = mkdtempSync(join(tmpdir(), 'bpf-ts-hints-'));
const notBpffs = join(tmp, 'not-a-pin');
writeFileSync(notBpffs, 'plain file\n');
chmodSync(tmp, 0o755);
chmodSync(notBpffs, 0o644);

afterAll(() => {
  rmSync(pinDir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

const asNobody = (args: readonly string[]): { code: number | null; stdout: string; stderr: string } => {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(REPO_ROOT, 'bin/bpf-ts.cjs'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** A frozen array map (as libbpf freezes .rodata), pinned; returns the pin path. */
function frozenMap(): string {
  const path = join(pinDir, 'frozen');
  using m = BpfMap.create({ type: 'ARRAY', keySize: 4, valueSize: 4, maxEntries: 1, name: 'frozen' });
  m.freeze();
  m.pin(path);
  return path;
}

describe('EPERM/EACCES hints from the CLI', () => {
  it('as root, map update on a frozen map: exit 3, EPERM, says the map is read-only, not "run as root"', (ctx) => {
    needKernel(ctx);
    const r = runBpfTs(['map', 'update', '--pinned', frozenMap(), '--key', '00 00 00 00', '--value', '01 00 00 00']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/EPERM: the map is read-only from userspace: frozen/);
    expect(r.stderr).not.toMatch(/run as root/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('as root, attach --pinned a file that is not on bpffs: exit 3, EACCES, not a bpffs file', (ctx) => {
    needKernel(ctx);
    const r = runBpfTs(['attach', '--dev', 'lo', '--pinned', notBpffs]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/EACCES: permission denied: not a bpffs file, or the file's permissions/);
    expect(r.stderr).not.toMatch(/run as root/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('as root, load of an object whose program type the kernel refuses with EPERM: not "run as root"', (ctx) => {
    needKernel(ctx);
    // sections.o has an lsm/ program: EPERM unless this kernel was booted with BPF LSM enabled.
    const r = runBpfTs(['load', join(REPO_ROOT, 'test/fixtures/obj/sections.o')]);
    if (!/EPERM/.test(r.stderr)) ctx.skip(`this kernel did not refuse sections.o with EPERM (exit ${r.code})`);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/EPERM: refused even with root: /);
    expect(r.stderr).not.toMatch(/run as root/);
  });

  it('as another user, the same refusals still say "run as root"', (ctx) => {
    needKernel(ctx);
    needOracle(ctx, 'setpriv');
    const r = asNobody(['attach', '--dev', 'lo', '--pinned', notBpffs]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/EACCES: permission denied: run as root/);
    const l = asNobody(['load', join(REPO_ROOT, 'test/fixtures/obj/sections.o')]);
    expect(l.code).toBe(3);
    expect(l.stderr).toMatch(/EPERM: run as root or grant CAP_BPF and CAP_NET_ADMIN/);
  });
});
