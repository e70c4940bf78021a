// Run XDP programs in the VM: the test helper users call from their own tests.
//
//   const res = runXdp(insns, packet, { maps: { counters } });
//   expect(res.action).toBe('XDP_PASS');
//
// The packet sits in a 4096-byte frame after 256 bytes of headroom, as BPF_PROG_TEST_RUN
// lays it out; the frame's last 320 bytes (skb_shared_info) are off limits to adjust_tail.
import type { Instruction } from '../asm/instruction.js';
import { VmError } from './errors.js';
import { DEFAULT_HELPERS } from './helpers/table.js';
import { XdpAction } from './helpers/errno.js';
import { syncWindow } from './helpers/xdp.js';
import { Machine, REGION_CTX, REGION_PACKET, type HelperFn, type TraceEntry, type VmEngine } from './machine.js';
import { RingbufMap } from './maps/ringbuf.js';
import type { VmMap } from './maps/map.js';
import { regionHi, regionLo } from './memory.js';
import { prepareProgram, type ProgramOptions, type VmProgram } from './program.js';
import { newRunState, seededRandom, type RedirectRecord, type RingbufEvent, type RunState, type XdpBuffer } from './state.js';
import { XDP_MD_SIZE, xdpContext } from './xdp-context.js';

/** XDP_PACKET_HEADROOM */
export const XDP_HEADROOM = 256;
/** The frame BPF_PROG_TEST_RUN uses (one page). */
export const XDP_FRAME_SIZE = 4096;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86_64. */
export const XDP_SHINFO_SIZE = 320;

export type XdpActionName = 'XDP_ABORTED' | 'XDP_DROP' | 'XDP_PASS' | 'XDP_TX' | 'XDP_REDIRECT';

export function xdpActionName(retval: number): XdpActionName | `unknown(${number})` {
  const names: XdpActionName[] = ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT'];
  return names[retval] ?? `unknown(${retval})`;
}

export interface XdpRunOptions extends ProgramOptions {
  /** ktime: a fixed value, or a function called on each bpf_ktime_get_ns. Default: starts at 1 s, +1 µs per call. */
  readonly clock?: bigint | (() => bigint);
  /** Seed of bpf_get_prandom_u32 (default 1). */
  readonly seed?: number;
  /** The CPU the program runs on (bpf_get_smp_processor_id, per-CPU map slot). */
  readonly cpu?: number;
  /** Record an instruction trace: true (up to 100000 entries) or a limit. */
  readonly trace?: boolean | number;
  /** Instruction budget per run (default 10M). */
  readonly budget?: number;
  readonly ingressIfindex?: number;
  readonly rxQueueIndex?: number;
  /** Headroom before the packet (default 256). */
  readonly headroom?: number;
  /** Diff the program's maps before and after the run (default true; maps above MAX_DIFFED_ENTRIES are skipped). */
  readonly diffMaps?: boolean;
  /** Extra or replacement helpers by id. */
  readonly helpers?: readonly (HelperFn | undefined)[];
  /** 'auto' (default: interpret, compile once hot), 'compiled' or 'interpreter'. */
  readonly engine?: VmEngine;
}

export interface MapChange {
  readonly map: string;
  /** Key bytes, hex. */
  readonly key: string;
  /** Value before (hex), or null when the key was absent. */
  readonly before: string | null;
  readonly after: string | null;
}

export interface XdpResult {
  readonly action: XdpActionName | `unknown(${number})`;
  /** r0 truncated to 32 bits, as BPF_PROG_TEST_RUN reports it. */
  readonly retval: number;
  /** All of r0. */
  readonly r0: bigint;
  /** The packet after the run (data..data_end). */
  readonly packet: Uint8Array;
  /** Metadata in front of the packet (data_meta..data). */
  readonly meta: Uint8Array;
  /** What BPF_PROG_TEST_RUN returns as data_out: metadata followed by the packet (data_meta..data_end). */
  readonly dataOut: Uint8Array;
  readonly mapChanges: readonly MapChange[];
  readonly events: readonly RingbufEvent[];
  readonly printk: readonly string[];
  readonly redirect?: RedirectRecord;
  /** Instructions executed. */
  readonly instructions: number;
  readonly trace?: readonly TraceEntry[];
  readonly traceTruncated?: boolean;
}

export function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}

/** Maps with more possible entries than this are left out of mapChanges (diffing costs a full copy). */
export const MAX_DIFFED_ENTRIES = 65_536;

function snapshot(maps: readonly VmMap[]): Map<VmMap, Map<string, string>> {
  const out = new Map<VmMap, Map<string, string>>();
  for (const m of maps) {
    if (m.type === 'ringbuf' || m.type === 'prog_array' || m.maxEntries > MAX_DIFFED_ENTRIES) continue;
    out.set(m, new Map(m.entries().map((e) => [hex(e.key), hex(e.value)])));
  }
  return out;
}

function diff(before: Map<VmMap, Map<string, string>>, after: Map<VmMap, Map<string, string>>): MapChange[] {
  const out: MapChange[] = [];
  for (const [map, b] of before) {
    const a = after.get(map)!;
    for (const [k, v] of b) {
      const now = a.get(k);
      if (now !== v) out.push({ map: map.name, key: k, before: v, after: now ?? null });
    }
    for (const [k, v] of a) if (!b.has(k)) out.push({ map: map.name, key: k, before: null, after: v });
  }
  return out;
}

/**
 * A reusable XDP runner: prepares the program once, keeps map state between runs.
 * `run(packet)` never throws anything but VmFault (the program faulted) or VmError.
 */
export class XdpVm {
  readonly program: VmProgram;
  private readonly machine: Machine;
  private readonly opts: XdpRunOptions;
  private readonly frame = new Uint8Array(XDP_FRAME_SIZE);
  private readonly xdp: XdpBuffer;
  private readonly head: number;

  constructor(program: VmProgram | readonly Instruction[], opts: XdpRunOptions = {}) {
    this.opts = opts;
    this.program = isPrepared(program) ? program : prepareProgram(program, opts);
    const head = opts.headroom ?? XDP_HEADROOM;
    if (!Number.isInteger(head) || head < 0 || head > XDP_FRAME_SIZE - XDP_SHINFO_SIZE) throw new VmError(`headroom ${head} does not fit the frame`);
    this.head = head;
    // A NaN budget never runs out (NaN < 0 is false): every number option is checked here.
    const whole = (name: string, v: number | undefined, max: number): void => {
      if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= max)) throw new VmError(`${name} ${v} is not an integer in [0, ${max}]`);
    };
    whole('budget', opts.budget, Number.MAX_SAFE_INTEGER);
    whole('cpu', opts.cpu, 4095);
    whole('ingressIfindex', opts.ingressIfindex, 0xffffffff);
    whole('rxQueueIndex', opts.rxQueueIndex, 0xffffffff);
    if (typeof opts.trace === 'number') whole('trace', opts.trace, 100_000_000);
    const traceLimit = opts.trace === true ? 100_000 : typeof opts.trace === 'number' ? opts.trace : 0;
    const helpers = opts.helpers ? mergeHelpers(DEFAULT_HELPERS, opts.helpers) : DEFAULT_HELPERS;
    this.xdp = {
      frame: this.frame, meta: head, data: head, end: head, hardEnd: XDP_FRAME_SIZE - XDP_SHINFO_SIZE, low: head, high: head,
      ingressIfindex: opts.ingressIfindex ?? 1, rxQueueIndex: opts.rxQueueIndex ?? 0, egressIfindex: 0,
    };
    this.machine = new Machine(this.program, this.newState(), { helpers, traceLimit, engine: opts.engine ?? 'auto', ...(opts.budget !== undefined ? { budget: opts.budget } : {}) });
    const x = this.xdp;
    this.machine.setRegion(REGION_CTX, 'ctx', 'xdp_md', new Uint8Array(XDP_MD_SIZE), { writable: false, ctx: xdpContext(() => x, REGION_PACKET) });
    x.region = this.machine.setRegion(REGION_PACKET, 'packet', 'packet', this.frame, { start: head, end: head });
  }

  private newState(): RunState {
    const clock = this.opts.clock;
    const st = newRunState({
      cpu: this.opts.cpu ?? 0,
      ...(typeof clock === 'bigint' ? { clock: () => clock } : typeof clock === 'function' ? { clock } : {}),
    });
    st.random = seededRandom(this.opts.seed ?? 1);
    return st;
  }

  /**
   * Run `count` times the way BPF_PROG_TEST_RUN's repeat does: the packet is set up once and
   * carries over from run to run (so do map changes); only the registers start afresh.
   */
  repeat(packet: Uint8Array, count: number): XdpRepeatResult {
    if (!Number.isInteger(count) || count < 1) throw new VmError(`repeat count ${count} must be a positive integer`);
    this.setup(packet);
    const m = this.machine;
    m.reset();
    let r0 = 0;
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      m.resetRegisters();
      m.setRegPair(1, regionHi(REGION_CTX), regionLo(0));
      m.runRaw();
      r0 = m.lo[0]!;
    }
    const ms = performance.now() - t0;
    return { retval: r0 >>> 0, durationNs: (ms * 1e6) / count, instructions: m.budgetLimit - m.budget };
  }

  /** Lay the packet into a fresh frame and reset per-run state (shared by run and repeat). */
  private setup(packet: Uint8Array): RunState {
    const head = this.head;
    if (packet.length + head > XDP_FRAME_SIZE - XDP_SHINFO_SIZE) {
      throw new VmError(`packet of ${packet.length} bytes does not fit a ${XDP_FRAME_SIZE}-byte frame with ${head} bytes of headroom`);
    }
    const m = this.machine;
    m.program = this.program; // a tail call may have switched it
    const state = this.newState();
    m.state = state;
    // The frame starts zeroed, as the kernel's: clear what the previous run could have written.
    const x = this.xdp;
    this.frame.fill(0, x.low, x.high);
    this.frame.set(packet, head);
    x.meta = head; x.data = head; x.end = head + packet.length; x.low = head; x.high = x.end;
    syncWindow(x);
    state.xdp = x;
    for (const map of this.program.maps) if (map instanceof RingbufMap) map.drain();
    return state;
  }

  /** Run once on `packet`. */
  run(packet: Uint8Array): XdpResult {
    const m = this.machine;
    const x = this.xdp;
    const state = this.setup(packet);
    const before = this.opts.diffMaps === false ? undefined : snapshot(this.program.maps);

    m.reset();
    m.setRegPair(1, regionHi(REGION_CTX), regionLo(0));
    const r0 = m.run();

    const retval = Number(r0 & 0xffffffffn);
    const mapChanges = before === undefined ? [] : diff(before, snapshot(this.program.maps));
    const dataOut = this.frame.slice(x.meta, x.end);
    return {
      action: xdpActionName(retval),
      retval,
      r0,
      packet: dataOut.subarray(x.data - x.meta),
      meta: dataOut.subarray(0, x.data - x.meta),
      dataOut,
      mapChanges,
      events: state.events,
      printk: state.printk,
      ...(state.redirect ? { redirect: state.redirect } : {}),
      instructions: m.budgetLimit - m.budget,
      ...(m.traceLimit > 0 ? { trace: m.trace, traceTruncated: m.traceTruncated } : {}),
    };
  }
}

export interface XdpRepeatResult {
  /** r0 of the last run, truncated to 32 bits. */
  readonly retval: number;
  /** Mean wall time per run, in nanoseconds. */
  readonly durationNs: number;
  /** Instructions the last run executed. */
  readonly instructions: number;
}

function isPrepared(p: VmProgram | readonly Instruction[]): p is VmProgram {
  return !Array.isArray(p) && typeof (p as VmProgram).slots === 'number';
}

function mergeHelpers(base: readonly (HelperFn | undefined)[], extra: readonly (HelperFn | undefined)[]): (HelperFn | undefined)[] {
  const out = [...base];
  extra.forEach((fn, id) => {
    if (fn !== undefined) out[id] = fn;
  });
  return out;
}

/** Run an XDP program once on a packet. Maps passed in `maps` keep their changes. */
export function runXdp(program: VmProgram | readonly Instruction[], packet: Uint8Array, opts: XdpRunOptions = {}): XdpResult {
  return new XdpVm(program, opts).run(packet);
}

export { XdpAction };
