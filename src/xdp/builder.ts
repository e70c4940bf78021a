// `p`, the object an XDP program body receives. Every method is one DSL statement: it
// records the user's source line and emits the instructions, including the packet bounds
// checks, NULL checks and byte-order conversions the verifier and the wire need.
import { r0, r1, r2, r3, r4, r5, r6, r10 } from '../asm/dsl/registers.js';
import { add, mov } from '../asm/dsl/alu.js';
import { call, callLocal, exit } from '../asm/dsl/call.js';
import { ja, jumpIf } from '../asm/dsl/jump.js';
import { label as asmLabel } from '../asm/dsl/label.js';
import { ldMap } from '../asm/dsl/ld-imm64.js';
import { load, store, storeImm } from '../asm/dsl/memory.js';
import type { ConstDef, MapDef, RingbufDef } from './declarations.js';
import type { Input } from './compiler/buffers.js';
import { evalNode, jumpIfFalse } from './compiler/compile-value.js';
import type { Emitter } from './compiler/emitter.js';
import { emitCount, emitDelete, emitLookup, emitRingbufOutput, emitUpdate, resultVal, type UpdateFlag } from './compiler/map-ops.js';
import type { MapValue } from './compiler/map-value.js';
import { statement, userCode } from './compiler/statement.js';
import { constVal, Cond, toNode, Val, type Operand, type Scoped } from './compiler/value.js';
import type { BytesRef, HeaderOf } from './packet/header.js';
import {
  ACTION_BY_NAME, ARP, ETH, ICMP, ICMP6, IPV4, IPV6, IpProto, TCP, UDP, VLAN, XdpMd, type ActionName,
} from './packet/layouts.js';
import { parseArp, parseIpv4, parseIpv6, parseL2, parseL4v4, parseL4v6, parseVlan, type L2, type L4Layout } from './packet/parse.js';
import { emitSwapMacs, emitTruncate, emitVlanPop, emitVlanPush } from './packet/writes.js';
import { compileSubprogram, subprogramLabel, type Arity, type SubprogramDef } from './subprogram.js';
import type { Schema } from './schema/types.js';

export type Ipv4Header = HeaderOf<typeof IPV4>;
export type Ipv6Header = HeaderOf<typeof IPV6>;
export type { UpdateFlag };

/** Argument registers of a bpf-to-bpf call. */
const ARG_REGS = [r1, r2, r3, r4, r5];

export type EthHeader = HeaderOf<typeof ETH>;
export type VlanHeader = HeaderOf<typeof VLAN>;
export type ArpHeader = HeaderOf<typeof ARP>;
export type UdpHeader = HeaderOf<typeof UDP>;
export type TcpHeader = HeaderOf<typeof TCP>;
export type IcmpHeader = HeaderOf<typeof ICMP>;
export type Icmp6Header = HeaderOf<typeof ICMP6>;
export type IpHeader = Ipv4Header | Ipv6Header;

export interface GuardOptions {
  /** What to do with packets that do not have this header (default 'pass'). */
  readonly otherwise?: ActionName;
}

/** A variable: a stack slot that can be reassigned. */
export class Var extends Val {
  constructor(
    node: Val['node'],
    private readonly e: Emitter,
    private readonly off: number,
  ) {
    super(node);
  }
  set(value: Operand): void {
    statement(() => {
      if (this.node.k === 'slot') this.e.checkScope(this.node.owner);
      const reg = evalNode(this.e, toNode(value), 0);
      this.e.emit(store('u64', r10, this.off, reg));
    });
  }
}

export interface LoopControl {
  break(): void;
  continue(): void;
}

/** The largest loop bound accepted: each iteration is explored by the verifier. */
export const MAX_LOOP = 1 << 16;
export const MAX_UNROLL = 256;


export class XdpBuilder {
  private l2Cache: L2 | undefined;
  private readonly failLabels = new Map<number, string>();

  constructor(
    private readonly e: Emitter,
    private readonly maxVlans: number,
  ) {}

  // ---- packet parsing: guards (missing header → `otherwise`) ----

  eth(opts: GuardOptions = {}): EthHeader {
    return statement(() => this.l2(this.fail(opts)).eth);
  }
  vlan(opts: GuardOptions = {}): VlanHeader {
    return statement(() => {
      const fail = this.fail(opts);
      return parseVlan(this.e, this.l2(fail), fail);
    });
  }
  arp(opts: GuardOptions = {}): ArpHeader {
    return statement(() => {
      const fail = this.fail(opts);
      return parseArp(this.e, this.l2(fail), fail);
    });
  }
  ipv4(opts: GuardOptions = {}): Ipv4Header {
    return statement(() => {
      const fail = this.fail(opts);
      return parseIpv4(this.e, this.l2(fail), fail);
    });
  }
  ipv6(opts: GuardOptions = {}): Ipv6Header {
    return statement(() => {
      const fail = this.fail(opts);
      return parseIpv6(this.e, this.l2(fail), fail);
    });
  }
  udp(ip: IpHeader, opts: GuardOptions = {}): UdpHeader {
    return statement(() => this.l4(ip, UDP, IpProto.UDP, this.fail(opts)));
  }
  tcp(ip: IpHeader, opts: GuardOptions = {}): TcpHeader {
    return statement(() => this.l4(ip, TCP, IpProto.TCP, this.fail(opts)));
  }
  icmp(ip: Ipv4Header, opts: GuardOptions = {}): IcmpHeader {
    return statement(() => this.l4(ip, ICMP, IpProto.ICMP, this.fail(opts)));
  }
  icmp6(ip: Ipv6Header, opts: GuardOptions = {}): Icmp6Header {
    return statement(() => this.l4(ip, ICMP6, IpProto.ICMPV6, this.fail(opts)));
  }

  // ---- packet parsing: scoped (header present → then, else → orElse) ----

  ifIpv4(then: (ip: Ipv4Header) => void, orElse?: () => void): void {
    statement(() => this.scoped((fail) => parseIpv4(this.e, this.l2(fail), fail), then, orElse));
  }
  ifIpv6(then: (ip: Ipv6Header) => void, orElse?: () => void): void {
    statement(() => this.scoped((fail) => parseIpv6(this.e, this.l2(fail), fail), then, orElse));
  }
  ifArp(then: (arp: ArpHeader) => void, orElse?: () => void): void {
    statement(() => this.scoped((fail) => parseArp(this.e, this.l2(fail), fail), then, orElse));
  }
  ifVlan(then: (vlan: VlanHeader) => void, orElse?: () => void): void {
    statement(() => this.scoped((fail) => parseVlan(this.e, this.l2(fail), fail), then, orElse));
  }
  ifUdp(ip: IpHeader, then: (udp: UdpHeader) => void, orElse?: () => void): void {
    statement(() => this.scoped((fail) => this.l4(ip, UDP, IpProto.UDP, fail), then, orElse));
  }
  ifTcp(ip: IpHeader, then: (tcp: TcpHeader) => void, orElse?: () => void): void {
    statement(() => this.scoped((fail) => this.l4(ip, TCP, IpProto.TCP, fail), then, orElse));
  }
  ifIcmp(ip: Ipv4Header, then: (icmp: IcmpHeader) => void, orElse?: () => void): void {
    statement(() => this.scoped((fail) => this.l4(ip, ICMP, IpProto.ICMP, fail), then, orElse));
  }
  ifIcmp6(ip: Ipv6Header, then: (icmp: Icmp6Header) => void, orElse?: () => void): void {
    statement(() => this.scoped((fail) => this.l4(ip, ICMP6, IpProto.ICMPV6, fail), then, orElse));
  }

  /** Number of VLAN tags in front of the L3 header (0..maxVlans). */
  vlanCount(): Val {
    return statement(() => {
      const l2 = this.l2(this.fail({}));
      return new Val({ k: 'slot', off: l2.vlanCountSlot, owner: l2Scope(l2) });
    });
  }
  /** EtherType after VLAN tags. */
  etherType(): Val {
    return statement(() => {
      const l2 = this.l2(this.fail({}));
      return new Val({ k: 'slot', off: l2.protoSlot, owner: l2Scope(l2) });
    });
  }

  /** Packet access, XDP actions and the context exist in the program, not in subprograms. */
  private needContext(what: string): void {
    if (this.e.subprogram !== undefined) throw this.e.error(`${what} is not available in subprogram ${this.e.subprogram}: it has no packet; pass values as arguments`);
  }

  private l2(fail: string): L2 {
    this.needContext('packet access');
    const c = this.l2Cache;
    if (c !== undefined && c.gen === this.e.gen && this.e.isOpen(c.block)) return c;
    this.l2Cache = parseL2(this.e, this.maxVlans, fail);
    return this.l2Cache;
  }

  private l4<L extends L4Layout>(ip: IpHeader, layout: L, proto: number, fail: string): HeaderOf<L> {
    if (ip.layout === IPV4) return parseL4v4(this.e, ip as Ipv4Header, layout, proto, fail);
    return parseL4v6(this.e, ip as Ipv6Header, layout, proto, fail);
  }

  private fail(opts: GuardOptions): string {
    const action = ACTION_BY_NAME[opts.otherwise ?? 'pass'];
    if (action === undefined) throw this.e.error(`unknown action '${String(opts.otherwise)}'`);
    let l = this.failLabels.get(action);
    if (l === undefined) {
      l = this.e.newLabel(`otherwise_${opts.otherwise ?? 'pass'}`);
      this.failLabels.set(action, l);
      this.e.tails.push([labelItem(l), mov(r0, action), exit()]);
    }
    return l;
  }

  private scoped<H>(parse: (fail: string) => H, then: (h: H) => void, orElse?: () => void): void {
    const e = this.e;
    const no = e.newLabel('no_header');
    const end = e.newLabel('end');
    e.inBlock(() => {
      const h = parse(no);
      userCode(() => then(h));
      e.emit(ja(end));
    });
    e.place(no);
    if (orElse !== undefined) e.inBlock(() => userCode(orElse));
    e.place(end);
  }

  // ---- control flow ----

  if(cond: Cond, then: () => void, orElse?: () => void): void {
    statement(() => {
      const e = this.e;
      const no = e.newLabel('else');
      const end = e.newLabel('endif');
      jumpIfFalse(e, cond.node, no);
      e.inBlock(() => userCode(then));
      e.emit(ja(end));
      e.place(no);
      if (orElse !== undefined) e.inBlock(() => userCode(orElse));
      e.place(end);
    });
  }

  /** A variable, initialised here: `const n = p.let(0); n.set(n.add(1))`. */
  let(init: Operand = 0): Var {
    return statement(() => {
      const e = this.e;
      const off = e.alloc(8, 'variable');
      const reg = evalNode(e, toNode(init), 0);
      e.emit(store('u64', r10, off, reg));
      const owner: Scoped = { block: e.block, what: 'a variable' };
      return new Var({ k: 'slot', off, owner }, e, off);
    });
  }

  /**
   * A loop of at most `max` iterations (a number known at build time): the verifier follows
   * each iteration, so the bound must be a constant. `i` counts from 0.
   */
  loop(max: number, body: (i: Val, ctl: LoopControl) => void): void {
    statement(() => {
      const e = this.e;
      if (typeof max !== 'number' || !Number.isInteger(max) || max < 0) {
        throw e.error('unbounded loop: the iteration bound must be a non-negative integer known at build time (the verifier must see the loop end)');
      }
      if (max > MAX_LOOP) throw e.error(`loop bound ${max} is above ${MAX_LOOP}: the verifier explores every iteration; use a smaller bound`);
      const i = e.alloc(8, 'loop counter');
      const top = e.newLabel('loop');
      const next = e.newLabel('loop_next');
      const end = e.newLabel('loop_end');
      e.emit(storeImm('u64', r10, i, 0));
      e.place(top);
      e.emit(load('u64', r1, r10, i), jumpIf(r1, '>=', max, end));
      const owner: Scoped = { block: 0, what: 'the loop counter' };
      e.inBlock(() => {
        const counter = new Val({ k: 'slot', off: i, owner: { ...owner, block: e.block } });
        const ctl: LoopControl = {
          break: () => statement(() => e.emit(ja(end))),
          continue: () => statement(() => e.emit(ja(next))),
        };
        userCode(() => body(counter, ctl));
      });
      e.place(next);
      e.emit(load('u64', r1, r10, i), add(r1, 1), store('u64', r10, i, r1), ja(top));
      e.place(end);
    });
  }

  /** Repeat `body` n times at build time (k is a plain number): no loop for the verifier to follow. */
  unroll(n: number, body: (k: number) => void): void {
    statement(() => {
      if (!Number.isInteger(n) || n < 0 || n > MAX_UNROLL) throw this.e.error(`unroll count must be an integer in 0..${MAX_UNROLL}`);
      for (let k = 0; k < n; k++) this.e.inBlock(() => userCode(() => body(k)));
    });
  }

  // ---- actions ----

  pass(): void { statement(() => this.action(ACTION_BY_NAME.pass)); }
  drop(): void { statement(() => this.action(ACTION_BY_NAME.drop)); }
  tx(): void { statement(() => this.action(ACTION_BY_NAME.tx)); }
  aborted(): void { statement(() => this.action(ACTION_BY_NAME.aborted)); }
  /** Return an action by name or a computed value. */
  return(action: ActionName | Operand): void {
    statement(() => {
      if (typeof action === 'string') {
        const code = ACTION_BY_NAME[action];
        if (code === undefined) throw this.e.error(`unknown action '${action}'`);
        return this.action(code);
      }
      const reg = evalNode(this.e, toNode(action), 0);
      this.e.emit(mov(r0, reg), exit());
    });
  }

  private action(code: number): void {
    this.needContext('an XDP action');
    this.e.emit(mov(r0, code), exit());
  }

  /** bpf_redirect(ifindex, 0): send out of another interface. */
  redirect(ifindex: Operand): void {
    statement(() => {
      this.needContext('redirect');
      evalNode(this.e, toNode(ifindex), 0);
      this.e.emit(mov(r2, 0), call('redirect'), exit());
    });
  }

  /** bpf_redirect_map: to a devmap port, a cpumap CPU or an xskmap socket; `otherwise` when the slot is empty. */
  redirectMap(m: MapDef, key: Operand, opts: GuardOptions = {}): void {
    statement(() => {
      this.needContext('redirect');
      if (!['devmap', 'devmap_hash', 'cpumap', 'xskmap'].includes(m.type)) throw this.e.error(`map '${m.name}' is a ${m.type}: redirect needs a devmap, cpumap or xskmap`);
      this.e.maps.add(m);
      evalNode(this.e, toNode(key), 1); // r2
      this.e.emit(ldMap(r1, m.name), mov(r3, ACTION_BY_NAME[opts.otherwise ?? 'pass']), call('redirect_map'), exit());
    });
  }

  // ---- helpers ----

  /** bpf_ktime_get_ns(). */
  ktime(): Val {
    return statement(() => this.callValue('ktime_get_ns'));
  }
  /** bpf_get_prandom_u32(). */
  random(): Val {
    return statement(() => this.callValue('get_prandom_u32'));
  }
  /** bpf_get_smp_processor_id(). */
  cpu(): Val {
    return statement(() => this.callValue('get_smp_processor_id'));
  }
  /** The packet's length in bytes (bpf_xdp_get_buff_len). */
  packetLength(): Val {
    return statement(() => {
      this.needContext('the packet length');
      this.e.emit(mov(r1, r6));
      return this.callValue('xdp_get_buff_len');
    });
  }
  get ingressIfindex(): Val {
    this.needContext('the context');
    return new Val({ k: 'ctx', off: XdpMd.ingress_ifindex });
  }
  get rxQueue(): Val {
    this.needContext('the context');
    return new Val({ k: 'ctx', off: XdpMd.rx_queue_index });
  }
  /** A load-time constant's value (from `.rodata`). */
  const(def: ConstDef): Val {
    return constVal(def);
  }

  private callValue(helper: 'ktime_get_ns' | 'get_prandom_u32' | 'get_smp_processor_id' | 'xdp_get_buff_len'): Val {
    const off = this.e.alloc(8, 'helper result');
    this.e.emit(call(helper), store('u64', r10, off, r0));
    return new Val({ k: 'slot', off, owner: { block: this.e.block, what: `the result of ${helper}` } });
  }

  /**
   * bpf_csum_diff(from, to, seed): the checksum difference between two byte ranges of parsed
   * headers (multiples of 4 bytes, e.g. addresses), for checksum fix-ups of larger rewrites.
   */
  csumDiff(from: BytesRef | undefined, to: BytesRef | undefined, seed: Operand = 0): Val {
    return statement(() => {
      const e = this.e;
      for (const b of [from, to]) {
        if (b === undefined) continue;
        e.checkPacket(b.ref);
        if (b.size % 4 !== 0) throw e.error(`csum_diff works on multiples of 4 bytes; this range has ${b.size}`);
      }
      const tmp = e.alloc(8, 'seed');
      evalNode(e, toNode(seed), 0);
      e.emit(store('u64', r10, tmp, r1));
      const ptr = (b: BytesRef | undefined, reg: typeof r1, size: typeof r1): void => {
        if (b === undefined) e.emit(mov(reg, 0), mov(size, 0));
        else e.emit(load('u64', reg, r10, b.ref.slot), add(reg, b.off), mov(size, b.size));
      };
      ptr(from, r1, r2);
      ptr(to, r3, r4);
      e.emit(load('u64', r5, r10, tmp), call('csum_diff'));
      return this.result('csum_diff');
    });
  }

  /** bpf_xdp_adjust_head(delta): grow (<0) or shrink (>0) the front. Every parsed header becomes invalid. */
  adjustHead(delta: Operand): Val {
    return statement(() => this.resize('xdp_adjust_head', delta));
  }
  /** bpf_xdp_adjust_tail(delta). Every parsed header becomes invalid. */
  adjustTail(delta: Operand): Val {
    return statement(() => this.resize('xdp_adjust_tail', delta));
  }
  /** bpf_xdp_adjust_meta(delta). Every parsed header becomes invalid. */
  adjustMeta(delta: Operand): Val {
    return statement(() => this.resize('xdp_adjust_meta', delta));
  }

  private resize(helper: 'xdp_adjust_head' | 'xdp_adjust_tail' | 'xdp_adjust_meta', delta: Operand): Val {
    this.needContext(helper);
    evalNode(this.e, toNode(delta), 1); // r2
    this.e.emit(mov(r1, r6), call(helper));
    this.e.gen++;
    const off = this.e.alloc(8, 'helper result');
    this.e.emit(store('u64', r10, off, r0));
    return new Val({ k: 'slot', off, owner: { block: this.e.block, what: `the result of ${helper}` } });
  }

  // ---- packet writes ----

  /** Swap source and destination MAC (for XDP_TX replies). */
  swapMacs(eth: EthHeader): void {
    statement(() => {
      this.needContext('packet writes');
      emitSwapMacs(this.e, eth);
    });
  }

  /** TTL (IPv4, with checksum update) or hop limit (IPv6) minus one. Check it is > 1 first. */
  decrementTtl(ip: IpHeader): void {
    statement(() => {
      if (ip.layout === IPV4) (ip as Ipv4Header).set('ttl', (ip as Ipv4Header).ttl.sub(1));
      else (ip as Ipv6Header).set('hop_limit', (ip as Ipv6Header).hop_limit.sub(1));
    });
  }

  /** Remove the outer 802.1Q/802.1ad tag, if any. Headers parsed before become invalid. */
  vlanPop(): void {
    statement(() => {
      this.needContext('packet writes');
      emitVlanPop(this.e, this.fail({ otherwise: 'aborted' }));
    });
  }

  /** Insert an 802.1Q tag with this TCI (priority << 13 | VLAN id). Headers parsed before become invalid. */
  vlanPush(tci: Operand): void {
    statement(() => {
      this.needContext('packet writes');
      emitVlanPush(this.e, tci, this.fail({ otherwise: 'aborted' }));
    });
  }

  /** Cut the packet to at most `length` bytes (bpf_xdp_adjust_tail). Headers parsed before become invalid. */
  truncate(length: Operand): void {
    statement(() => {
      this.needContext('packet writes');
      emitTruncate(this.e, length, this.fail({ otherwise: 'aborted' }));
    });
  }

  // ---- subprograms ----

  /** Call a subprogram (bpf-to-bpf call) and get its result. */
  call<N extends Arity>(fn: SubprogramDef<N>, ...args: Operand[]): Val {
    return statement(() => {
      const e = this.e;
      if (args.length !== fn.arity) throw e.error(`${fn.name} takes ${fn.arity} argument(s), got ${args.length}`);
      if (fn.name === e.subprogram) throw e.error(`${fn.name} calls itself: BPF has no recursion`);
      const prev = e.calls.get(fn.name);
      if (prev !== undefined && prev.def !== fn) throw e.error(`two different subprograms are named '${fn.name}'`);
      if (prev === undefined) e.calls.set(fn.name, { label: subprogramLabel(fn), def: fn, arity: fn.arity, compile: (parent) => compileSubprogram(fn, parent) });
      // Arguments go through the stack: evaluating one may need the registers of another.
      const tmp = args.map((a) => {
        const off = e.alloc(8, 'call argument');
        const reg = evalNode(e, toNode(a), 0);
        e.emit(store('u64', r10, off, reg));
        return off;
      });
      tmp.forEach((off, i) => e.emit(load('u64', ARG_REGS[i]!, r10, off)));
      e.emit(callLocal(subprogramLabel(fn)));
      return this.result(fn.name);
    });
  }

  // ---- maps ----

  /** Look up `key`; `found` runs with the (non-NULL) value, `missing` otherwise. */
  lookup<K extends Schema, V extends Schema>(m: MapDef<K, V>, key: Input<K>, found: (v: MapValue<V>) => void, missing?: () => void): void {
    statement(() => emitLookup(this.e, m, key, found, missing));
  }

  /** bpf_map_update_elem; returns the helper's result (0 or -errno). */
  update<K extends Schema, V extends Schema>(m: MapDef<K, V>, key: Input<K>, value: Input<V>, flag: UpdateFlag = 'any'): Val {
    return statement(() => emitUpdate(this.e, m, key, value, flag));
  }

  /** bpf_map_delete_elem; returns the helper's result. */
  delete<K extends Schema>(m: MapDef<K>, key: Input<K>): Val {
    return statement(() => emitDelete(this.e, m, key));
  }

  /**
   * Add to counters: `p.count(stats, proto, { packets: 1, bytes: len })`. Atomic on shared
   * maps; a missing hash entry is created with these amounts.
   */
  count<K extends Schema, V extends Schema>(m: MapDef<K, V>, key: Input<K>, amounts: V extends Schema ? Input<V> : never): void {
    statement(() => emitCount(this.e, m, key, amounts));
  }

  /** Send a typed event to a ring buffer (bpf_ringbuf_output); returns the helper's result. */
  emit<E extends Schema>(rb: RingbufDef<E>, event: Input<E>): Val {
    return statement(() => emitRingbufOutput(this.e, rb, event));
  }

  private result(helper: string): Val {
    return resultVal(this.e, helper);
  }
}

function l2Scope(l2: L2): Scoped {
  return { block: l2.block, what: 'the Ethernet parse' };
}

const labelItem = (name: string) => asmLabel(name);
