// What one run of a program can observe and change outside its registers: the clock, the
// random source, the CPU it runs on, captured trace_printk output, ringbuf events, the
// redirect target, and (for XDP) the packet buffer.
import type { VmMap } from './maps/map.js';
import type { Region } from './memory.js';

export interface RingbufEvent {
  /** The ringbuf map's name. */
  readonly map: string;
  readonly data: Uint8Array;
}

export type RedirectRecord =
  | { readonly kind: 'ifindex'; readonly ifindex: number; readonly flags: number }
  | { readonly kind: 'map'; readonly map: string; readonly mapType: string; readonly key: number; readonly value: number };

/** The XDP buffer: one frame with headroom; [meta, data) is metadata, [data, end) the packet. */
export interface XdpBuffer {
  frame: Uint8Array;
  meta: number;
  data: number;
  end: number;
  /** Where data_end may grow to (frame size minus the kernel's skb_shared_info tailroom). */
  hardEnd: number;
  /** Lowest and highest frame offsets the packet window reached (what the next run must zero). */
  low: number;
  high: number;
  ingressIfindex: number;
  rxQueueIndex: number;
  egressIfindex: number;
  region?: Region;
}

export interface RunState {
  cpu: number;
  /** Nanoseconds for bpf_ktime_get_ns / ktime_get_boot_ns / coarse. */
  clock: () => bigint;
  /** A u32 for bpf_get_prandom_u32. */
  random: () => number;
  /** Lines written by bpf_trace_printk. */
  printk: string[];
  events: RingbufEvent[];
  redirect?: RedirectRecord;
  xdp?: XdpBuffer;
  tailCalls: number;
  /** Open ringbuf reservations by region id. */
  readonly reservations: Map<number, { map: VmMap; size: number }>;
}

/** xorshift32, seeded: the VM's default prandom. */
export function seededRandom(seed: number): () => number {
  let x = (seed >>> 0) || 0x9e3779b9;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

export function newRunState(opts: { cpu?: number; clock?: () => bigint; seed?: number } = {}): RunState {
  let t = 1_000_000_000n;
  return {
    cpu: opts.cpu ?? 0,
    clock: opts.clock ?? (() => (t += 1000n)),
    random: seededRandom(opts.seed ?? 1),
    printk: [],
    events: [],
    tailCalls: 0,
    reservations: new Map(),
  };
}
