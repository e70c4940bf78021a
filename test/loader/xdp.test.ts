// XDP on a veth pair in a namespace this test creates: native and generic mode, real
// traffic dropped/passed/counted, links vs netlink lifetimes, SIGKILL cleanup.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachXdp, BpfMap, detachXdp, Program, xdpStatus } from '../../src/loader/index.js';
import { ifNameToIndex, queryXdp } from '../../src/sys/index.js';
import { kernelUnavailableReason, REPO_ROOT_FOR_TESTS } from './support/paths.js';
import { needKernel } from '../support/env.js';
import { createVeth, udpFromPeer, type VethPair } from './support/veth.js';
import { countingXdp, XDP_DROP, XDP_PASS } from './support/xdp-programs.js';

let veth: VethPair | undefined;

beforeAll(() => {
  if (kernelUnavailableReason() === undefined) veth = createVeth('ld');
});
afterAll(() => {
  if (veth) {
    try {
      detachXdp(ifNameToIndex(veth.host));
    } catch {
      // the interface may already be gone
    }
    veth.remove();
  }
});

const counterValue = (m: BpfMap): bigint => new DataView(m.lookup(new Uint8Array(4))!.buffer).getBigUint64(0, true);

function loadCounting(verdict: number): { prog: Program; counter: BpfMap } {
  const counter = BpfMap.create({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1, name: 'counter' });
  const prog = Program.load({ type: 'xdp', name: verdict === XDP_DROP ? 'count_drop' : 'count_pass', insns: countingXdp(verdict), maps: { counter } });
  return { prog, counter };
}

describe('XDP attach on veth', () => {
  for (const mode of ['native', 'skb'] as const) {
    it(`${mode} mode via bpf_link: drops and counts, passes and counts, gone after close`, async (ctx) => {
      needKernel(ctx);
      const v = veth!;
      const ifindex = ifNameToIndex(v.host);
      expect(await udpFromPeer(v, 3)).toBeGreaterThan(0);

      const drop = loadCounting(XDP_DROP);
      try {
        const att = attachXdp(drop.prog.fd, ifindex, { mode, via: 'link' });
        expect(att.kind).toBe('link');
        const st = xdpStatus(ifindex);
        const id = drop.prog.info().id;
        if (mode === 'native') expect(st.drvProgId).toBe(id);
        else expect(st.skbProgId).toBe(id);
        expect(st.linkIds.length).toBe(1);
        expect(await udpFromPeer(v)).toBe(0);
        expect(counterValue(drop.counter)).toBeGreaterThanOrEqual(1n);
        if (att.kind === 'link') att.link.close();
        expect(queryXdp(ifindex).attached).toBe('none');
      } finally {
        drop.prog.close();
        drop.counter.close();
      }

      const pass = loadCounting(XDP_PASS);
      try {
        const att = attachXdp(pass.prog.fd, ifindex, { mode, via: 'link' });
        expect(await udpFromPeer(v)).toBeGreaterThan(0);
        expect(counterValue(pass.counter)).toBeGreaterThanOrEqual(5n);
        if (att.kind === 'link') att.link.detach();
        expect(queryXdp(ifindex).attached).toBe('none');
      } finally {
        pass.prog.close();
        pass.counter.close();
      }
    }, 60_000);
  }

  it('netlink attachment outlives the fds; detachXdp removes it', async (ctx) => {
    needKernel(ctx);
    const v = veth!;
    const ifindex = ifNameToIndex(v.host);
    const drop = loadCounting(XDP_DROP);
    const id = drop.prog.info().id;
    attachXdp(drop.prog.fd, ifindex, { mode: 'skb', via: 'netlink' });
    drop.prog.close();
    drop.counter.close();
    expect(queryXdp(ifindex).skbProgId).toBe(id);
    expect(await udpFromPeer(v, 3)).toBe(0);
    const r = detachXdp(ifindex);
    expect(r.netlink).toEqual(['skb']);
    expect(queryXdp(ifindex).attached).toBe('none');
    expect(await udpFromPeer(v, 3)).toBeGreaterThan(0);
  }, 60_000);

  it('a second attach on a busy interface is refused (EBUSY/EEXIST), not replaced', (ctx) => {
    needKernel(ctx);
    const ifindex = ifNameToIndex(veth!.host);
    const a = loadCounting(XDP_PASS);
    const b = loadCounting(XDP_PASS);
    try {
      const att = attachXdp(a.prog.fd, ifindex, { mode: 'skb' });
      expect(() => attachXdp(b.prog.fd, ifindex, { mode: 'skb' })).toThrow(/EBUSY|EEXIST/);
      if (att.kind === 'link') att.link.close();
    } finally {
      for (const o of [a, b]) {
        o.prog.close();
        o.counter.close();
      }
      detachXdp(ifindex);
    }
  });

  it('a process holding an unpinned link, killed with SIGKILL, leaves nothing attached', async (ctx) => {
    needKernel(ctx);
    const v = veth!;
    const ifindex = ifNameToIndex(v.host);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/loader/support/hold-link.child.ts', v.host, 'skb'], { cwd: REPO_ROOT_FOR_TESTS, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const ready = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('child did not get ready')), 30_000);
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) {
            clearTimeout(timer);
            resolve(out.trim());
          }
        });
        child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
      });
      expect(ready).toBe('ready link');
      expect(queryXdp(ifindex).skbProgId).not.toBe(0);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      let attached = queryXdp(ifindex).attached;
      for (let i = 0; i < 50 && attached !== 'none'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        attached = queryXdp(ifindex).attached;
      }
      expect(attached).toBe('none');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
