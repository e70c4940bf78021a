// SIGKILL at seeded random points (issue 9): a `bpf-ts run` (load + attach through an unpinned
// bpf_link) or a `bpf-ts xsk rx` killed anywhere — starting up, loading, attaching, attached,
// receiving — leaves no XDP program on the interface and no pin on bpffs.
//
// The children see a bpffs of their own: they run (nsenter) in a mount namespace held by a
// `sleep` in which a fresh bpffs is mounted at /sys/fs/bpf, so the before/after listing is
// exact even while other tests pin things in the machine's bpffs. Only the mount namespace
// differs; the network namespace is ours, so iproute2 here sees their XDP attachments.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelUnavailableReason, needKernel } from '../support/env.js';
import { startChild, type Child } from '../afxdp/child.js';
import { buildFrameSender, createVethPair } from '../afxdp/topology.js';

const BIN = fileURLToPath(new URL('../../bin/bpf-ts.cjs', import.meta.url));
const PROG = fileURLToPath(new URL('./kill-prog.ts', import.meta.url));
const TRIALS = 15;

/** Seeded PRNG (mulberry32): the same kill points on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What iproute2 reports as attached to `dev` (the oracle), or undefined when nothing. */
function ipXdp(dev: string): unknown {
  const j = JSON.parse(execFileSync('ip', ['-d', '-j', 'link', 'show', 'dev', dev], { encoding: 'utf8' })) as { xdp?: unknown }[];
  return j[0]!.xdp;
}

/** The kernel drops the link with the last fd; poll for that for at most 5 s. */
async function xdpAfterKill(dev: string): Promise<unknown> {
  let x = ipXdp(dev);
  for (let i = 0; i < 100 && x !== undefined; i++) {
    await sleep(50);
    x = ipXdp(dev);
  }
  return x;
}

let holder: Child | undefined;

/** argv run inside the private-bpffs mount namespace. */
function inMountNs(argv: readonly string[]): string[] {
  return ['nsenter', '-t', String(holder!.proc.pid), '-m', '--', ...argv];
}

/** Every path under the children's bpffs. */
function bpffsListing(): string[] {
  return execFileSync('nsenter', ['-t', String(holder!.proc.pid), '-m', '--', 'find', '/sys/fs/bpf', '-mindepth', '1'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}

interface Trial {
  readonly phase: 'from-start' | 'after-ready';
  readonly delayMs: number;
  /** Whether the child had said it was attached/ready when it was killed. */
  readonly wasReady: boolean;
}

/**
 * `TRIALS` kills of `argv`: the first half at a seeded delay after spawn, spread over
 * [0, 1.2 × the time to ready measured in the first trial] (startup, compile, load, attach);
 * the rest at a seeded 0–300 ms after it reports ready (attached, or receiving).
 */
async function killTrials(dev: string, argv: readonly string[], ready: RegExp, seed: number, duringReady?: () => Child | undefined): Promise<Trial[]> {
  const rand = prng(seed);
  const trials: Trial[] = [];
  let readyMs = 0;
  const before = bpffsListing();
  for (let i = 0; i < TRIALS; i++) {
    const fromStart = i > 0 && i <= TRIALS / 2;
    const delayMs = Math.round(fromStart ? rand() * 1.2 * readyMs : rand() * 300);
    const t0 = Date.now();
    const child = startChild(inMountNs(argv), 60_000);
    let load: Child | undefined;
    let wasReady: boolean;
    try {
      if (fromStart) {
        await sleep(delayMs);
        wasReady = ready.test(child.output().stderr + child.output().stdout);
      } else {
        expect(await child.waitFor(ready, 30_000), child.output().stderr).toBe(true);
        if (i === 0) readyMs = Date.now() - t0;
        // Attached while it lives: the oracle sees the program (so the check below can fail).
        expect(ipXdp(dev)).toBeDefined();
        load = duringReady?.();
        await sleep(delayMs);
        wasReady = true;
      }
    } finally {
      child.kill('SIGKILL');
      load?.kill('SIGKILL');
    }
    const r = await child.done;
    if (load) await load.done;
    trials.push({ phase: fromStart ? 'from-start' : 'after-ready', delayMs, wasReady });
    const what = `trial ${i} (${JSON.stringify(trials.at(-1))}), child ended ${r.signal ?? r.code}: ${r.stderr.slice(-300)}`;
    // A child that finished on its own (an error) would not test anything: it must die by the kill.
    expect(r.signal, what).toBe('SIGKILL');
    expect(await xdpAfterKill(dev), what).toBeUndefined();
    expect(bpffsListing(), what).toEqual(before);
  }
  // The after-ready half (at least) killed a child with its program attached.
  expect(trials.filter((t) => t.wasReady).length).toBeGreaterThanOrEqual(TRIALS / 2);
  const early = trials.filter((t) => !t.wasReady).map((t) => t.delayMs);
  console.log(`${argv.slice(2, 4).join(' ')}: ready after ${readyMs} ms; ${early.length} kills before ready (at ${early.join(', ')} ms), ${TRIALS - early.length} after`);
  return trials;
}

describe('SIGKILL at random points', () => {
  beforeAll(async () => {
    if (kernelUnavailableReason() !== undefined) return;
    holder = startChild(['unshare', '-m', '--propagation', 'private', 'sh', '-c', 'mount -t bpf bpf /sys/fs/bpf && echo mounted && exec sleep 900'], 900_000);
    if (!(await holder.waitFor(/mounted/, 10_000))) throw new Error(`private bpffs: ${holder.output().stderr}`);
  });

  afterAll(async () => {
    if (holder === undefined) return;
    holder.kill('SIGKILL');
    await holder.done;
  });

  it('the listing sees what a child pins in its bpffs (control)', (ctx) => {
    needKernel(ctx);
    const before = bpffsListing();
    const pin = '/sys/fs/bpf/hardening_ctl';
    const r = spawnSync('nsenter', ['-t', String(holder!.proc.pid), '-m', '--', 'bpftool', 'map', 'create', pin, 'type', 'array', 'key', '4', 'value', '4', 'entries', '1', 'name', 'hk_ctl'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) return ctx.skip(`bpftool map create: ${r.stderr}`);
    try {
      expect(bpffsListing()).toEqual([...before, pin].sort());
      // …and the machine's own bpffs does not have it: the namespaces really differ.
      expect(spawnSync('test', ['-e', pin]).status).not.toBe(0);
    } finally {
      spawnSync('nsenter', ['-t', String(holder!.proc.pid), '-m', '--', 'rm', '-f', pin]);
    }
    expect(bpffsListing()).toEqual(before);
  }, 30_000);

  it(`bpf-ts run (load + unpinned bpf_link attach): ${TRIALS} seeded kills leave no XDP and no pins`, async (ctx) => {
    needKernel(ctx);
    const pair = createVethPair();
    try {
      expect(ipXdp(pair.host)).toBeUndefined();
      await killTrials(pair.host, [process.execPath, BIN, 'run', PROG, '--dev', pair.host, '--seconds', '60'], /attached to/, 0x5eed9);
    } finally {
      pair.destroy();
    }
  }, 150_000);

  it(`bpf-ts xsk rx --busy (receiving the C generator's frames): ${TRIALS} seeded kills leave no XDP and no pins`, async (ctx) => {
    needKernel(ctx);
    const pair = createVethPair();
    const gen = buildFrameSender().path;
    try {
      expect(ipXdp(pair.host)).toBeUndefined();
      // After ready, frames are flowing when the kill comes (when the sender could be built).
      const traffic = (): Child | undefined =>
        gen === undefined ? undefined : startChild(pair.inNs([gen, '-i', pair.peer, '-n', '20000000', '-m', pair.hostMac, '-M', pair.peerMac]), 30_000);
      await killTrials(pair.host, [process.execPath, BIN, 'xsk', 'rx', '--dev', pair.host, '--busy', '--copy', '--first-ms', '60000', '--idle-ms', '60000', '--json'], /ready/, 0x5eed10, traffic);
    } finally {
      pair.destroy();
    }
  }, 150_000);
});
