// Test topology: a veth pair, `host` in this process's namespace (where AF_XDP binds) and
// `peer` in a namespace of its own. Unique names per process; no IP addresses, IPv6 off, so
// nothing but the test's frames crosses the link. destroy() removes everything.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveFramesMissingReason } from '../support/kernel-features.js';

let counter = 0;

export interface Counters {
  readonly rxPackets: number;
  readonly txPackets: number;
  readonly rxDropped: number;
  readonly txDropped: number;
}

export interface VethPair {
  readonly ns: string;
  readonly host: string;
  readonly peer: string;
  readonly hostMac: string;
  readonly peerMac: string;
  /** A command line run inside the peer's namespace. */
  inNs(argv: readonly string[]): string[];
  /** rx/tx packet counters of an interface (`ip -s link`). */
  counters(side: 'host' | 'peer'): Counters;
  destroy(): void;
}

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
}

export function createVethPair(opts: { queues?: number } = {}): VethPair {
  const id = `${process.pid % 100000}${(counter++).toString(36)}`;
  const ns = `bpfts-xsk-${id}`;
  const host = `xh${id}`;
  const peer = `xp${id}`;
  const n = counter & 0xff;
  const hostMac = `02:00:c6:12:${n.toString(16).padStart(2, '0')}:02`;
  const peerMac = `02:00:c6:12:${n.toString(16).padStart(2, '0')}:01`;
  const q = String(opts.queues ?? 1);
  const destroy = (): void => {
    spawnSync('ip', ['link', 'del', host], { timeout: 10_000 });
    spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  };
  try {
    ip(['netns', 'add', ns]);
    ip(['link', 'add', host, 'numtxqueues', q, 'numrxqueues', q, 'type', 'veth', 'peer', 'name', peer, 'numtxqueues', q, 'numrxqueues', q]);
    ip(['link', 'set', peer, 'netns', ns]);
    ip(['link', 'set', 'dev', host, 'address', hostMac]);
    ip(['-n', ns, 'link', 'set', 'dev', peer, 'address', peerMac]);
    spawnSync('sysctl', ['-qw', `net.ipv6.conf.${host}.disable_ipv6=1`]);
    spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `net.ipv6.conf.${peer}.disable_ipv6=1`]);
    ip(['link', 'set', 'dev', host, 'up']);
    ip(['-n', ns, 'link', 'set', 'dev', 'lo', 'up']);
    ip(['-n', ns, 'link', 'set', 'dev', peer, 'up']);
  } catch (e) {
    destroy();
    throw e;
  }
  const inNs = (argv: readonly string[]): string[] => ['ip', 'netns', 'exec', ns, ...argv];
  const counters = (side: 'host' | 'peer'): Counters => {
    const out = side === 'host' ? ip(['-s', '-j', 'link', 'show', 'dev', host]) : ip(['-n', ns, '-s', '-j', 'link', 'show', 'dev', peer]);
    const j = JSON.parse(out) as { stats64: { rx: { packets: number; dropped: number }; tx: { packets: number; dropped: number } } }[];
    const s = j[0]!.stats64;
    return { rxPackets: s.rx.packets, txPackets: s.tx.packets, rxDropped: s.rx.dropped, txDropped: s.tx.dropped };
  };
  return { ns, host, peer, hostMac, peerMac, inNs, counters, destroy };
}

const built = new Map<string, string | undefined>();

/**
 * A C tool from ../shared/bench/afxdp/src, built once per source version into a fixed cache
 * folder under the temp dir (so repeated runs reuse it and nothing piles up), or undefined
 * when it does not build.
 */
function buildReferenceTool(name: string, libs: readonly string[]): string | undefined {
  if (built.has(name)) return built.get(name);
  built.set(name, undefined);
  const src = fileURLToPath(new URL(`../../../shared/bench/afxdp/src/${name}.c`, import.meta.url));
  if (!existsSync(src)) return undefined;
  const hash = createHash('sha1').update(readFileSync(src)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `bpfts-${name.replace(/_/g, '')}-${hash}`);
  const out = join(dir, name);
  if (!existsSync(out)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${out}.${process.pid}`;
    const r = spawnSync('gcc', ['-O2', '-o', tmp, src, ...libs], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) return undefined;
    renameSync(tmp, out); // atomic: parallel test files never run a half-written binary
  }
  built.set(name, out);
  return out;
}

/** The C generator xdp_gen (BPF_PROG_TEST_RUN live frames). */
export function buildXdpGen(): string | undefined {
  return buildReferenceTool('xdp_gen', ['-lbpf']);
}

/** The C AF_PACKET sender afpkt_send (same frame and flags as xdp_gen; prints frames_sent=N). */
export function buildAfpktSend(): string | undefined {
  return buildReferenceTool('afpkt_send', []);
}

export interface FrameSender {
  /** The built binary, or undefined when it does not build here. */
  readonly path: string | undefined;
  readonly name: 'xdp_gen' | 'afpkt_send';
  /** Why xdp_gen is not used (the kernel refuses live-frames test runs). */
  readonly reason?: string;
}

/**
 * The C frame sender for this kernel: xdp_gen, or where the kernel refuses live-frames test
 * runs the AF_PACKET sender afpkt_send (same frame, same flags, slower). Both count only what
 * the kernel took: see framesSent.
 */
export function buildFrameSender(): FrameSender {
  const reason = liveFramesMissingReason();
  return reason === undefined ? { name: 'xdp_gen', path: buildXdpGen() } : { name: 'afpkt_send', path: buildAfpktSend(), reason };
}

/** Frames a sender's runs report in `out`: xdp_gen prints frames=N, afpkt_send frames_sent=N. */
export function framesSent(out: string): number {
  return [...out.matchAll(/ frames(?:_sent)?=(\d+) /g)].reduce((n, m) => n + Number(m[1]), 0);
}

/** How many of `frames` a bounded python AF_PACKET sender should send (fallback sender). */
export function pythonSender(iface: string, frameHex: string, count: number): string[] {
  const code = [
    'import socket,sys,time',
    `s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)`,
    `s.bind((${JSON.stringify(iface)},0))`,
    `f=bytes.fromhex(${JSON.stringify(frameHex)})`,
    `t=time.time()`,
    `n=0`,
    `while n<${count} and time.time()-t<20:`,
    `  s.send(f[:12]+f[12:42]+n.to_bytes(4,'big')+f[46:]); n+=1`,
    `print(n)`,
  ].join('\n');
  return ['python3', '-c', code];
}
