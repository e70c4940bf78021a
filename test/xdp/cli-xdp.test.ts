// bpf-ts run and bpf-ts demo, as a user runs them (the built CLI), on a veth pair of our own.
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needKernel, kernelUnavailableReason } from '../support/env.js';
import { REPO_ROOT, runBpfTs } from '../support/cli.js';

const tag = `${process.pid % 100000}`;
const NS = `bpftsrun${tag}`;
const HOST = `brh${tag}`;
const PEER = `brp${tag}`;
const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });

function xdpAttached(dev: string): boolean {
  return /prog\/xdp|xdpgeneric|xdpdrv| xdp /.test(ip('-d', 'link', 'show', 'dev', dev).stdout);
}

/** UDP from the peer: `count` datagrams to each port, within a few seconds at most. */
function sendFromPeer(ports: number[], count: number): void {
  const script = `const s=require('dgram').createSocket('udp4');let n=0;const t=setInterval(()=>{for(const p of ${JSON.stringify(ports)})s.send(Buffer.alloc(32),p,'198.18.0.1');if(++n>=${count}){clearInterval(t);setTimeout(()=>s.close(),200);}},10);`;
  spawnSync('ip', ['netns', 'exec', NS, process.execPath, '-e', script], { timeout: 20_000 });
}

describe('bpf-ts run / demo (kernel)', () => {
  let ready = false;
  beforeAll(() => {
    if (kernelUnavailableReason() !== undefined) return;
    ip('netns', 'add', NS);
    ip('link', 'add', HOST, 'type', 'veth', 'peer', 'name', PEER, 'netns', NS);
    ip('addr', 'add', '198.18.0.1/30', 'dev', HOST);
    ip('link', 'set', HOST, 'up');
    ip('-n', NS, 'addr', 'add', '198.18.0.2/30', 'dev', PEER);
    ip('-n', NS, 'link', 'set', PEER, 'up');
    ready = true;
  });
  afterAll(() => {
    ip('netns', 'del', NS);
    ip('link', 'del', HOST);
  });

  it('run: attaches, counts, prints a JSON summary and detaches', async (ctx) => {
    needKernel(ctx);
    expect(ready).toBe(true);
    sendFromPeer([7], 1); // resolve ARP first, so no datagram waits in the neighbour queue
    const child = spawn(process.execPath, [`${REPO_ROOT}bin/bpf-ts.cjs`, 'run', 'examples/drop-udp-port.ts', '--dev', HOST, '--mode', 'skb', '--seconds', '4', '--json', '--const', 'blocked_port=9999'], { cwd: REPO_ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number>((res) => child.on('exit', (c) => res(c ?? -1)));
    // Wait until attached (bounded), then send.
    for (let i = 0; i < 100 && !xdpAttached(HOST); i++) await new Promise((r) => setTimeout(r, 100));
    expect(xdpAttached(HOST)).toBe(true);
    sendFromPeer([9999, 7], 20);
    const code = await exited;
    expect(code, err).toBe(0);
    const summary = JSON.parse(out) as { counters: { map: string; key: number; value: string }[] };
    const dropped = summary.counters.find((c) => c.map === 'dropped');
    expect(Number(dropped?.value)).toBe(20);
    expect(xdpAttached(HOST)).toBe(false);
  });

  it('run: detaches on SIGINT', async (ctx) => {
    needKernel(ctx);
    const child = spawn(process.execPath, [`${REPO_ROOT}bin/bpf-ts.cjs`, 'run', 'examples/proto-counters.ts', '--dev', HOST, '--mode', 'skb', '--seconds', '30'], { cwd: REPO_ROOT });
    const exited = new Promise<number>((res) => child.on('exit', (c) => res(c ?? -1)));
    for (let i = 0; i < 100 && !xdpAttached(HOST); i++) await new Promise((r) => setTimeout(r, 100));
    expect(xdpAttached(HOST)).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(xdpAttached(HOST)).toBe(false);
  });

  it('run: a missing file or interface is a clear error', (ctx) => {
    needKernel(ctx);
    const a = runBpfTs(['run', 'examples/nope.ts', '--dev', HOST]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/no such file/);
    const b = runBpfTs(['run', 'examples/drop-udp-port.ts', '--dev', 'nosuchif0']);
    expect(b.code).toBe(2); // bad input, as for attach and detach
    expect(b.stderr).toMatch(/no network interface named "nosuchif0"/);
  });

  it('demo: counts real traffic on a throwaway veth pair and removes it', (ctx) => {
    needKernel(ctx);
    const r = runBpfTs(['demo', '--seconds', '2', '--json'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as {
      mode: string; namespace: string; sent: { udpDropPort: number; udpXskPort: number };
      verdicts: Record<string, { passed: number; dropped: number; toXsk: number }>; afxdp: { received: number };
    };
    expect(s.mode).toBe('kernel');
    expect(s.verdicts.udp!.dropped).toBe(s.sent.udpDropPort);
    expect(s.verdicts.udp!.toXsk).toBe(s.sent.udpXskPort);
    expect(s.afxdp.received).toBe(s.sent.udpXskPort);
    expect(s.verdicts.udp!.passed).toBeGreaterThan(0);
    expect(ip('netns', 'list').stdout).not.toContain(s.namespace);
  });
});

describe('bpf-ts demo --vm', () => {
  it('runs the filter in the userspace VM', () => {
    const r = runBpfTs(['demo', '--vm', '--seconds', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { mode: string; actions: Record<string, number>; verdicts: Record<string, { passed: number; dropped: number }> };
    expect(s.mode).toBe('vm');
    // Five kinds of packets in turn: UDP to 9 (dropped), 7 (passed), 4242 (steered: no socket, so
    // redirect_map falls back to pass), TCP and ICMP (passed).
    expect(s.verdicts.udp).toEqual(expect.objectContaining({ passed: 200, dropped: 200, toXsk: 200 }));
    expect(s.actions).toEqual({ XDP_DROP: 200, XDP_PASS: 800 });
  });
});
