// probe's refusals: an unknown --helpers-for program type is bad usage (exit 2, checked before
// anything is probed), and a process that may not load even the simplest program gets exit 3
// with the errno and a hint — not a profile of "ISA v1, no program types", and no --save file.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TypeNameError } from '../../src/loader/names.js';
import { checkProbeAccess, PROBE_PROG_TYPES, probeAll, probeProgTypeName } from '../../src/loader/probe.js';
import { REPO_ROOT, runBpfTs } from '../support/cli.js';
import { needKernel, needOracle } from '../support/env.js';

const tmp = mkdtempSync(join(tmpdir(), 'bpf-ts-probe-'));
// Writable by anyone, so that a run as another user could write a profile here if it tried.
chmodSync(tmp, 0o777);

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const asNobody = (args: readonly string[]): { code: number | null; stdout: string; stderr: string } => {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(REPO_ROOT, 'bin/bpf-ts.cjs'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('probe program type names', () => {
  it('knows the kernel program types by their lowercase names, without unspec', () => {
    expect(PROBE_PROG_TYPES).toContain('xdp');
    expect(PROBE_PROG_TYPES).toContain('sched_cls');
    expect(PROBE_PROG_TYPES).toContain('socket_filter');
    expect(PROBE_PROG_TYPES).not.toContain('unspec');
  });

  it('normalises spellings and refuses others with TypeNameError (exit 2) naming the valid types', () => {
    expect(probeProgTypeName('XDP')).toBe('xdp');
    expect(probeProgTypeName(' sched-cls ')).toBe('sched_cls');
    for (const bad of ['bogus', '', 'unspec']) {
      let err: unknown;
      try {
        probeProgTypeName(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TypeNameError);
      expect((err as TypeNameError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(/known: socket_filter, .*xdp.*sched_cls|known: socket_filter, .*sched_cls.*xdp/);
    }
  });

  it('probeAll refuses an unknown helper program type', () => {
    expect(() => probeAll({ helperProgTypes: ['xdp', 'bogus'] })).toThrow(TypeNameError);
  });
});

describe('bpf-ts probe --helpers-for', () => {
  for (const [i, bad] of ['bogus', '', 'xdp,bogus', ' , '].entries()) {
    it(`--helpers-for ${JSON.stringify(bad)}: exit 2, one line naming the valid program types, nothing saved`, () => {
      const file = join(tmp, `bad-${i}.json`);
      const r = runBpfTs(['probe', '--helpers-for', bad, '--save', file]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/--helpers-for/);
      expect(lines[0]).toMatch(/known: socket_filter, kprobe, sched_cls/);
      expect(existsSync(file)).toBe(false);
    });
  }

  it('as root, other spellings of a type probe its helpers under the profile name', (ctx) => {
    needKernel(ctx);
    const r = runBpfTs(['probe', '--helpers-for', 'XDP,sched-cls', '--json']);
    expect(r.code).toBe(0);
    const profile = JSON.parse(r.stdout) as { helpers: Record<string, string[]> };
    expect(Object.keys(profile.helpers).sort()).toEqual(['sched_cls', 'xdp']);
    expect(profile.helpers.xdp).toContain('xdp_adjust_head');
  }, 60_000);
});

describe('bpf-ts probe without the privilege to load programs', () => {
  it('as root, the access check passes', (ctx) => {
    needKernel(ctx);
    expect(() => checkProbeAccess()).not.toThrow();
  });

  it('as another user: exit 3 with EPERM and what to do; --save writes nothing', (ctx) => {
    needKernel(ctx);
    needOracle(ctx, 'setpriv');
    const file = join(tmp, 'nobody-profile.json');
    const r = asNobody(['probe', '--save', file]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^bpf-ts: BPF_PROG_LOAD \(probe socket_filter, the simplest program\) failed: (EPERM|EACCES): .*run as root/);
    expect(existsSync(file)).toBe(false);
  });

  it('as another user, a bad --helpers-for is still bad usage (checked before the kernel is asked)', (ctx) => {
    needKernel(ctx);
    needOracle(ctx, 'setpriv');
    const r = asNobody(['probe', '--helpers-for', 'bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--helpers-for: unknown program type "bogus" \(known: /);
  });

  it('as another user with --json: exit 3, no JSON profile on stdout', (ctx) => {
    needKernel(ctx);
    needOracle(ctx, 'setpriv');
    const r = asNobody(['probe', '--json']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/EPERM|EACCES/);
  });
});
