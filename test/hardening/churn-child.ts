// Child process of the churn tests: a plain Node process (no test-runner threads mapping
// and unmapping memory), so /proc/self/fd and /proc/self/maps move only with what we do.
//
//   node --import tsx test/hardening/churn-child.ts xdp  DEV CYCLES   load/attach/detach/close
//   node --import tsx test/hardening/churn-child.ts maps DEV CYCLES   create/update/close per type
//
// Prints one JSON line: {done, error?, before, after, ms, perType?, added}.
import { readdirSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { attachXdp, BpfMap, Program, RingBuffer } from '../../src/loader/index.js';
import { ifNameToIndex } from '../../src/sys/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mode = process.argv[2];
const dev = process.argv[3]!;
const cycles = Number(process.argv[4] ?? 1000);
const maxMs = Number(process.argv[5] ?? 60_000);
const ifindex = ifNameToIndex(dev);

const fds = (): number => readdirSync('/proc/self/fd').length;
const maps = (): string[] => readFileSync('/proc/self/maps', 'utf8').split('\n');

// r0 = XDP_PASS; exit — the smallest program the verifier takes.
const PASS = new Uint8Array([0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

function xdpCycle(): void {
  const prog = Program.load({ type: 'xdp', insns: PASS, name: 'churn_pass' });
  try {
    // Generic (skb) mode through a bpf_link: attach, then BPF_LINK_DETACH (closes the fd too).
    const att = attachXdp(prog.fd, ifindex, { mode: 'skb', via: 'link' });
    if (att.kind !== 'link') throw new Error(`attached via ${att.kind}, expected a bpf_link`);
    att.link.detach();
  } finally {
    prog.close();
  }
}

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const BPF_F_NO_PREALLOC = 1;

/** One create/use/close of each map type, touching what userspace can touch. */
const MAP_CYCLES: Record<string, () => void> = {
  hash: () => {
    const m = BpfMap.create({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 64, name: 'churn_hash' });
    try {
      m.update(u32(1), new Uint8Array(8).fill(1));
      if (m.lookup(u32(1))?.[0] !== 1) throw new Error('hash: lookup after update');
      m.delete(u32(1));
    } finally {
      m.close();
    }
  },
  array: () => {
    const m = BpfMap.create({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 16, name: 'churn_array' });
    try {
      m.update(u32(3), new Uint8Array(8).fill(2));
      if (m.lookup(u32(3))?.[0] !== 2) throw new Error('array: lookup after update');
    } finally {
      m.close();
    }
  },
  percpu_array: () => {
    const m = BpfMap.create({ type: 'percpu_array', keySize: 4, valueSize: 8, maxEntries: 4, name: 'churn_pcpu' });
    try {
      m.update(u32(0), new Uint8Array(m.valueBytes).fill(3));
      if (m.lookup(u32(0))?.[0] !== 3) throw new Error('percpu_array: lookup after update');
    } finally {
      m.close();
    }
  },
  lru_hash: () => {
    const m = BpfMap.create({ type: 'lru_hash', keySize: 4, valueSize: 8, maxEntries: 64, name: 'churn_lru' });
    try {
      for (let k = 0; k < 4; k++) m.update(u32(k), new Uint8Array(8).fill(k));
      m.delete(u32(0));
    } finally {
      m.close();
    }
  },
  lpm_trie: () => {
    // Key: u32 prefix length, then the address; the kernel requires BPF_F_NO_PREALLOC.
    const m = BpfMap.create({ type: 'lpm_trie', keySize: 8, valueSize: 4, maxEntries: 16, flags: BPF_F_NO_PREALLOC, name: 'churn_lpm' });
    try {
      const key = new Uint8Array([24, 0, 0, 0, 198, 18, 7, 0]);
      m.update(key, u32(7));
      if (m.lookup(new Uint8Array([32, 0, 0, 0, 198, 18, 7, 9]))?.[0] !== 7) throw new Error('lpm_trie: longest-prefix lookup');
      m.delete(key);
    } finally {
      m.close();
    }
  },
  ringbuf: () => {
    // No userspace update: the reader's mmap of the ring is what can leak here.
    const m = BpfMap.create({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096, name: 'churn_ring' });
    try {
      const rb = RingBuffer.open(m);
      try {
        if (rb.available !== 0) throw new Error('ringbuf: not empty');
      } finally {
        rb.close();
      }
    } finally {
      m.close();
    }
  },
  xskmap: () => {
    // Values are AF_XDP socket fds (none here; userspace lookup is ENOTSUP): walk the keys
    // and clear a slot, which the kernel allows on an empty one.
    const m = BpfMap.create({ type: 'xskmap', keySize: 4, valueSize: 4, maxEntries: 4, name: 'churn_xsk' });
    try {
      if (m.nextKey()?.[0] !== 0) throw new Error('xskmap: first key is not 0');
      m.delete(u32(0));
    } finally {
      m.close();
    }
  },
  devmap: () => {
    const m = BpfMap.create({ type: 'devmap', keySize: 4, valueSize: 4, maxEntries: 4, name: 'churn_dev' });
    try {
      m.update(u32(1), u32(ifindex));
      if (!m.delete(u32(1))) throw new Error('devmap: delete after update');
    } finally {
      m.close();
    }
  },
};

/** fds, mapping lines, fds that are BPF objects (fdinfo names a prog, map or link id), BPF mappings. */
function measure(): { fds: number; maps: number; bpfFds: number; bpfMaps: number } {
  const bpfFds = readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return /^(prog_id|map_id|link_id):/m.test(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    } catch {
      return false;
    }
  }).length;
  // Mappings of BPF objects (the ringbuf reader's pages): `anon_inode:bpf-map` lines.
  const bpfMaps = maps().filter((l) => l.includes('bpf')).length;
  return { fds: fds(), maps: maps().length, bpfFds, bpfMaps };
}

const perType: Record<string, number> = {};
const step = (): void => {
  if (mode === 'xdp') xdpCycle();
  else for (const [name, f] of Object.entries(MAP_CYCLES)) {
    f();
    perType[name] = (perType[name] ?? 0) + 1;
  }
};
if (mode !== 'xdp' && mode !== 'maps') throw new Error(`mode ${mode}: expected xdp or maps`);

// Warm up every path before counting: bindings loaded, buffers pooled, JIT settled.
for (let i = 0; i < 50; i++) step();
for (const k of Object.keys(perType)) perType[k] = 0;
gc();
const beforeLines = new Set(maps());
const before = measure();
const t0 = Date.now();
let done = 0;
let error: string | undefined;
try {
  for (; done < cycles && Date.now() - t0 < maxMs; done++) step();
} catch (e) {
  error = `cycle ${done}: ${(e as Error).message}`;
}
const ms = Date.now() - t0;
gc();
const after = measure();
const added = maps().filter((l) => !beforeLines.has(l));
process.stdout.write(`${JSON.stringify({ done, error, before, after, ms, ...(mode === 'maps' ? { perType } : {}), added })}\n`);
