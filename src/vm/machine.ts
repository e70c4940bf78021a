// The interpreter: eBPF semantics of RFC 9669 plus the Linux extensions (v4, atomics,
// load_acquire/store_release, may_goto, gotol, callx, bpf-to-bpf calls, LD_ABS/IND).
// Registers are (hi, lo) int32 pairs; every memory access goes through the address space
// and its region checks; anything wrong becomes a VmFault, never a stray exception.
import { helperName } from '../asm/helpers.js';
import { VmFault, type VmFaultKind } from './errors.js';
import { bigHi, bigLo, bswap16, bswap32, cmpS64, cmpU64, mulHiU32, toBigS, toBigU } from './int64.js';
import type { VmMap } from './maps/map.js';
import { ArrayMap } from './maps/array.js';
import {
  AddressSpace, FUNC_PTR_HI, MAP_PTR_HI, REGION_HI_BASE, REGION_LO_BASE, addressOf, regionHi, regionLo,
  type Region, type RegionKind,
} from './memory.js';
import type { VmProgram } from './program.js';
import { compiled, type CompiledProgram } from './jit.js';
import type { RunState } from './state.js';

/** A helper reads r1..r5 from the machine and sets r0 (m.setR0*). */
export type HelperFn = (m: Machine) => void;

/** Nested bpf-to-bpf frames, as the kernel's MAX_CALL_FRAMES. */
export const MAX_CALL_FRAMES = 8;
/** Bytes of stack per frame. */
export const STACK_SIZE = 512;
/** Fixed region ids: one stack per frame, then ctx, packet and the conformance memory. */
export const REGION_CTX = MAX_CALL_FRAMES;
export const REGION_PACKET = MAX_CALL_FRAMES + 1;
export const REGION_MEM = MAX_CALL_FRAMES + 2;
const FIXED_REGIONS = MAX_CALL_FRAMES + 3;
/** may_goto's budget per run (the kernel's BPF_MAX_LOOPS). */
export const MAY_GOTO_LOOPS = 8 * 1024 * 1024;
/** Tail calls per run (MAX_TAIL_CALL_CNT). */
export const MAX_TAIL_CALLS = 33;

export interface TraceEntry {
  /** Slot index. */
  readonly pc: number;
  /** Instruction index. */
  readonly insn: number;
  /** Call depth (0 = main program). */
  readonly depth: number;
  /** r0..r10 before the instruction ran. */
  readonly regs: readonly bigint[];
}

export interface MachineOptions {
  /** Instructions a run may execute before a 'budget' fault (default 10M). */
  readonly budget?: number;
  /** Helpers by id. */
  readonly helpers?: readonly (HelperFn | undefined)[];
  /** Record an instruction trace, up to this many entries (runs interpreted). */
  readonly traceLimit?: number;
  /**
   * 'auto' (default): interpret a program until it has run HOT_INSTRUCTIONS instructions,
   * then compile it to a JavaScript function; 'compiled': compile at once; 'interpreter': never.
   */
  readonly engine?: VmEngine;
}

export type VmEngine = 'auto' | 'compiled' | 'interpreter';

/** Instructions a program runs interpreted before 'auto' compiles it (compiling costs a few ms). */
export const HOT_INSTRUCTIONS = 200_000;
const executed = new WeakMap<VmProgram, number>();

const NO_TRACE: TraceEntry[] = [];
// Module-local copies: hot paths should not read imported bindings.
const HI_BASE = REGION_HI_BASE;
const LO_BASE = REGION_LO_BASE;

export class Machine {
  readonly lo = new Int32Array(11);
  readonly hi = new Int32Array(11);
  readonly mem = new AddressSpace(FIXED_REGIONS);
  program: VmProgram;
  state: RunState;
  helpers: readonly (HelperFn | undefined)[];
  budget: number;
  readonly budgetLimit: number;
  /** Current slot (valid during helper calls, for faults). */
  pc = 0;
  depth = 0;
  trace: TraceEntry[] = NO_TRACE;
  traceLimit: number;
  traceTruncated = false;
  readonly engine: VmEngine;
  /** @internal may_goto iterations left in this run. */
  mayGoto = MAY_GOTO_LOOPS;
  /** @internal set by bpf_tail_call, consumed by the run loop. */
  pendingTail: VmProgram | undefined;
  /** Saved r6..r10 (lo, hi) and return slot of each caller frame. */
  private readonly savedLo = new Int32Array(MAX_CALL_FRAMES * 5);
  private readonly savedHi = new Int32Array(MAX_CALL_FRAMES * 5);
  private readonly retPc = new Int32Array(MAX_CALL_FRAMES);
  private readonly stacks: Region[] = [];
  /**
   * Region ids of map values and records handed to the program. Kept across runs (their
   * DataViews are costly to remake) until there are too many; ringbuf records die each run.
   */
  private readonly exposed = new Map<Uint8Array, number>();
  private readonly records: number[] = [];
  /** Scratch for ctx loads and 64-bit memory loads. */
  private readonly scratch = new Int32Array(1);
  /** @internal high word of the last load */
  ldHi = 0;
  private off = 0;

  constructor(program: VmProgram, state: RunState, opts: MachineOptions = {}) {
    this.program = program;
    this.state = state;
    this.helpers = opts.helpers ?? [];
    this.budgetLimit = opts.budget ?? 10_000_000;
    this.budget = this.budgetLimit;
    this.traceLimit = opts.traceLimit ?? 0;
    this.engine = opts.engine ?? 'auto';
    for (let i = 0; i < MAX_CALL_FRAMES; i++) {
      this.stacks.push(this.mem.setFixed(i, 'stack', `stack frame ${i}`, new Uint8Array(STACK_SIZE)));
    }
  }

  // ---------------------------------------------------------------- setup

  /** Put a region at a fixed id (ctx, packet, conformance memory). */
  setRegion(id: number, kind: RegionKind, name: string, bytes: Uint8Array, opts: Parameters<AddressSpace['setFixed']>[4] = {}): Region {
    return this.mem.setFixed(id, kind, name, bytes, opts);
  }

  /** Address (hi, lo) of `offset` in a region. */
  static addr(region: Region, offset: number): [number, number] {
    return [regionHi(region.id), regionLo(offset)];
  }

  setReg(r: number, value: bigint): void {
    this.lo[r] = bigLo(value);
    this.hi[r] = bigHi(value);
  }

  setRegPair(r: number, hi: number, lo: number): void {
    this.hi[r] = hi;
    this.lo[r] = lo;
  }

  reg(r: number): bigint {
    return toBigU(this.hi[r]!, this.lo[r]!);
  }

  /** Reset per-run state: registers, stacks, budget, dynamic regions. */
  reset(): void {
    this.lo.fill(0);
    this.hi.fill(0);
    this.stacks[0]!.bytes.fill(0);
    this.depth = 0;
    this.budget = this.budgetLimit;
    this.mayGoto = MAY_GOTO_LOOPS;
    this.pendingTail = undefined;
    for (const id of this.records) this.unexpose(id);
    this.records.length = 0;
    if (this.mem.regions.length > FIXED_REGIONS + 4096) {
      this.mem.resetDynamic();
      this.exposed.clear();
    }
    this.trace = this.traceLimit > 0 ? [] : NO_TRACE;
    this.traceTruncated = false;
    this.hi[10] = regionHi(0);
    this.lo[10] = regionLo(STACK_SIZE);
  }

  /** Between repeated runs (BPF_PROG_TEST_RUN repeat semantics): registers and budget only. */
  resetRegisters(): void {
    const lo = this.lo, hi = this.hi;
    for (let i = 0; i < 11; i++) {
      lo[i] = 0;
      hi[i] = 0;
    }
    this.depth = 0;
    this.budget = this.budgetLimit;
    this.mayGoto = MAY_GOTO_LOOPS;
    this.hi[10] = regionHi(0);
    this.lo[10] = regionLo(STACK_SIZE);
  }

  /** Run the program from slot 0 (registers set by the caller after reset()). Returns r0. */
  run(): bigint {
    this.execAny(0, 0);
    return this.reg(0);
  }

  /** run() without building a bigint: r0 stays in lo[0]/hi[0]. */
  runRaw(): void {
    this.execAny(0, 0);
  }

  private hotProgram: VmProgram | undefined;
  private fnProgram: VmProgram | undefined;
  private fn: CompiledProgram | undefined;

  /** Run compiled code when allowed (no trace), the interpreter otherwise. */
  private execAny(pc: number, stopDepth: number): void {
    if (this.engine === 'interpreter' || this.traceLimit > 0) {
      this.exec(pc, stopDepth);
      return;
    }
    if (this.engine === 'auto' && this.program !== this.hotProgram) {
      const prog = this.program;
      const before = executed.get(prog) ?? 0;
      if (before >= HOT_INSTRUCTIONS) this.hotProgram = prog;
      else {
        const budget = this.budget;
        try {
          this.exec(pc, stopDepth);
        } finally {
          executed.set(prog, before + (budget - this.budget));
        }
        return;
      }
    }
    for (;;) {
      if (this.fnProgram !== this.program) {
        this.fnProgram = this.program;
        this.fn = compiled(this.program);
      }
      const fn = this.fn;
      if (fn === undefined) {
        this.exec(pc, stopDepth);
        return;
      }
      fn(this, pc, stopDepth);
      const next = this.pendingTail;
      if (next === undefined) return;
      this.pendingTail = undefined;
      this.program = next;
      this.stacks[this.depth]!.bytes.fill(0);
      pc = 0;
    }
  }

  // ---------------------------------------------------------------- helper API

  fault(kind: VmFaultKind, reason: string, address?: bigint, region?: string): VmFault {
    return new VmFault(kind, reason, this.pc, this.program.insnOfSlot[this.pc] ?? -1, address, region);
  }

  setR0(hi: number, lo: number): void {
    this.hi[0] = hi;
    this.lo[0] = lo;
  }

  /** r0 = a signed integer (|n| < 2^53). */
  setR0Int(n: number): void {
    this.lo[0] = n | 0;
    this.hi[0] = n < 0 ? Math.floor(n / 4294967296) | 0 : (n / 4294967296) | 0;
  }

  setR0Big(v: bigint): void {
    this.setReg(0, v);
  }

  /** The map a register points to (ld_imm64 src=1), or a helper-arg fault. */
  mapArg(r: number): VmMap {
    const maps = this.program.maps;
    if (this.hi[r] === MAP_PTR_HI && this.lo[r]! >= 0 && this.lo[r]! < maps.length) return maps[this.lo[r]!]!;
    throw this.fault('helper-arg', `r${r} is not a map pointer (${this.reg(r).toString(16)})`);
  }

  /**
   * `size` bytes the pointer in register `r` names: a view into the region's bytes, checked
   * like a program access. size 0 gives an empty view (and accepts NULL).
   */
  ptrArg(r: number, size: number, write: boolean): Uint8Array {
    if (size === 0 && this.hi[r] === 0 && this.lo[r] === 0) return new Uint8Array(0);
    const region = this.resolve(this.hi[r]!, this.lo[r]!, size, write);
    return region.bytes.subarray(this.off, this.off + size);
  }

  /** The region and offset a register points to (no size check beyond 1 byte of validity when size > 0). */
  regionArg(r: number): { region: Region; offset: number } | undefined {
    const region = this.mem.regionOf(this.hi[r]!);
    if (region === undefined || !region.alive) return undefined;
    return { region, offset: (this.lo[r]! >>> 0) - REGION_LO_BASE };
  }

  /** Expose a buffer (a map value, a record) to the program: its address, made once per run. */
  expose(bytes: Uint8Array, kind: RegionKind, name: string, writable = true): [number, number] {
    let id = this.exposed.get(bytes);
    if (id === undefined) {
      const r = this.mem.add(kind, name, bytes, writable);
      if (r === undefined) throw this.fault('budget', 'too many regions in one run');
      id = r.id;
      this.exposed.set(bytes, id);
      if (kind === 'ringbuf-record') this.records.push(id);
    }
    return [regionHi(id), regionLo(0)];
  }

  /** r0 = the address of an exposed buffer (no tuple allocated). */
  exposeToR0(bytes: Uint8Array, kind: RegionKind, name: string, writable = true): void {
    let id = this.exposed.get(bytes);
    if (id === undefined) id = this.expose(bytes, kind, name, writable)[0] - HI_BASE;
    this.hi[0] = (HI_BASE + id) | 0;
    this.lo[0] = LO_BASE | 0;
  }

  /** The u32 at the address in register r (key arguments of array maps), checked like a load. */
  u32Arg(r: number): number {
    return this.load(this.hi[r]!, this.lo[r]!, 4) >>> 0;
  }

  /** Forget an exposed buffer (ringbuf record after submit/discard): later accesses fault. */
  unexpose(id: number): void {
    const r = this.mem.regions[id];
    if (r !== undefined) {
      r.alive = false;
      this.exposed.delete(r.bytes);
    }
  }

  /** Switch to another program at the next instruction (bpf_tail_call). */
  tailCall(target: VmProgram): void {
    this.pendingTail = target;
  }

  /**
   * Call the function at slot `target` with r1..r5 = args (bpf_loop callbacks), as a
   * bpf-to-bpf call from the current frame; returns its r0 and restores r0..r5 afterwards
   * to nothing in particular (the helper sets r0 itself).
   */
  callFunction(target: number, args: readonly bigint[]): bigint {
    if (target < 0 || target >= this.program.slots || this.program.insnOfSlot[target]! < 0) {
      throw this.fault('helper-arg', `callback at slot ${target} is not an instruction`);
    }
    const savedPc = this.pc;
    this.pushFrame(savedPc);
    for (let i = 0; i < 5; i++) this.setReg(i + 1, args[i] ?? 0n);
    this.execAny(target, this.depth);
    // Compiled code checks the budget on backward jumps only: check between callbacks too.
    if (this.budget < 0) throw this.fault('budget', `instruction budget of ${this.budgetLimit} exhausted (in a callback)`);
    const r0 = this.reg(0);
    this.popFrame();
    this.pc = savedPc;
    return r0;
  }

  // ---------------------------------------------------------------- frames

  /** @internal */
  pushFrame(ret: number): void {
    if (this.depth + 1 >= MAX_CALL_FRAMES) throw this.fault('call-depth', `more than ${MAX_CALL_FRAMES} nested calls`);
    const b = this.depth * 5;
    for (let i = 0; i < 5; i++) {
      this.savedLo[b + i] = this.lo[6 + i]!;
      this.savedHi[b + i] = this.hi[6 + i]!;
    }
    this.retPc[this.depth] = ret;
    this.depth++;
    this.stacks[this.depth]!.bytes.fill(0);
    this.hi[10] = regionHi(this.depth);
    this.lo[10] = regionLo(STACK_SIZE);
  }

  /** Returns the caller's return slot. */
  /** @internal */
  popFrame(): number {
    this.depth--;
    const b = this.depth * 5;
    for (let i = 0; i < 5; i++) {
      this.lo[6 + i] = this.savedLo[b + i]!;
      this.hi[6 + i] = this.savedHi[b + i]!;
    }
    return this.retPc[this.depth]!;
  }

  // ---------------------------------------------------------------- memory

  /** Check an access and return its region; the offset is left in this.off. */
  private resolve(hi: number, lo: number, size: number, write: boolean): Region {
    const id = hi - HI_BASE;
    const regions = this.mem.regions;
    const r = id >= 0 && id < regions.length ? regions[id] : undefined;
    if (r === undefined || !r.alive) {
      throw this.fault('bad-pointer', `${write ? 'write to' : 'read from'} 0x${addressOf(hi, lo).toString(16)}, which is not in any region`, addressOf(hi, lo));
    }
    const off = (lo >>> 0) - LO_BASE;
    if (off < r.start || off + size > r.end) {
      throw this.fault('out-of-bounds', `${size}-byte ${write ? 'write' : 'read'} at offset ${off} of ${r.name} (valid ${r.start}..${r.end})`, addressOf(hi, lo), r.name);
    }
    if (write && !r.writable) throw this.fault('read-only', `write to read-only ${r.name} at offset ${off}`, addressOf(hi, lo), r.name);
    this.off = off;
    return r;
  }

  /** Load `size` bytes, zero-extended: returns lo, high word in this.ldHi. */
  private load(hi: number, lo: number, size: number): number {
    const r = this.resolve(hi, lo, size, false);
    const off = this.off;
    if (r.ctx !== undefined) {
      const v = r.ctx.load(off, size, this.scratch);
      if (v === undefined) throw this.fault('ctx-access', `invalid ${size}-byte context access at offset ${off}`, addressOf(hi, lo), r.name);
      this.ldHi = this.scratch[0]!;
      return v;
    }
    const view = r.view;
    this.ldHi = 0;
    switch (size) {
      case 1: return view.getUint8(off);
      case 2: return view.getUint16(off, true);
      case 4: return view.getInt32(off, true);
      default:
        this.ldHi = view.getInt32(off + 4, true);
        return view.getInt32(off, true);
    }
  }

  private store(hi: number, lo: number, size: number, vhi: number, vlo: number): void {
    const r = this.resolve(hi, lo, size, true);
    const off = this.off;
    const view = r.view;
    switch (size) {
      case 1: view.setUint8(off, vlo & 0xff); break;
      case 2: view.setUint16(off, vlo & 0xffff, true); break;
      case 4: view.setInt32(off, vlo, true); break;
      default:
        view.setInt32(off, vlo, true);
        view.setInt32(off + 4, vhi, true);
    }
  }

  /** @internal a load for compiled code: faults name `pc`. */
  ld(hi: number, lo: number, size: number, pc: number): number {
    this.pc = pc;
    return this.load(hi, lo, size);
  }

  /** @internal a store for compiled code. */
  st(hi: number, lo: number, size: number, vhi: number, vlo: number, pc: number): void {
    this.pc = pc;
    this.store(hi, lo, size, vhi, vlo);
  }

  /** @internal a fault at `pc` (compiled code). */
  faultAt(pc: number, kind: VmFaultKind, reason: string): VmFault {
    this.pc = pc;
    return this.fault(kind, reason);
  }

  // ---------------------------------------------------------------- execution

  private recordTrace(pc: number): void {
    if (this.trace.length >= this.traceLimit) {
      this.traceTruncated = true;
      return;
    }
    const regs: bigint[] = [];
    for (let i = 0; i <= 10; i++) regs.push(toBigU(this.hi[i]!, this.lo[i]!));
    this.trace.push({ pc, insn: this.program.insnOfSlot[pc]!, depth: this.depth, regs });
  }

  /** Run from `startPc` until an exit at depth `stopDepth`. */
  private exec(startPc: number, stopDepth: number): void {
    const lo = this.lo;
    const hi = this.hi;
    let prog = this.program;
    let ops = prog.op, dsts = prog.dst, srcs = prog.src, offs = prog.off, imms = prog.imm;
    let nslots = prog.slots;
    let pc = startPc;
    const tracing = this.traceLimit > 0;
    for (;;) {
      if (pc < 0 || pc >= nslots) {
        this.pc = pc < 0 ? 0 : nslots - 1;
        throw this.fault('pc-out-of-range', `control reached slot ${pc}, outside the program's ${nslots} slots`);
      }
      if (--this.budget < 0) {
        this.pc = pc;
        throw this.fault('budget', `instruction budget of ${this.budgetLimit} exhausted (infinite loop?)`);
      }
      if (tracing) this.recordTrace(pc);
      const op = ops[pc]!;
      const d = dsts[pc]!;
      const cls = op & 7;
      if (cls === 4 || cls === 7) {
        // ---------------------------------------------------------- ALU / ALU64
        const x = (op & 8) !== 0;
        const imm = imms[pc]!;
        const s = srcs[pc]!;
        const bl = x ? lo[s]! : imm;
        const code = op & 0xf0;
        if (cls === 4) {
          const a = lo[d]!;
          let r: number;
          switch (code) {
            case 0x00: r = (a + bl) | 0; break;
            case 0x10: r = (a - bl) | 0; break;
            case 0x20: r = Math.imul(a, bl); break;
            case 0x30:
              if (bl === 0) r = 0;
              else if (offs[pc] === 1) r = a === -0x80000000 && bl === -1 ? a : (Math.trunc(a / bl) | 0);
              else r = Math.floor((a >>> 0) / (bl >>> 0)) | 0;
              break;
            case 0x40: r = a | bl; break;
            case 0x50: r = a & bl; break;
            case 0x60: r = a << (bl & 31); break;
            case 0x70: r = a >>> (bl & 31); break;
            case 0x80: r = -a | 0; break;
            case 0x90:
              if (bl === 0) r = a;
              else if (offs[pc] === 1) r = (a % bl) | 0;
              else r = ((a >>> 0) % (bl >>> 0)) | 0;
              break;
            case 0xa0: r = a ^ bl; break;
            case 0xb0: {
              const o = offs[pc]!;
              r = o === 8 ? (bl << 24) >> 24 : o === 16 ? (bl << 16) >> 16 : bl;
              break;
            }
            case 0xc0: r = a >> (bl & 31); break;
            case 0xd0: {
              // le (s=0) is a truncation on this little-endian VM, be (s=1) a byte swap.
              if (imm === 64) {
                if (x) {
                  const h = hi[d]!;
                  hi[d] = bswap32(a);
                  lo[d] = bswap32(h);
                }
                pc++;
                continue;
              }
              r = imm === 16 ? (x ? bswap16(a) : a & 0xffff) : imm === 32 ? (x ? bswap32(a) : a) : this.badInsn(pc);
              break;
            }
            default: r = this.badInsn(pc);
          }
          lo[d] = r;
          hi[d] = 0;
          pc++;
          continue;
        }
        // ALU64
        const bh = x ? hi[s]! : imm >> 31;
        const al = lo[d]!, ah = hi[d]!;
        switch (code) {
          case 0x00: {
            const sum = (al >>> 0) + (bl >>> 0);
            lo[d] = sum | 0;
            hi[d] = (ah + bh + (sum > 0xffffffff ? 1 : 0)) | 0;
            break;
          }
          case 0x10: {
            const diff = (al >>> 0) - (bl >>> 0);
            lo[d] = diff | 0;
            hi[d] = (ah - bh - (diff < 0 ? 1 : 0)) | 0;
            break;
          }
          case 0x20:
            lo[d] = Math.imul(al, bl);
            hi[d] = (mulHiU32(al >>> 0, bl >>> 0) + Math.imul(ah, bl) + Math.imul(al, bh)) | 0;
            break;
          case 0x30:
            if (bl === 0 && bh === 0) { lo[d] = 0; hi[d] = 0; }
            else if (offs[pc] === 1) this.sdivmod64(d, ah, al, bh, bl, false);
            else if (ah === 0 && bh === 0) { lo[d] = Math.floor((al >>> 0) / (bl >>> 0)) | 0; hi[d] = 0; }
            else this.setReg(d, toBigU(ah, al) / toBigU(bh, bl));
            break;
          case 0x40: lo[d] = al | bl; hi[d] = ah | bh; break;
          case 0x50: lo[d] = al & bl; hi[d] = ah & bh; break;
          case 0x60: {
            const n = bl & 63;
            if (n === 0) break;
            if (n < 32) { hi[d] = (ah << n) | (al >>> (32 - n)); lo[d] = al << n; }
            else { hi[d] = al << (n - 32); lo[d] = 0; }
            break;
          }
          case 0x70: {
            const n = bl & 63;
            if (n === 0) break;
            if (n < 32) { lo[d] = (al >>> n) | (ah << (32 - n)); hi[d] = ah >>> n; }
            else { lo[d] = ah >>> (n - 32); hi[d] = 0; }
            break;
          }
          case 0x80:
            lo[d] = -al | 0;
            hi[d] = (~ah + (al === 0 ? 1 : 0)) | 0;
            break;
          case 0x90:
            if (bl === 0 && bh === 0) break; // dst unchanged
            if (offs[pc] === 1) this.sdivmod64(d, ah, al, bh, bl, true);
            else if (ah === 0 && bh === 0) { lo[d] = ((al >>> 0) % (bl >>> 0)) | 0; hi[d] = 0; }
            else this.setReg(d, toBigU(ah, al) % toBigU(bh, bl));
            break;
          case 0xa0: lo[d] = al ^ bl; hi[d] = ah ^ bh; break;
          case 0xb0: {
            const o = offs[pc]!;
            if (o === 0) { lo[d] = bl; hi[d] = bh; }
            else if (o === 8) { const v = (bl << 24) >> 24; lo[d] = v; hi[d] = v >> 31; }
            else if (o === 16) { const v = (bl << 16) >> 16; lo[d] = v; hi[d] = v >> 31; }
            else if (o === 32) { lo[d] = bl; hi[d] = bl >> 31; }
            else this.badInsn(pc);
            break;
          }
          case 0xc0: {
            const n = bl & 63;
            if (n === 0) break;
            if (n < 32) { lo[d] = (al >>> n) | (ah << (32 - n)); hi[d] = ah >> n; }
            else { lo[d] = ah >> (n - 32); hi[d] = ah >> 31; }
            break;
          }
          case 0xd0: // bswap16/32/64 (v4), unconditional
            if (x) this.badInsn(pc);
            if (imm === 16) { lo[d] = bswap16(al); hi[d] = 0; }
            else if (imm === 32) { lo[d] = bswap32(al); hi[d] = 0; }
            else if (imm === 64) { lo[d] = bswap32(ah); hi[d] = bswap32(al); }
            else this.badInsn(pc);
            break;
          default: this.badInsn(pc);
        }
        pc++;
        continue;
      }

      if (cls === 5 || cls === 6) {
        // ---------------------------------------------------------- JMP / JMP32
        const code = op & 0xf0;
        const x = (op & 8) !== 0;
        if (code === 0x00) { // ja / gotol
          if (x) this.badInsn(pc);
          pc += 1 + (cls === 5 ? offs[pc]! : imms[pc]!);
          continue;
        }
        if (cls === 5 && code >= 0x80 && code <= 0x90 || cls === 5 && code === 0xe0) {
          if (code === 0x90) { // exit
            if (this.depth === stopDepth) { this.pc = pc; return; }
            pc = this.popFrame();
            continue;
          }
          if (code === 0xe0) { // may_goto: fall through while the loop budget lasts
            if (this.mayGoto > 0) { this.mayGoto--; pc++; }
            else pc += 1 + offs[pc]!;
            continue;
          }
          // call
          const s = srcs[pc]!;
          this.pc = pc;
          if (x) { // callx: the register is in dst (LLVM >= 19, GCC) or imm (LLVM <= 18)
            const r = imms[pc]! !== 0 ? imms[pc]! : d;
            if (r > 10) this.badInsn(pc);
            if (hi[r] === FUNC_PTR_HI) {
              this.pushFrame(pc + 1);
              pc = lo[r]!;
              continue;
            }
            if (hi[r] !== 0) throw this.fault('bad-pointer', `callx through r${r} = 0x${this.reg(r).toString(16)}, which is not a function`);
            this.callHelper(lo[r]!);
          } else if (s === 1) {
            this.pushFrame(pc + 1);
            pc += 1 + imms[pc]!;
            continue;
          } else if (s === 0) {
            this.callHelper(imms[pc]!);
          } else {
            throw this.fault('unknown-helper', `kfunc calls (btf id ${imms[pc]}) are not supported by the VM`);
          }
          if (this.pendingTail !== undefined) {
            prog = this.pendingTail;
            this.pendingTail = undefined;
            this.program = prog;
            ops = prog.op; dsts = prog.dst; srcs = prog.src; offs = prog.off; imms = prog.imm;
            nslots = prog.slots;
            this.stacks[this.depth]!.bytes.fill(0);
            pc = 0;
            continue;
          }
          pc++;
          continue;
        }
        let taken: boolean;
        const s = srcs[pc]!;
        const imm = imms[pc]!;
        const bl = x ? lo[s]! : imm;
        const al = lo[d]!;
        if (cls === 6) {
          switch (code) {
            case 0x10: taken = al === bl; break;
            case 0x20: taken = (al >>> 0) > (bl >>> 0); break;
            case 0x30: taken = (al >>> 0) >= (bl >>> 0); break;
            case 0x40: taken = (al & bl) !== 0; break;
            case 0x50: taken = al !== bl; break;
            case 0x60: taken = al > bl; break;
            case 0x70: taken = al >= bl; break;
            case 0xa0: taken = (al >>> 0) < (bl >>> 0); break;
            case 0xb0: taken = (al >>> 0) <= (bl >>> 0); break;
            case 0xc0: taken = al < bl; break;
            case 0xd0: taken = al <= bl; break;
            default: taken = this.badInsn(pc) !== 0;
          }
        } else {
          const bh = x ? hi[s]! : imm >> 31;
          const ah = hi[d]!;
          switch (code) {
            case 0x10: taken = al === bl && ah === bh; break;
            case 0x20: taken = cmpU64(ah, al, bh, bl) > 0; break;
            case 0x30: taken = cmpU64(ah, al, bh, bl) >= 0; break;
            case 0x40: taken = (al & bl) !== 0 || (ah & bh) !== 0; break;
            case 0x50: taken = al !== bl || ah !== bh; break;
            case 0x60: taken = cmpS64(ah, al, bh, bl) > 0; break;
            case 0x70: taken = cmpS64(ah, al, bh, bl) >= 0; break;
            case 0xa0: taken = cmpU64(ah, al, bh, bl) < 0; break;
            case 0xb0: taken = cmpU64(ah, al, bh, bl) <= 0; break;
            case 0xc0: taken = cmpS64(ah, al, bh, bl) < 0; break;
            case 0xd0: taken = cmpS64(ah, al, bh, bl) <= 0; break;
            default: taken = this.badInsn(pc) !== 0;
          }
        }
        pc += taken ? 1 + offs[pc]! : 1;
        continue;
      }

      // ------------------------------------------------------------ memory
      this.pc = pc;
      const size = (op & 0x18) === 0 ? 4 : (op & 0x18) === 0x08 ? 2 : (op & 0x18) === 0x10 ? 1 : 8;
      const mode = op & 0xe0;
      switch (cls) {
        case 1: { // LDX
          const s = srcs[pc]!;
          const v = this.load(hi[s]!, (lo[s]! + offs[pc]!) | 0, size);
          if (mode === 0x80) { // MEMSX
            const sv = size === 1 ? (v << 24) >> 24 : size === 2 ? (v << 16) >> 16 : v;
            lo[d] = sv;
            hi[d] = sv >> 31;
          } else {
            lo[d] = v;
            hi[d] = this.ldHi;
          }
          pc++;
          continue;
        }
        case 2: { // ST
          const imm = imms[pc]!;
          this.store(hi[d]!, (lo[d]! + offs[pc]!) | 0, size, imm >> 31, imm);
          pc++;
          continue;
        }
        case 3: { // STX
          const s = srcs[pc]!;
          if (mode === 0x60) this.store(hi[d]!, (lo[d]! + offs[pc]!) | 0, size, hi[s]!, lo[s]!);
          else this.atomic(d, s, offs[pc]!, imms[pc]!, size);
          pc++;
          continue;
        }
        default: { // LD
          if (op === 0x18) {
            this.ldImm64(pc, d);
            pc += 2;
            continue;
          }
          if (mode === 0x20 || mode === 0x40) {
            if (!this.ldAbsInd(pc, mode, size)) {
              // Out of the packet: the program ends with r0 = 0, as in the kernel.
              lo[0] = 0; hi[0] = 0;
              this.depth = stopDepth;
              return;
            }
            pc++;
            continue;
          }
          this.badInsn(pc);
        }
      }
    }
  }

  /** @internal */
  badInsn(pc: number): number {
    this.pc = pc;
    throw this.fault('invalid-insn', `opcode 0x${(this.program.op[pc] ?? 0).toString(16).padStart(2, '0')} with imm ${this.program.imm[pc]} and off ${this.program.off[pc]} is not an instruction`);
  }

  private sdivmod64(d: number, ah: number, al: number, bh: number, bl: number, mod: boolean): void {
    if (ah === al >> 31 && bh === bl >> 31) {
      // Both operands fit s32: exact in doubles (INT32_MIN / -1 = 2^31 fits 64 bits).
      const q = mod ? al % bl : Math.trunc(al / bl);
      this.lo[d] = q | 0;
      this.hi[d] = q < 0 ? Math.floor(q / 4294967296) | 0 : (q / 4294967296) | 0;
      return;
    }
    const a = toBigS(ah, al), b = toBigS(bh, bl);
    this.setReg(d, mod ? a % b : a / b); // INT64_MIN / -1 wraps through setReg's asIntN
  }

  /** @internal */
  ldImm64(pc: number, d: number): void {
    const p = this.program;
    const src = p.src[pc]!;
    const imm = p.imm[pc]!, imm2 = p.imm2[pc]!;
    switch (src) {
      case 0: this.lo[d] = imm; this.hi[d] = imm2; return;
      case 1: case 5: this.lo[d] = p.mapOfSlot[pc]!; this.hi[d] = MAP_PTR_HI; return;
      case 2: case 6: {
        const m = p.maps[p.mapOfSlot[pc]!]!;
        const value = m instanceof ArrayMap ? m.element(0, this.state.cpu) : undefined;
        if (value === undefined) throw this.fault('helper-arg', `ld_imm64 map value of ${m.name}: only array maps have a direct value`);
        const [h, l] = this.expose(value, 'map-value', `${m.name}[0]`);
        this.hi[d] = h;
        this.lo[d] = (l + imm2) | 0;
        return;
      }
      case 4: this.hi[d] = FUNC_PTR_HI; this.lo[d] = pc + 1 + imm; return;
      default:
        throw this.fault('invalid-insn', `ld_imm64 with src=${src} (BTF ids) is not supported by the VM`);
    }
  }

  /** Legacy packet loads: r0 = ntoh(*(packet + [src +] imm)). False when out of the packet. */
  /** @internal */
  ldAbsInd(pc: number, mode: number, size: number): boolean {
    if (size === 8) this.badInsn(pc);
    const region = this.mem.regions[REGION_PACKET] ?? this.mem.regions[REGION_MEM];
    if (region === undefined) throw this.fault('invalid-insn', 'LD_ABS/LD_IND without a packet');
    let off = this.program.imm[pc]!;
    if (mode === 0x40) off = (off + this.lo[this.program.src[pc]!]!) | 0;
    const data = this.state.xdp?.data ?? region.start;
    const end = this.state.xdp?.end ?? region.end;
    if (off < 0 || data + off + size > end) return false;
    const view = region.view;
    const at = data + off;
    const v = size === 1 ? view.getUint8(at) : size === 2 ? view.getUint16(at, false) : view.getInt32(at, false);
    this.lo[0] = v;
    this.hi[0] = 0;
    return true;
  }

  /** @internal */
  atomic(d: number, s: number, off: number, imm: number, size: number): void {
    const lo = this.lo, hi = this.hi;
    if (imm === 0x100) { // load_acquire: LDX roles, dst = *(src + off)
      const v = this.load(hi[s]!, (lo[s]! + off) | 0, size);
      lo[d] = v;
      hi[d] = this.ldHi;
      return;
    }
    if (imm === 0x110) { // store_release
      this.store(hi[d]!, (lo[d]! + off) | 0, size, hi[s]!, lo[s]!);
      return;
    }
    if (size !== 4 && size !== 8) this.badInsn(this.pc);
    const ah = hi[d]!, al = (lo[d]! + off) | 0;
    const oldLo = this.load(ah, al, size);
    const oldHi = size === 8 ? this.ldHi : 0;
    const base = imm & ~1;
    const sl = lo[s]!, sh = size === 8 ? hi[s]! : 0;
    let nl: number, nh: number;
    switch (imm) {
      case 0x00: case 0x01: {
        const sum = (oldLo >>> 0) + (sl >>> 0);
        nl = sum | 0;
        nh = (oldHi + sh + (sum > 0xffffffff ? 1 : 0)) | 0;
        break;
      }
      case 0x40: case 0x41: nl = oldLo | sl; nh = oldHi | sh; break;
      case 0x50: case 0x51: nl = oldLo & sl; nh = oldHi & sh; break;
      case 0xa0: case 0xa1: nl = oldLo ^ sl; nh = oldHi ^ sh; break;
      case 0xe1: nl = sl; nh = sh; break;
      case 0xf1: {
        const r0l = lo[0]!, r0h = size === 8 ? hi[0]! : 0;
        const eq = r0l === oldLo && r0h === oldHi;
        if (eq) this.store(ah, al, size, sh, sl);
        lo[0] = oldLo;
        hi[0] = oldHi;
        return;
      }
      default:
        this.badInsn(this.pc);
        return;
    }
    void base;
    this.store(ah, al, size, nh, nl);
    if (imm & 1) {
      lo[s] = oldLo;
      hi[s] = oldHi;
    }
  }

  /** @internal */
  callHelper(id: number): void {
    const fn = id >= 0 && id < this.helpers.length ? this.helpers[id] : undefined;
    if (fn === undefined) {
      throw this.fault('unknown-helper', `helper ${id}${helperName(id) ? ` (bpf_${helperName(id)})` : ''} is not available in the VM`);
    }
    fn(this);
  }

  /** The tail-call counter, checked by bpf_tail_call. */
  get tailCallsLeft(): number {
    return MAX_TAIL_CALLS - this.state.tailCalls;
  }
}
