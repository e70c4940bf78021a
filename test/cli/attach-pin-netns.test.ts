// `bpf-ts attach` keeps an XDP bpf_link alive by pinning it on bpffs, which every network
// namespace shares; interface names and indexes are per namespace. Two namespaces here each
// have an interface of the same name AND the same index: each gets its own pin, and attach and
// detach in one leave the other alone. A pin that outlived its interface (deleted, re-created)
// is stale: attach replaces it, detach removes it. Pins of earlier versions (`xdp-<ifname>`)
// still detach, in their own namespace only.
//
// The CLI runs under `nsenter --net=…`: the namespace's network, the host's mounts, so the
// host's bpffs, where the pins collide. (Under `ip netns exec` /sys is private and bpf-ts
// attaches through netlink, pinning nothing: attach-netns.test.ts.)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';
import { kernelUnavailableReason, needKernel, needOracle } from '../support/env.js';

const BIN = join(REPO_ROOT, 'bin/bpf-ts.cjs');
const OBJ = join(REPO_ROOT, 'test/fixtures/obj/tailcall.o');
const LINKS = '/sys/fs/bpf/bpf-ts/links';
const NS = [`bpfts-pinns-${process.pid}-a`, `bpfts-pinns-${process.pid}-b`] as const;
/** The same interface name in both namespaces, and the same index. */
const DEV = `pn${process.pid % 100000}`;
const PEER = `${DEV}p`;
const INDEX = 7;

const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8', timeout: 20_000 });

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built CLI in network namespace `ns` (host mounts: the host's bpffs). */
function inNs(ns: string, args: readonly string[]): Run {
  const r = spawnSync('nsenter', [`--net=/run/netns/${ns}`, process.execPath, BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface Attached {
  readonly ifindex: number;
  readonly progId: number;
  readonly via: string;
  readonly pinned?: string;
}

function attach(ns: string): Run & { out?: Attached } {
  const r = inNs(ns, ['attach', '--dev', DEV, OBJ, '--prog', 'leaf_pass', '--mode', 'skb', '--json']);
  return r.code === 0 ? { ...r, out: JSON.parse(r.stdout) as Attached } : r;
}

/** The XDP program id iproute2 shows on DEV in `ns`, or undefined when none. */
function xdpProgId(ns: string): number | undefined {
  const m = /prog\/xdp id (\d+)/.exec(ip('-n', ns, '-d', 'link', 'show', DEV).stdout);
  return m ? Number(m[1]) : undefined;
}

/** The network namespace's inode (what bpf-ts puts in its pin names). */
const nsInode = (ns: string): number => statSync(`/run/netns/${ns}`).ino;

/** This test's pins: both formats, any namespace. */
function ourPins(): string[] {
  let names: string[];
  try {
    names = readdirSync(LINKS);
  } catch {
    return [];
  }
  return names.filter((n) => n === `xdp-${DEV}` || new RegExp(`^xdp-ns\\d+-\\d+-${DEV}$`).test(n)).map((n) => join(LINKS, n));
}

/** (Re)create DEV in `ns` with interface index `index` (its peer's too: a free index could go to it first). */
function makeDev(ns: string, index = INDEX): void {
  ip('-n', ns, 'link', 'del', DEV);
  const add = ip('-n', ns, 'link', 'add', DEV, 'index', String(index), 'type', 'veth', 'peer', 'name', PEER, 'index', String(index + 100));
  if (add.status !== 0) throw new Error(`ip link add ${DEV} in ${ns}: ${add.stderr.trim()}`);
  expect(ip('-n', ns, 'link', 'set', DEV, 'up').status).toBe(0);
}

function removePins(): void {
  for (const p of ourPins()) rmSync(p, { force: true });
  for (const dir of [LINKS, '/sys/fs/bpf/bpf-ts']) {
    try {
      rmdirSync(dir); // only when empty: other tests' pins may be there
    } catch {
      break;
    }
  }
}

/** Every test starts from the same place: DEV (index 7) in both namespaces, no pins of ours. */
function reset(): void {
  for (const ns of NS) makeDev(ns);
  removePins();
}

beforeAll(() => {
  if (kernelUnavailableReason() !== undefined) return;
  for (const ns of NS) {
    ip('netns', 'del', ns);
    const r = ip('netns', 'add', ns);
    if (r.status !== 0) throw new Error(`ip netns add ${ns}: ${r.stderr.trim()}`);
  }
});

afterAll(() => {
  // Deleting the namespaces deletes the veths and so detaches the links; then the pins.
  for (const ns of NS) ip('netns', 'del', ns);
  removePins();
});

describe('attach/detach link pins across network namespaces', () => {
  it('an interface of the same name and index in two namespaces: each attaches, detach in one leaves the other', (ctx) => {
    needKernel(ctx);
    needOracle(ctx, 'nsenter');
    reset();
    const a = attach(NS[0]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toBe('');
    const b = attach(NS[1]);
    expect(b.code, b.stderr).toBe(0); // was: "already has an XDP program attached by bpf-ts", exit 2
    const [pa, pb] = [a.out!, b.out!];
    expect([pa.via, pb.via]).toEqual(['link', 'link']);
    expect(pa.ifindex).toBe(INDEX);
    expect(pb.ifindex).toBe(INDEX);
    expect(pa.pinned).toBe(join(LINKS, `xdp-ns${nsInode(NS[0])}-${INDEX}-${DEV}`));
    expect(pb.pinned).toBe(join(LINKS, `xdp-ns${nsInode(NS[1])}-${INDEX}-${DEV}`));
    expect(existsSync(pa.pinned!) && existsSync(pb.pinned!)).toBe(true);
    // The CLI has exited; both programs are still attached, each to its own interface.
    expect(xdpProgId(NS[0])).toBe(pa.progId);
    expect(xdpProgId(NS[1])).toBe(pb.progId);

    // A second attach in the same namespace is still refused, and changes nothing.
    const again = inNs(NS[1], ['attach', '--dev', DEV, OBJ, '--prog', 'leaf_pass', '--mode', 'skb']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already has an XDP program attached by bpf-ts/);
    expect(xdpProgId(NS[1])).toBe(pb.progId);

    // Detach in the second namespace: its program and pin go, the first's stay.
    const d = inNs(NS[1], ['detach', '--dev', DEV, '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout)).toMatchObject({ ifindex: INDEX, unpinned: pb.pinned, netlink: [] });
    expect(xdpProgId(NS[1])).toBeUndefined();
    expect(existsSync(pb.pinned!)).toBe(false);
    expect(xdpProgId(NS[0])).toBe(pa.progId);
    expect(existsSync(pa.pinned!)).toBe(true);

    // Detach there again: nothing left, and the first namespace still untouched.
    const d2 = inNs(NS[1], ['detach', '--dev', DEV]);
    expect(d2.code, d2.stderr).toBe(0);
    expect(d2.stdout).toMatch(/nothing was attached/);
    expect(xdpProgId(NS[0])).toBe(pa.progId);

    const d0 = inNs(NS[0], ['detach', '--dev', DEV]);
    expect(d0.code, d0.stderr).toBe(0);
    expect(xdpProgId(NS[0])).toBeUndefined();
    expect(ourPins()).toEqual([]);
  }, 60_000);

  it('the library\'s detachXdp(ifindex) removes only the links of this namespace\'s interface', (ctx) => {
    needKernel(ctx);
    needOracle(ctx, 'nsenter');
    reset();
    const a = attach(NS[0]);
    const b = attach(NS[1]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const loader = JSON.stringify(join(REPO_ROOT, 'dist/src/loader/index.js'));
    const script = `const l = await import(${loader}); console.log(JSON.stringify({ on: l.xdpLinksOn(${INDEX}), detached: l.detachXdp(${INDEX}) }));`;
    const r = spawnSync('nsenter', [`--net=/run/netns/${NS[1]}`, process.execPath, '--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { on: number[]; detached: { links: number[] } };
    expect(out.on).toHaveLength(1); // the link in NS[0] has the same ifindex but not its program
    expect(out.detached.links).toEqual(out.on);
    expect(xdpProgId(NS[1])).toBeUndefined();
    expect(xdpProgId(NS[0])).toBe(a.out!.progId);
    removePins();
  }, 60_000);

  it('a pin left by a deleted interface is stale: attach replaces it, detach removes it', (ctx) => {
    needKernel(ctx);
    needOracle(ctx, 'nsenter');
    reset();
    const first = attach(NS[0]);
    expect(first.code, first.stderr).toBe(0);
    const pin = first.out!.pinned!;

    // Re-created with the same index: the same pin path, whose link now points nowhere.
    makeDev(NS[0]);
    expect(xdpProgId(NS[0])).toBeUndefined();
    expect(existsSync(pin)).toBe(true);
    const second = attach(NS[0]);
    expect(second.code, second.stderr).toBe(0); // was: refused until `detach` was run
    expect(second.stderr).toMatch(new RegExp(`stale link pin ${pin} \\(its interface is gone\\)`));
    expect(second.out!.pinned).toBe(pin);
    expect(xdpProgId(NS[0])).toBe(second.out!.progId);

    // Re-created with another index: the old pin (same name) is stale and goes too.
    makeDev(NS[0], INDEX + 2);
    const third = attach(NS[0]);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/stale link pin/);
    expect(third.out!.pinned).toBe(join(LINKS, `xdp-ns${nsInode(NS[0])}-${INDEX + 2}-${DEV}`));
    expect(ourPins()).toEqual([third.out!.pinned]);

    // Deleted again: detach finds only a stale pin, removes it, and says nothing was attached.
    makeDev(NS[0]);
    const d = inNs(NS[0], ['detach', '--dev', DEV]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/nothing was attached/);
    expect(d.stderr).toMatch(/stale link pin/);
    expect(ourPins()).toEqual([]);
  }, 60_000);

  it('an old-format pin (xdp-<ifname>) belongs to its own namespace: detach there removes it, elsewhere leaves it', (ctx) => {
    needKernel(ctx);
    needOracle(ctx, 'nsenter');
    reset();
    const a = attach(NS[0]);
    expect(a.code, a.stderr).toBe(0);
    // What an earlier bpf-ts left: the same link, pinned by interface name alone.
    const legacy = join(LINKS, `xdp-${DEV}`);
    renameSync(a.out!.pinned!, legacy);

    const other = inNs(NS[1], ['detach', '--dev', DEV]);
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toMatch(/nothing was attached/);
    expect(existsSync(legacy)).toBe(true);
    expect(xdpProgId(NS[0])).toBe(a.out!.progId);

    const refused = inNs(NS[0], ['attach', '--dev', DEV, OBJ, '--prog', 'leaf_pass', '--mode', 'skb']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(legacy);
    const b = attach(NS[1]);
    expect(b.code, b.stderr).toBe(0);

    const d = inNs(NS[0], ['detach', '--dev', DEV, '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout)).toMatchObject({ unpinned: legacy });
    expect(existsSync(legacy)).toBe(false);
    expect(xdpProgId(NS[0])).toBeUndefined();
    expect(xdpProgId(NS[1])).toBe(b.out!.progId);

    const d1 = inNs(NS[1], ['detach', '--dev', DEV]);
    expect(d1.code, d1.stderr).toBe(0);
    expect(xdpProgId(NS[1])).toBeUndefined();
    expect(ourPins()).toEqual([]);
  }, 60_000);
});
