// `ip netns exec NS bpf-ts attach …`: the namespace's private /sys has no bpffs, so a pinned
// link would die with the CLI. bpf-ts attaches through netlink instead; the program stays
// attached after the CLI exits and `bpf-ts detach` removes it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';
import { needKernel } from '../support/env.js';

const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8', timeout: 20_000 });
const BIN = join(REPO_ROOT, 'bin/bpf-ts.cjs');

describe('attach inside ip netns exec', () => {
  it('persists after the CLI exits, and detach removes it', (ctx) => {
    needKernel(ctx);
    const ns = `bpfts-attachns-${process.pid}`;
    const dir = mkdtempSync(join(tmpdir(), 'bpfts-attachns-'));
    try {
      expect(ip('netns', 'add', ns).status).toBe(0);
      expect(ip('-n', ns, 'link', 'add', 'ana', 'type', 'veth', 'peer', 'name', 'anb').status).toBe(0);
      expect(ip('-n', ns, 'link', 'set', 'ana', 'up').status).toBe(0);
      const obj = join(dir, 'f.o');
      const build = spawnSync(process.execPath, [BIN, 'build', 'examples/drop-udp-port.ts', '-o', obj], { cwd: REPO_ROOT, encoding: 'utf8' });
      expect(build.stderr).toBe('');
      const attach = spawnSync('ip', ['netns', 'exec', ns, process.execPath, BIN, 'attach', '--dev', 'ana', obj, '--prog', 'drop_udp', '--mode', 'skb', '--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
      expect(attach.status, attach.stderr).toBe(0);
      expect(JSON.parse(attach.stdout).via).toBe('netlink');
      expect(attach.stderr).toMatch(/attaching through netlink/);
      expect(ip('-n', ns, '-d', 'link', 'show', 'ana').stdout).toMatch(/prog\/xdp id \d+/);
      const detach = spawnSync('ip', ['netns', 'exec', ns, process.execPath, BIN, 'detach', '--dev', 'ana'], { cwd: REPO_ROOT, encoding: 'utf8' });
      expect(detach.status, detach.stderr).toBe(0);
      expect(ip('-n', ns, '-d', 'link', 'show', 'ana').stdout).not.toMatch(/prog\/xdp/);
    } finally {
      ip('netns', 'del', ns);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('load --pin-dir inside a private mount namespace', () => {
  it('says that the pins go away with the namespace, and still loads and pins', (ctx) => {
    needKernel(ctx);
    const dir = mkdtempSync(join(tmpdir(), 'bpfts-loadns-'));
    try {
      const obj = join(dir, 'f.o');
      const build = spawnSync(process.execPath, [BIN, 'build', 'examples/drop-udp-port.ts', '-o', obj], { cwd: REPO_ROOT, encoding: 'utf8' });
      expect(build.stderr).toBe('');
      // Like `ip netns exec`, without a network namespace: a new mount namespace in which
      // /sys/fs/bpf is not the host's bpffs (here a tmpfs over it).
      const script = `mount -t tmpfs tmpfs /sys/fs/bpf && "${process.execPath}" "${BIN}" load "${obj}" --pin-dir /sys/fs/bpf/bpfts-loadns --json && ls /sys/fs/bpf/bpfts-loadns/progs`;
      const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/not bpffs in this private mount namespace/);
      expect(r.stdout).toMatch(/drop_udp/);
      // Nothing reached the host's bpffs.
      expect(spawnSync('ls', ['/sys/fs/bpf/bpfts-loadns']).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says nothing in the host namespace', (ctx) => {
    needKernel(ctx);
    const r = spawnSync(process.execPath, [BIN, 'load', '/nonexistent.o', '--pin-dir', '/sys/fs/bpf/bpfts-never'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).not.toMatch(/private mount namespace/);
  });
});
