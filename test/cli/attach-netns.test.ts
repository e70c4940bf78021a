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
const BIN = join(REPO_ROOT, 'bin/bpf-ts.js');

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
