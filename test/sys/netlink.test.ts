// rtnetlink XDP control against iproute2's view of the same interface.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Program } from '../../src/loader/index.js';
import { ifNameToIndex, listXdp, NetlinkError, queryXdp, removeXdp, setXdp } from '../../src/sys/index.js';
import { kernelUnavailableReason, needKernel, needOracle } from '../support/env.js';

const dev = `btnl${process.pid % 100000}`;
const passInsns = [{ code: 0xb7, dst: 0, src: 0, off: 0, imm: 2 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }];

beforeAll(() => {
  if (kernelUnavailableReason() !== undefined) return;
  spawnSync('ip', ['link', 'del', dev]);
  const r = spawnSync('ip', ['link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
});
afterAll(() => {
  spawnSync('ip', ['link', 'del', dev]);
});

function ipXdp(): { mode?: number; prog?: { id: number } } | undefined {
  const r = spawnSync('ip', ['-d', '-j', 'link', 'show', 'dev', dev], { encoding: 'utf8' });
  return (JSON.parse(r.stdout) as { xdp?: { mode?: number; prog?: { id: number } } }[])[0]?.xdp;
}

describe('netlink XDP', () => {
  it('set / query / remove in generic mode agree with `ip -d link show`', (ctx) => {
    needKernel(ctx);
    needOracle(ctx, 'ip');
    const ifindex = ifNameToIndex(dev);
    const prog = Program.load({ type: 'xdp', insns: passInsns });
    try {
      setXdp(ifindex, prog.fd, { mode: 'skb' });
      const id = prog.info().id;
      const st = queryXdp(ifindex);
      expect(st).toMatchObject({ ifname: dev, attached: 'skb', skbProgId: id, drvProgId: 0, progId: id });
      expect(ipXdp()?.prog?.id).toBe(id);
      expect(listXdp().find((s) => s.ifindex === ifindex)?.skbProgId).toBe(id);
      // UPDATE_IF_NOEXIST refuses to replace; REPLACE with the wrong expected fd refuses too.
      expect(() => setXdp(ifindex, prog.fd, { mode: 'skb', noReplace: true })).toThrow(NetlinkError);
      const other = Program.load({ type: 'xdp', insns: passInsns });
      try {
        expect(() => setXdp(ifindex, other.fd, { mode: 'skb', expectedFd: other.fd })).toThrow(NetlinkError);
        setXdp(ifindex, other.fd, { mode: 'skb', expectedFd: prog.fd });
        expect(queryXdp(ifindex).skbProgId).toBe(other.info().id);
      } finally {
        other.close();
      }
      removeXdp(ifindex, 'skb');
      expect(queryXdp(ifindex).attached).toBe('none');
      expect(ipXdp()).toBeUndefined();
    } finally {
      prog.close();
      try {
        removeXdp(ifindex, 'skb');
      } catch {
        // already removed
      }
    }
  });

  it("carries the kernel's extack message", (ctx) => {
    needKernel(ctx);
    const ifindex = ifNameToIndex(dev);
    const prog = Program.load({ type: 'xdp', insns: passInsns });
    try {
      setXdp(ifindex, prog.fd, { mode: 'skb' });
      let err: unknown;
      try {
        setXdp(ifindex, prog.fd, { mode: 'drv' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NetlinkError);
      expect((err as NetlinkError).extack).toMatch(/native and generic XDP/i);
      expect((err as NetlinkError).errnoName).toBe('EEXIST');
    } finally {
      removeXdp(ifindex, 'skb');
      prog.close();
    }
  });

  it('an unknown interface is ENODEV', (ctx) => {
    needKernel(ctx);
    expect(() => queryXdp(0x7ffffff0)).toThrow(/ENODEV/);
  });
});
