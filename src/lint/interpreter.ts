// The abstract interpreter: do_check, modelled on kernel/bpf/verifier.c. It walks every
// path (fall-through first, the other branch pushed, like push_stack), prunes against
// states already proven safe at pruning points, detects loops whose state repeats exactly,
// and stops at the first rejection with the kernel's message.
import { Rejection } from './diagnostic.js';
import type { MapInfo } from './map-info.js';
import { MapType } from './map-info.js';
import {
  type Reg, type RegType, NOT_INIT, UNKNOWN_SCALAR, constReg, isKnownZero, isMaybeNull, isPkt, isPktAny,
  isPointer, nonNull, ptrReg, scalarReg,
} from './reg.js';
import {
  type Scalar, SCALAR_UNKNOWN, S64MIN, aluScalar, branchTaken, constValue, isConst, refine, scalarConst, scalarRange,
  sync, truncate, zext32,
} from './scalar.js';
import { tnumString } from './tnum.js';
import {
  EMPTY_SLOT, type Frame, MAX_BPF_STACK, StackByte, type StackSlot, type VState, cloneState, curFrame, newFrame,
  statesEqual,
} from './state.js';
import type { Slot } from './slots.js';
import { type Structure, jmpOffset, registerLiveness } from './structure.js';
import { type Precision, computePrecision } from './precision.js';
import { type ProgTypeName, allowsLdAbs, ctxAccess, packetAccess, returnRange } from './program-type.js';
import { type ArgType, HELPER_MAX_ID, allowedHelpers, helperDisplayName, protoFor } from './helper-protos.js';
import { AluOp, AtomicOp, Class, JmpOp, Mode, Size, LD_IMM64, classOf, modeOf, opOf, sizeBytes, sizeOf, sourceOf } from '../asm/opcode.js';

export const COMPLEXITY_LIMIT_INSNS = 1_000_000;
const COMPLEXITY_LIMIT_JMP_SEQ = 8192;
const MAX_CALL_FRAMES = 8;
const BPF_MAX_VAR_OFF = 1n << 29n;
const BPF_MAX_VAR_SIZ = 1n << 29n;
const MAX_PACKET_OFF = 0xffff;

export interface InterpretOptions {
  readonly progType: ProgTypeName;
  readonly privileged: boolean;
  readonly expectedAttachType?: number;
  /** helper ids the target kernel has (a profile); undefined = all 6.18 helpers */
  readonly availableHelpers?: ReadonlySet<number>;
  /** map types the target kernel has */
  readonly availableMapTypes?: ReadonlySet<number>;
  readonly insnLimit?: number;
  /** nr_cpu_ids of the target: bounds bpf_get_smp_processor_id() */
  readonly possibleCpus?: number;
  /** Global (non-static) functions by their first slot: checked on their own, not in the caller's context. */
  readonly globalFuncs?: ReadonlyMap<number, GlobalFunc>;
}

/** A parameter of a global function, as the kernel types it from BTF (btf_prepare_func_args). */
export type GlobalParam = 'ctx' | 'scalar' | { readonly mem: number };

/** A global function: its number in the kernel's log (func#N), name and parameters. */
export interface GlobalFunc {
  readonly index: number;
  readonly name: string;
  readonly params: readonly GlobalParam[];
}

export interface InterpretResult {
  readonly processed: number;
  /** stack depth per subprog */
  readonly stackDepth: readonly number[];
  readonly warnings: readonly Rejection[];
}

interface Checkpoint {
  readonly state: VState;
  branches: number;
  hits: number;
  misses: number;
  readonly parent: Checkpoint | undefined;
}

interface Path {
  state: VState;
  insn: number;
  parent: Checkpoint | undefined;
}

const ALU_STR: Readonly<Record<number, string>> = {
  [AluOp.ADD]: '+=', [AluOp.SUB]: '-=', [AluOp.MUL]: '*=', [AluOp.DIV]: '/=', [AluOp.OR]: '|=', [AluOp.AND]: '&=',
  [AluOp.LSH]: '<<=', [AluOp.RSH]: '>>=', [AluOp.NEG]: 'neg', [AluOp.MOD]: '%=', [AluOp.XOR]: '^=', [AluOp.MOV]: '=',
  [AluOp.ARSH]: 's>>=', [AluOp.END]: 'endian',
};

const MEM_TYPES = 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_';
const SOCK_COMMON_TYPES = 'sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_';
/** reg_not_null: pointer types the kernel knows are never NULL when compared with 0 */
const BPF_LOOP = 181;
const NOT_NULL = new Set<RegType>(['sock', 'tcp_sock', 'map_value', 'sock_common', 'ringbuf_mem', 'mem']);
const MEM_OK = new Set<RegType>(['fp', 'pkt', 'pkt_meta', 'map_value', 'ringbuf_mem', 'mem']);

const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);

export class Interpreter {
  private readonly n: number;
  private idGen = 0;
  private processed = 0;
  private jmpsProcessed = 0;
  private prevJmps = 0;
  private prevInsns = 0;
  private readonly explored = new Map<number, Checkpoint[]>();
  private readonly pending: Path[] = [];
  private readonly live: Int32Array;
  private readonly precision: Precision;
  private readonly helpers: Set<number>;
  readonly stackDepth: number[];
  private readonly warnings: Rejection[] = [];
  private insnIdx = 0;
  private cur!: Path;
  /** Set while verifying a global function on its own. */
  private global: GlobalFunc | undefined;

  constructor(
    private readonly slots: readonly Slot[],
    private readonly st: Structure,
    private readonly opts: InterpretOptions,
  ) {
    this.n = slots.length;
    this.live = registerLiveness(slots, st.subprogs);
    this.precision = computePrecision(slots, new Set(st.subprogs.map((sp) => sp.start)), returnRange(opts.progType) !== undefined);
    this.helpers = allowedHelpers(opts.progType, opts.privileged);
    this.stackDepth = st.subprogs.map(() => 0);
  }

  /**
   * Verify the program from its first instruction, or (with `entry`) a global function on its
   * own, as the kernel does after the main program: its arguments typed from BTF, pointers
   * possibly NULL.
   */
  run(entry?: { readonly start: number; readonly func: GlobalFunc }): InterpretResult {
    const state: VState = { frames: [newFrame(-1, entry === undefined ? 0 : this.st.subprogOf[entry.start]!)], refs: [], mayGotoDepth: 0 };
    const f = curFrame(state);
    if (entry === undefined) f.regs[1] = ptrReg('ctx');
    else {
      this.global = entry.func;
      entry.func.params.forEach((param, i) => {
        f.regs[i + 1] = param === 'ctx' ? ptrReg('ctx') : param === 'scalar' ? UNKNOWN_SCALAR : ptrReg('mem_or_null', { range: param.mem, id: ++this.idGen });
      });
    }
    f.regs[10] = ptrReg('fp', { frameno: 0 });
    this.cur = { state, insn: entry?.start ?? 0, parent: undefined };
    const limit = this.opts.insnLimit ?? COMPLEXITY_LIMIT_INSNS;
    for (;;) {
      const p = this.cur;
      this.insnIdx = p.insn;
      if (++this.processed > limit) {
        throw new Rejection(p.insn, `BPF program is too large. Processed ${this.processed} insn`, 'too_many_insns');
      }
      let done = false;
      if (this.st.prunePoints[p.insn] === 1 && this.isStateVisited(p)) done = true;
      else done = this.step(p);
      if (done) {
        this.pathEnded(p.parent);
        const next = this.pending.pop();
        if (next === undefined) break;
        this.cur = next;
      }
    }
    return { processed: this.processed, stackDepth: this.stackDepth, warnings: this.warnings };
  }

  private warn(message: string, kind: string): void {
    if (!this.warnings.some((w) => w.message === message)) this.warnings.push(new Rejection(this.insnIdx, message, kind));
  }

  private reject(message: string, kind: string, notes: string[] = []): never {
    throw new Rejection(this.insnIdx, message, kind, notes);
  }

  // ---- pruning and loops ------------------------------------------------------------------

  private pathEnded(cp: Checkpoint | undefined): void {
    while (cp !== undefined) {
      cp.branches--;
      if (cp.branches > 0) return;
      cp = cp.parent;
    }
  }

  private isStateVisited(p: Path): boolean {
    let list = this.explored.get(p.insn);
    let addNew = !(this.jmpsProcessed - this.prevJmps < 2 && this.processed - this.prevInsns < 8);
    const live = this.live[p.insn]! | (1 << 10);
    const pr = this.precision;
    const prec = { regs: pr.regs[p.insn]!, stackLo: pr.stackLo[p.insn]!, stackHi: pr.stackHi[p.insn]! };
    if (list !== undefined) {
      let evict = false;
      for (const cp of list) {
        if (cp.branches > 0) {
          // may_goto bounds its loop at run time: a state seen at a shallower depth covers this one
          if (this.isMayGoto(p.insn) && cp.state.mayGotoDepth !== p.state.mayGotoDepth && statesEqual(cp.state, p.state, false, live, prec)) {
            cp.hits++;
            return true;
          }
          if (cp.state.mayGotoDepth === p.state.mayGotoDepth && statesEqual(cp.state, p.state, true, live)) {
            this.reject(`infinite loop detected at insn ${p.insn}`, 'infinite_loop');
          }
          if (this.jmpsProcessed - this.prevJmps < 20 && this.processed - this.prevInsns < 100) addNew = false;
        } else if (statesEqual(cp.state, p.state, false, live, prec)) {
          cp.hits++;
          return true;
        }
        // the kernel drops states that keep missing (miss_cnt > hit_cnt * 3 + 3)
        if (++cp.misses > cp.hits * 3 + 3) evict = true;
      }
      if (evict) {
        list = list.filter((cp) => cp.misses <= cp.hits * 3 + 3);
        this.explored.set(p.insn, list);
      }
    }
    if (!addNew) return false;
    if (list === undefined) { list = []; this.explored.set(p.insn, list); }
    this.prevJmps = this.jmpsProcessed;
    this.prevInsns = this.processed;
    const cp: Checkpoint = { state: cloneState(p.state), branches: 1, parent: p.parent, hits: 0, misses: 0 };
    list.push(cp);
    p.parent = cp;
    return false;
  }

  private isMayGoto(insn: number): boolean {
    const s = this.slots[insn];
    return s !== undefined && s.code === (Class.JMP | JmpOp.JCOND);
  }

  private fork(target: number, state: VState): void {
    if (this.cur.parent !== undefined) this.cur.parent.branches++;
    this.pending.push({ state, insn: target, parent: this.cur.parent });
    if (this.pending.length > COMPLEXITY_LIMIT_JMP_SEQ) {
      this.reject(`The sequence of ${this.pending.length} jumps is too complex.`, 'too_complex');
    }
  }

  // ---- register access -------------------------------------------------------------------

  private regs(): Reg[] { return curFrame(this.cur.state).regs; }

  private checkSrc(r: number): Reg {
    if (r > 10) this.reject(`R${r} is invalid`, 'invalid_register');
    const reg = this.regs()[r]!;
    if (reg.type === 'not_init') this.reject(`R${r} !read_ok`, r === 0 ? 'uninit_r0' : 'uninit_reg');
    return reg;
  }

  private checkDst(r: number): void {
    if (r > 10) this.reject(`R${r} is invalid`, 'invalid_register');
    if (r === 10) this.reject('frame pointer is read only', 'frame_pointer_write');
  }

  private set(r: number, reg: Reg): void { this.regs()[r] = reg; }

  private isPointerValue(r: Reg): boolean {
    return !this.opts.privileged && isPointer(r);
  }

  // ---- one instruction ---------------------------------------------------------------------

  /** Executes p.insn; returns true when the path ends here. */
  private step(p: Path): boolean {
    const s = this.slots[p.insn]!;
    const cls = classOf(s.code);
    switch (cls) {
      case Class.ALU: case Class.ALU64:
        this.alu(s, cls === Class.ALU64);
        p.insn++;
        return false;
      case Class.LDX: {
        this.checkSrc(s.src);
        this.checkDst(s.dst);
        this.memAccess(s.src, s.off, sizeBytes(sizeOf(s.code)), false, s.dst, modeOf(s.code) === Mode.MEMSX);
        p.insn++;
        return false;
      }
      case Class.STX: {
        if (modeOf(s.code) === Mode.ATOMIC) this.atomic(s);
        else {
          if (modeOf(s.code) !== Mode.MEM || s.imm !== 0) this.reject('BPF_STX uses reserved fields', 'reserved_fields');
          this.checkSrc(s.src);
          this.checkSrc(s.dst);
          this.memAccess(s.dst, s.off, sizeBytes(sizeOf(s.code)), true, s.src, false);
        }
        p.insn++;
        return false;
      }
      case Class.ST: {
        if (modeOf(s.code) !== Mode.MEM || s.src !== 0) this.reject('BPF_ST uses reserved fields', 'reserved_fields');
        this.checkSrc(s.dst);
        this.memAccess(s.dst, s.off, sizeBytes(sizeOf(s.code)), true, -1, false, s.imm);
        p.insn++;
        return false;
      }
      case Class.LD:
        if (s.code === LD_IMM64) { this.ldImm64(s); p.insn += 2; return false; }
        this.ldAbs(s);
        p.insn++;
        return false;
      default:
        return this.jmp(s, p, cls === Class.JMP32);
    }
  }

  // ---- ALU ---------------------------------------------------------------------------------

  private alu(s: Slot, is64: boolean): void {
    const op = opOf(s.code);
    const x = sourceOf(s.code) !== 0;
    if (op === AluOp.END || op === AluOp.NEG) {
      if (op === AluOp.NEG) {
        if (x || s.src !== 0 || s.off !== 0 || s.imm !== 0) this.reject('BPF_NEG uses reserved fields', 'reserved_fields');
      } else if (s.src !== 0 || s.off !== 0 || (s.imm !== 16 && s.imm !== 32 && s.imm !== 64) || (is64 && x)) {
        this.reject('BPF_END uses reserved fields', 'reserved_fields');
      }
      const d = this.checkSrc(s.dst);
      if (this.isPointerValue(d)) this.reject(`R${s.dst} pointer arithmetic prohibited`, 'pointer_arith_prohibited');
      this.checkDst(s.dst);
      if (op === AluOp.NEG && d.type === 'scalar') this.set(s.dst, scalarReg(aluScalar(AluOp.NEG, d.v, d.v, !is64)));
      else if (op === AluOp.END && d.type === 'scalar' && isConst(d.v)) this.set(s.dst, constReg(bswap(constValue(d.v), s.imm, x, is64)));
      else this.set(s.dst, UNKNOWN_SCALAR);
      return;
    }
    if (op === AluOp.MOV) {
      if (x) {
        const okOff = is64 ? [0, 8, 16, 32] : [0, 8, 16];
        if (!okOff.includes(s.off) || s.imm !== 0) this.reject('BPF_MOV uses reserved fields', 'reserved_fields');
        this.checkSrc(s.src);
      } else if (s.src !== 0 || s.off !== 0) {
        this.reject('BPF_MOV uses reserved fields', 'reserved_fields');
      }
      this.checkDst(s.dst);
      if (!x) {
        this.set(s.dst, constReg(is64 ? BigInt(s.imm) : BigInt(s.imm >>> 0)));
        return;
      }
      const src = this.regs()[s.src]!;
      if (s.off !== 0) { // movsx
        if (src.type !== 'scalar') {
          if (this.isPointerValue(src)) this.reject(`R${s.src} sign-extension part of pointer`, 'pointer_arith_prohibited');
          this.set(s.dst, UNKNOWN_SCALAR);
          return;
        }
        const v = isConst(src.v) ? scalarConst(signExtend(constValue(src.v), s.off)) : SCALAR_UNKNOWN;
        this.set(s.dst, scalarReg(is64 ? v : zext32(v)));
        return;
      }
      if (is64) {
        if (src.type === 'scalar' && src.id === 0 && !isConst(src.v)) {
          const linked = { ...src, id: ++this.idGen };
          this.set(s.src, linked);
          this.set(s.dst, linked);
        } else {
          this.set(s.dst, src);
        }
        return;
      }
      if (src.type === 'scalar') this.set(s.dst, scalarReg(zext32(src.v)));
      else {
        if (this.isPointerValue(src)) this.reject(`R${s.src} partial copy of pointer`, 'pointer_arith_prohibited');
        this.set(s.dst, scalarReg(zext32(SCALAR_UNKNOWN)));
      }
      return;
    }
    if (op > AluOp.END) this.reject(`invalid BPF_ALU opcode ${op.toString(16)}`, 'bad_opcode');
    if (x) {
      if (s.imm !== 0 || (s.off !== 0 && s.off !== 1) || (s.off === 1 && op !== AluOp.MOD && op !== AluOp.DIV)) {
        this.reject('BPF_ALU uses reserved fields', 'reserved_fields');
      }
      this.checkSrc(s.src);
    } else if (s.src !== 0 || (s.off !== 0 && s.off !== 1) || (s.off === 1 && op !== AluOp.MOD && op !== AluOp.DIV)) {
      this.reject('BPF_ALU uses reserved fields', 'reserved_fields');
    }
    this.checkSrc(s.dst);
    if ((op === AluOp.MOD || op === AluOp.DIV) && !x && s.imm === 0) this.reject('div by zero', 'div_by_zero_imm');
    if ((op === AluOp.LSH || op === AluOp.RSH || op === AluOp.ARSH) && !x) {
      const size = is64 ? 64 : 32;
      if (s.imm < 0 || s.imm >= size) this.reject(`invalid shift ${s.imm}`, 'invalid_shift');
    }
    this.checkDst(s.dst);
    const dst = this.regs()[s.dst]!;
    const src = x ? this.regs()[s.src]! : constReg(BigInt(s.imm));
    this.adjustRegMinMax(s, op, is64, dst, src, x);
  }

  private adjustRegMinMax(s: Slot, op: number, is64: boolean, dst: Reg, src: Reg, x: boolean): void {
    const dptr = isPointer(dst), sptr = isPointer(src);
    if (dptr && sptr) {
      if (op === AluOp.SUB && this.opts.privileged) { this.set(s.dst, UNKNOWN_SCALAR); return; }
      this.reject(`R${s.dst} pointer ${ALU_STR[op]} pointer prohibited`, 'pointer_arith_prohibited');
    }
    if (dptr) { this.ptrArith(s, op, is64, dst, src, s.dst, false); return; }
    if (sptr) { this.ptrArith(s, op, is64, src, dst, s.dst, true); return; }
    void x;
    this.set(s.dst, scalarReg(aluScalar(op, dst.v, src.v, !is64)));
  }

  /** adjust_ptr_min_max_vals: dst = ptr op off. */
  private ptrArith(s: Slot, op: number, is64: boolean, ptr: Reg, off: Reg, dstno: number, swapped: boolean): void {
    const ov = off.v;
    if (!is64) {
      if (op === AluOp.SUB && this.opts.privileged) { this.set(dstno, scalarReg(zext32(SCALAR_UNKNOWN))); return; }
      this.reject(`R${dstno} 32-bit pointer arithmetic prohibited`, 'pointer_arith_prohibited');
    }
    if (isMaybeNull(ptr.type)) {
      this.reject(`R${dstno} pointer arithmetic on ${ptr.type} prohibited, null-check it first`, 'pointer_arith_prohibited');
    }
    switch (ptr.type) {
      case 'map_ptr':
        if (isConst(ov) && constValue(ov) === 0n && op === AluOp.ADD) break;
        this.reject(`R${dstno} pointer arithmetic on ${ptr.type} prohibited`, 'pointer_arith_prohibited');
        break;
      case 'pkt_end': case 'sock': case 'sock_common': case 'tcp_sock':
        this.reject(`R${dstno} pointer arithmetic on ${ptr.type} prohibited`, 'pkt_end_arith');
        break;
      default: break;
    }
    const known = isConst(ov);
    if ((known && (ov.smin !== ov.smax || ov.umin !== ov.umax)) || ov.smin > ov.smax || ov.umin > ov.umax) {
      this.set(dstno, UNKNOWN_SCALAR);
      return;
    }
    this.checkSaneOffset(off, ptr.type);
    this.checkSaneOffset(ptr, ptr.type, true);
    const name = ptrTypeName(ptr.type);
    switch (op) {
      case AluOp.ADD: {
        if (known) {
          const nOff = BigInt(ptr.off) + s64(constValue(ov));
          if (nOff >= BPF_MAX_VAR_OFF || nOff <= -BPF_MAX_VAR_OFF) this.reject(`math between ${name} pointer and ${s64(constValue(ov))} is not allowed`, 'pointer_arith_prohibited');
          this.set(dstno, { ...ptr, off: Number(nOff) });
        } else {
          const v = aluScalar(AluOp.ADD, ptr.v, ov, false);
          const r: Reg = { ...ptr, v };
          this.set(dstno, isPkt(ptr.type) ? { ...r, id: ++this.idGen, range: 0 } : r);
        }
        break;
      }
      case AluOp.SUB: {
        if (swapped) this.reject(`R${dstno} tried to subtract pointer from scalar`, 'pointer_arith_prohibited');
        if (ptr.type === 'fp') this.reject(`R${dstno} subtraction from stack pointer prohibited`, 'pointer_arith_prohibited');
        if (known) {
          this.set(dstno, { ...ptr, off: Number(BigInt(ptr.off) - s64(constValue(ov))) });
        } else {
          const v = aluScalar(AluOp.SUB, ptr.v, ov, false);
          const r: Reg = { ...ptr, v };
          this.set(dstno, isPkt(ptr.type) ? { ...r, id: ++this.idGen, range: 0 } : r);
        }
        break;
      }
      case AluOp.AND: case AluOp.OR: case AluOp.XOR:
        this.reject(`R${dstno} bitwise operator ${ALU_STR[op]} on pointer prohibited`, 'pointer_arith_prohibited');
        break;
      default:
        this.reject(`R${dstno} pointer arithmetic with ${ALU_STR[op]} operator prohibited`, 'pointer_arith_prohibited');
    }
    const res = this.regs()[dstno]!;
    if (isPointer(res)) {
      this.checkSaneOffset(res, res.type, true);
      if (!this.opts.privileged && res.type === 'fp') {
        const lo = BigInt(res.off) + res.v.smin;
        if (lo < -512n || lo >= 0n) this.reject(`R${dstno} stack pointer arithmetic goes out of range, prohibited for !root`, 'stack_oob');
      }
    }
  }

  /** check_reg_sane_offset */
  private checkSaneOffset(reg: Reg, type: RegType, isPtr = false): void {
    const v = reg.v;
    const name = ptrTypeName(type);
    if (isConst(v)) {
      const val = s64(constValue(v));
      if (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF) this.reject(`math between ${name} pointer and ${val} is not allowed`, 'pointer_arith_prohibited');
      return;
    }
    if (!isPtr && v.smin === S64MIN) {
      this.reject(`math between ${name} pointer and register with unbounded min value is not allowed`, 'unbounded_ptr_math');
    }
    if (isPtr && v.smin === S64MIN) {
      this.reject(`math between ${name} pointer and register with unbounded min value is not allowed`, 'unbounded_ptr_math');
    }
    if (v.smin >= BPF_MAX_VAR_OFF || v.smin <= -BPF_MAX_VAR_OFF) {
      this.reject(`value ${v.smin} makes ${name} pointer be out of bounds`, 'unbounded_ptr_math');
    }
  }

  // ---- memory ------------------------------------------------------------------------------

  private updateStackDepth(off: number): void {
    const sp = curFrame(this.cur.state).subprog;
    if (-off > this.stackDepth[sp]!) this.stackDepth[sp] = -off;
  }

  /**
   * check_mem_access. valueReg is the register loaded into (read) or stored from (write), or
   * -1 for BPF_ST (then imm is the stored value).
   */
  private memAccess(regno: number, insnOff: number, size: number, write: boolean, valueReg: number, signExt: boolean, imm = 0): void {
    const reg = this.regs()[regno]!;
    const regs = this.regs();
    const value = valueReg >= 0 ? regs[valueReg]! : undefined;
    let loaded: Reg | undefined;
    // stack is always strictly aligned
    if (reg.type === 'fp') {
      if (isConst(reg.v)) {
        const total = BigInt(reg.off) + s64(constValue(reg.v)) + BigInt(insnOff);
        if (total % BigInt(size) !== 0n) {
          this.reject(`misaligned stack access off ${tnumString(reg.v.t)}+${reg.off}+${insnOff} size ${size}`, 'stack_misaligned');
        }
      }
    }
    const off = insnOff + reg.off;
    switch (reg.type) {
      case 'map_value': {
        if (write && value !== undefined && this.isPointerValue(value)) this.reject(`R${valueReg} leaks addr into map`, 'pointer_leak');
        if (write && ((reg.map?.flags ?? 0) & 0x80) !== 0) this.reject(`write into map forbidden, value_size=${reg.map!.valueSize} off=${off} size=${size}`, 'map_value_oob');
        this.checkMemRegion(regno, reg, off, size, reg.map?.valueSize ?? 0, false);
        if (!write) loaded = UNKNOWN_SCALAR;
        break;
      }
      case 'ringbuf_mem': case 'mem': {
        if (write && value !== undefined && this.isPointerValue(value)) this.reject(`R${valueReg} leaks addr into mem`, 'pointer_leak');
        this.checkMemRegion(regno, reg, off, size, reg.range, false);
        if (!write) loaded = UNKNOWN_SCALAR;
        break;
      }
      case 'ctx': {
        if (write && value !== undefined && this.isPointerValue(value)) this.reject(`R${valueReg} leaks addr into ctx`, 'pointer_leak');
        this.checkPtrOffReg(reg, regno);
        const a = ctxAccess(this.opts.progType, off, size, write, this.opts.expectedAttachType ?? 0);
        if (!a.ok) this.reject(`invalid bpf_context access off=${off} size=${size}`, 'ctx_invalid_access');
        if (!write) {
          const t = a.result ?? 'scalar';
          if (t === 'scalar') loaded = UNKNOWN_SCALAR;
          else loaded = ptrReg(t, t === 'sock_common_or_null' ? { id: ++this.idGen } : {});
        }
        break;
      }
      case 'fp': {
        this.stackAccess(regno, reg, off, size, write, valueReg, imm);
        return;
      }
      case 'pkt': case 'pkt_meta': {
        const pa = packetAccess(this.opts.progType);
        if (write && !pa.write) this.reject('cannot write into packet', 'pkt_write');
        if (write && value !== undefined && this.isPointerValue(value)) this.reject(`R${valueReg} leaks addr into packet`, 'pointer_leak');
        this.checkPacketAccess(regno, reg, off, size, false);
        if (!write) loaded = UNKNOWN_SCALAR;
        break;
      }
      case 'sock': case 'sock_common': case 'tcp_sock': {
        if (write) this.reject(`R${regno} cannot write into ${reg.type}`, 'sock_access');
        if (off < 0 || off + size > 80) this.reject(`invalid ${reg.type} access off=${off} size=${size}`, 'sock_access');
        loaded = UNKNOWN_SCALAR;
        break;
      }
      default:
        this.reject(`R${regno} invalid mem access '${reg.type}'`, reg.type === 'scalar' ? 'invalid_mem_access_scalar'
          : reg.type === 'map_value_or_null' ? 'map_value_or_null' : reg.type === 'pkt_end' ? 'invalid_mem_access_pkt_end' : 'invalid_mem_access');
    }
    if (loaded !== undefined && valueReg >= 0) {
      let r = loaded;
      if (r.type === 'scalar') r = scalarReg(signExt ? signExtendLoad(size) : truncate(r.v, size));
      this.set(valueReg, r);
    }
  }

  /** check_ptr_off_reg for ctx */
  private checkPtrOffReg(reg: Reg, regno: number): void {
    if (reg.off < 0) this.reject(`negative offset ctx ptr R${regno} off=${reg.off} disallowed`, 'ctx_modified_ptr');
    if (!isConst(reg.v) || constValue(reg.v) !== 0n) {
      this.reject(`variable ctx access var_off=${tnumString(reg.v.t)} disallowed`, 'ctx_modified_ptr');
    }
    if (reg.off !== 0) this.reject(`dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`, 'ctx_modified_ptr');
  }

  private memAccessError(reg: Reg, regno: number, off: number, size: number, memSize: number): string {
    switch (reg.type) {
      case 'map_value': return `invalid access to map value, value_size=${memSize} off=${off} size=${size}`;
      case 'pkt': case 'pkt_meta': case 'pkt_end':
        return `invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${off},r=${memSize})`;
      default: return `invalid access to memory, mem_size=${memSize} off=${off} size=${size}`;
    }
  }

  private memOk(off: bigint, size: number, memSize: number, zeroOk: boolean): boolean {
    const sizeOk = size > 0 || (size === 0 && zeroOk);
    return sizeOk && off >= 0n && BigInt(size) <= BigInt(memSize) - off;
  }

  /** check_mem_region_access (map values, ringbuf records) */
  private checkMemRegion(regno: number, reg: Reg, off: number, size: number, memSize: number, zeroOk: boolean): void {
    const v = reg.v;
    if (v.smin < 0n && (v.smin === S64MIN || BigInt.asIntN(32, BigInt(off) + v.smin) !== BigInt(off) + v.smin || v.smin + BigInt(off) < 0n)) {
      this.reject(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`, 'map_value_oob');
    }
    const lo = v.smin + BigInt(off);
    if (!this.memOk(lo, size, memSize, zeroOk)) {
      this.reject(this.memAccessError(reg, regno, Number(lo), size, memSize), 'map_value_oob', [`R${regno} min value is outside of the allowed memory range`]);
    }
    if (v.umax >= BPF_MAX_VAR_OFF) {
      this.reject(`R${regno} unbounded memory access, make sure to bounds check any such access`, 'map_value_oob');
    }
    const hi = v.umax + BigInt(off);
    if (!this.memOk(hi, size, memSize, zeroOk)) {
      this.reject(this.memAccessError(reg, regno, Number(hi), size, memSize), 'map_value_oob', [`R${regno} max value is outside of the allowed memory range`]);
    }
  }

  private checkPacketAccess(regno: number, reg: Reg, off: number, size: number, zeroOk: boolean): void {
    if (reg.v.smin < 0n) {
      this.reject(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`, 'pkt_oob');
    }
    if (!this.memOk(BigInt(off), size, reg.range, zeroOk)) {
      this.reject(this.memAccessError(reg, regno, off, size, reg.range), 'pkt_oob', [`R${regno} offset is outside of the packet`]);
    }
  }

  private slotOf(byteOff: number): { slot: number; byte: number } {
    // byteOff in [-512, -1]
    const b = byteOff + MAX_BPF_STACK; // 0..511 from the bottom
    const fromTop = MAX_BPF_STACK - 1 - b;
    const slot = Math.floor(fromTop / 8);
    return { slot, byte: 7 - (fromTop % 8) };
  }

  private stackFrame(reg: Reg): Frame {
    return this.cur.state.frames[reg.frameno] ?? curFrame(this.cur.state);
  }

  private stackAccess(regno: number, reg: Reg, off: number, size: number, write: boolean, valueReg: number, imm: number): void {
    const frame = this.stackFrame(reg);
    if (!isConst(reg.v)) {
      // variable-offset stack access: bounds only (check_stack_access_within_bounds)
      if (reg.v.smax >= BPF_MAX_VAR_OFF || reg.v.smin <= -BPF_MAX_VAR_OFF) {
        this.reject(`invalid unbounded variable-offset ${write ? 'write to' : 'read from'} stack R${regno}`, 'stack_oob');
      }
      const minOff = reg.v.smin + BigInt(off), maxOff = reg.v.smax + BigInt(off) + BigInt(size);
      if (minOff < -512n || maxOff > 0n) {
        this.reject(`invalid variable-offset ${write ? 'write to' : 'read from'} stack R${regno} var_off=${tnumString(reg.v.t)} off=${off} size=${size}`, 'stack_oob');
      }
      this.updateStackDepthFor(reg, Number(minOff));
      if (write) {
        for (let b = Number(minOff); b < Number(maxOff); b++) this.writeStackByte(frame, b, StackByte.MISC);
      } else if (valueReg >= 0) {
        this.set(valueReg, scalarReg(truncate(SCALAR_UNKNOWN, size)));
      }
      return;
    }
    const o = off + Number(s64(constValue(reg.v)));
    if (o < -MAX_BPF_STACK || o + size > 0 || o >= 0) {
      this.reject(`invalid ${write ? 'write to' : 'read from'} stack R${regno} off=${o} size=${size}`, 'stack_oob');
    }
    this.updateStackDepthFor(reg, o);
    if (write) this.stackWrite(frame, o, size, valueReg, imm);
    else this.stackRead(frame, o, size, valueReg, regno);
  }

  private updateStackDepthFor(reg: Reg, off: number): void {
    const f = this.cur.state.frames[reg.frameno];
    const sp = f?.subprog ?? curFrame(this.cur.state).subprog;
    if (-off > this.stackDepth[sp]!) this.stackDepth[sp] = -off;
  }

  private writeStackByte(frame: Frame, byteOff: number, kind: StackByte): void {
    const { slot, byte } = this.slotOf(byteOff);
    const old = frame.stack[slot]!;
    const bytes = old.bytes.slice();
    bytes[byte] = kind;
    // a partial overwrite destroys a spilled register
    let spill = old.spill;
    if (spill !== undefined) {
      for (let i = 0; i < 8; i++) if (bytes[i] === StackByte.SPILL) bytes[i] = StackByte.MISC;
      spill = undefined;
    }
    frame.stack[slot] = spill === undefined ? { bytes } : { bytes, spill };
  }

  private stackWrite(frame: Frame, off: number, size: number, valueReg: number, imm: number): void {
    const { slot } = this.slotOf(off);
    const old = frame.stack[slot]!;
    const value = valueReg >= 0 ? this.regs()[valueReg]! : undefined;
    if (!this.opts.privileged && old.spill !== undefined && old.spill.type !== 'scalar' && size !== 8) {
      this.reject('attempt to corrupt spilled pointer on stack', 'stack_spill');
    }
    const aligned8 = off % 8 === 0;
    const spillBytes = (n: number): StackByte[] => {
      const b = old.spill !== undefined ? old.bytes.map((x) => (x === StackByte.SPILL ? StackByte.MISC : x)) : old.bytes.slice();
      for (let i = 0; i < 8; i++) {
        if (i < n) b[i] = StackByte.SPILL;
        else if (b[i] !== StackByte.ZERO && b[i] !== StackByte.INVALID) b[i] = StackByte.MISC;
      }
      return b;
    };
    if (value !== undefined && value.type === 'scalar' && aligned8 && this.opts.privileged) {
      // scalar spill, possibly narrow (save_register_state)
      let v = value;
      const fits = value.v.umax < (size === 8 ? 1n << 64n : 1n << BigInt(size * 8));
      if (fits && v.id === 0 && !isConst(v.v)) {
        v = { ...v, id: ++this.idGen };
        this.set(valueReg, v);
      }
      frame.stack[slot] = { bytes: spillBytes(size), spill: fits ? v : { ...v, id: 0 } };
      return;
    }
    if (value === undefined && aligned8 && this.opts.privileged) {
      // BPF_ST of an immediate spills a known constant
      frame.stack[slot] = { bytes: spillBytes(size), spill: constReg(BigInt(imm)) };
      return;
    }
    if (value !== undefined && isPointer(value)) {
      if (size !== 8) this.reject('invalid size of register spill', 'stack_partial_spill');
      if (value.type === 'fp' && value.frameno > this.cur.state.frames.indexOf(frame)) {
        this.reject('cannot spill pointers to stack into stack frame of the caller', 'stack_spill');
      }
      frame.stack[slot] = { bytes: [3, 3, 3, 3, 3, 3, 3, 3], spill: value };
      return;
    }
    const zero = value === undefined ? imm === 0 : isKnownZero(value);
    for (let b = off; b < off + size; b++) this.writeStackByte(frame, b, zero ? StackByte.ZERO : StackByte.MISC);
  }

  /**
   * The frame's allocated_stack: bytes down to its deepest slot ever written (the kernel grows
   * it on access, and without CAP_PERFMON a read below it is out of bounds).
   */
  private allocatedStack(frame: Frame): number {
    for (let i = frame.stack.length - 1; i >= 0; i--) if (frame.stack[i]!.bytes.some((b) => b !== StackByte.INVALID)) return 8 * (i + 1);
    return 0;
  }

  private stackRead(frame: Frame, off: number, size: number, valueReg: number, regno: number): void {
    // check_stack_slot_within_bounds: without allow_uninit_stack a read stays within allocated_stack
    if (!this.opts.privileged && off < -this.allocatedStack(frame)) this.reject(`invalid read from stack R${regno} off=${off} size=${size}`, 'stack_uninit_read');
    const { slot } = this.slotOf(off);
    const st = frame.stack[slot]!;
    if (st.spill !== undefined && st.bytes.includes(StackByte.SPILL)) {
      const spillSize = st.bytes.filter((b) => b === StackByte.SPILL).length;
      if (size !== 8 || spillSize !== 8) {
        if (st.spill.type !== 'scalar') this.reject('invalid size of register fill', 'stack_partial_ptr_fill');
        if (valueReg < 0) return;
        if (size <= spillSize && off % 8 === 0) {
          this.set(valueReg, size === 8 ? st.spill : scalarReg(truncate(st.spill.v, size)));
        } else {
          this.set(valueReg, scalarReg(truncate(SCALAR_UNKNOWN, size)));
        }
        return;
      }
      if (valueReg >= 0) this.set(valueReg, st.spill);
      else if (this.isPointerValue(st.spill)) this.reject(`leaking pointer from stack off ${off}`, 'pointer_leak');
      return;
    }
    let allZero = true;
    for (let b = off; b < off + size; b++) {
      const { slot: sl, byte } = this.slotOf(b);
      const t = frame.stack[sl]!.bytes[byte]!;
      if (t === StackByte.ZERO) continue;
      allZero = false;
      if (t === StackByte.MISC || t === StackByte.SPILL) continue;
      if (t === StackByte.INVALID && this.opts.privileged) continue;
      this.reject(`invalid read from stack off ${off}+${b - off} size ${size}`, 'stack_uninit_read');
    }
    if (valueReg >= 0) this.set(valueReg, allZero ? constReg(0n) : scalarReg(truncate(SCALAR_UNKNOWN, size)));
  }

  private atomic(s: Slot): void {
    const imm = s.imm;
    const sz = sizeOf(s.code);
    if (imm === AtomicOp.LOAD_ACQ || imm === AtomicOp.STORE_REL) {
      if (imm === AtomicOp.LOAD_ACQ) {
        this.checkSrc(s.src); this.checkDst(s.dst);
        this.memAccess(s.src, s.off, sizeBytes(sz), false, s.dst, false);
      } else {
        this.checkSrc(s.src); this.checkSrc(s.dst);
        this.memAccess(s.dst, s.off, sizeBytes(sz), true, s.src, false);
      }
      return;
    }
    const valid = [AtomicOp.ADD, AtomicOp.ADD | 1, AtomicOp.AND, AtomicOp.AND | 1, AtomicOp.OR, AtomicOp.OR | 1,
      AtomicOp.XOR, AtomicOp.XOR | 1, AtomicOp.XCHG, AtomicOp.CMPXCHG];
    if (!valid.includes(imm)) this.reject(`BPF_ATOMIC uses invalid atomic opcode ${(imm >>> 0).toString(16).padStart(2, '0')}`, 'reserved_fields');
    if (sz !== Size.W && sz !== Size.DW) this.reject('invalid atomic operand size', 'reserved_fields');
    this.checkSrc(s.src);
    this.checkSrc(s.dst);
    if (imm === AtomicOp.CMPXCHG) this.checkSrc(0);
    const src = this.regs()[s.src]!;
    if (this.isPointerValue(src)) this.reject(`R${s.src} leaks addr into mem`, 'pointer_leak');
    const dst = this.regs()[s.dst]!;
    if (dst.type === 'ctx' || isPkt(dst.type) || dst.type === 'sock' || dst.type === 'sock_common' || dst.type === 'tcp_sock') {
      this.reject(`BPF_ATOMIC stores into R${s.dst} ${dst.type} is not allowed`, 'atomic_on_ctx_or_pkt');
    }
    const size = sizeBytes(sz);
    const fetch = (imm & AtomicOp.FETCH) !== 0;
    const loadReg = imm === AtomicOp.CMPXCHG ? 0 : fetch ? s.src : -1;
    if (loadReg >= 0) this.checkDst(loadReg);
    // read then write, like check_atomic_rmw
    this.memAccess(s.dst, s.off, size, false, -1, false);
    if (dst.type === 'fp' && isConst(dst.v)) {
      const o = s.off + dst.off + Number(s64(constValue(dst.v)));
      const frame = this.stackFrame(dst);
      for (let b = o; b < o + size; b++) this.writeStackByte(frame, b, StackByte.MISC);
    } else {
      this.memAccess(s.dst, s.off, size, true, s.src, false);
    }
    if (loadReg >= 0) this.set(loadReg, scalarReg(size === 4 ? zext32(SCALAR_UNKNOWN) : SCALAR_UNKNOWN));
  }

  // ---- loads of constants and legacy packet loads --------------------------------------------

  private ldImm64(s: Slot): void {
    if (s.off !== 0) this.reject('BPF_LD_IMM64 uses reserved fields', 'reserved_fields');
    this.checkDst(s.dst);
    const hi = this.slots[this.insnIdx + 1]!;
    switch (s.src) {
      case 0: {
        const v = (BigInt(hi.imm >>> 0) << 32n) | BigInt(s.imm >>> 0);
        this.set(s.dst, constReg(v));
        return;
      }
      case 4: // BPF_PSEUDO_FUNC: off holds the function's first slot (for callbacks)
        this.set(s.dst, ptrReg('func', { off: this.insnIdx + s.imm + 1 }));
        return;
      case 1: case 5:
        this.set(s.dst, ptrReg('map_ptr', { map: this.st.maps.get(this.insnIdx)! }));
        return;
      default:
        this.set(s.dst, ptrReg('map_value', { map: this.st.maps.get(this.insnIdx)!, off: hi.imm, id: 0 }));
    }
  }

  private ldAbs(s: Slot): void {
    if (!allowsLdAbs(this.opts.progType)) this.reject('BPF_LD_[ABS|IND] instructions not allowed for this program type', 'ld_abs_not_allowed');
    const mode = modeOf(s.code);
    if (s.dst !== 0 || s.off !== 0 || sizeOf(s.code) === Size.DW || (mode === Mode.ABS && s.src !== 0)) {
      this.reject('BPF_LD_[ABS|IND] uses reserved fields', 'reserved_fields');
    }
    this.checkSrc(6);
    if (mode === Mode.IND) this.checkSrc(s.src);
    if (this.cur.state.refs.length > 0) this.reject('BPF_LD_[ABS|IND] cannot be mixed with socket references', 'ref_leak');
    const r6 = this.regs()[6]!;
    if (r6.type !== 'ctx') this.reject(`at the time of BPF_LD_ABS|IND R6 != pointer to skb`, 'ld_abs');
    const regs = this.regs();
    for (let r = 1; r <= 5; r++) regs[r] = NOT_INIT;
    regs[0] = scalarReg(truncate(SCALAR_UNKNOWN, sizeBytes(sizeOf(s.code))));
  }

  // ---- jumps, calls, exit -------------------------------------------------------------------

  private jmp(s: Slot, p: Path, is32: boolean): boolean {
    const op = opOf(s.code);
    if (op === JmpOp.CALL) {
      if (sourceOf(s.code) !== 0 || (s.src !== 2 && s.off !== 0) || (s.src !== 0 && s.src !== 1 && s.src !== 2) || s.dst !== 0 || is32) {
        this.reject('BPF_CALL uses reserved fields', 'reserved_fields');
      }
      if (s.src === 1) { this.callSubprog(s, p); return false; }
      if (s.src === 2) {
        this.reject('calling kernel functions is not supported by the lint (kfunc)', 'kfunc');
      }
      if (s.src === 0 && s.imm === BPF_LOOP && this.loopHelperAllowed()) { this.callLoop(p); return false; }
      this.callHelper(s.imm);
      p.insn++;
      return false;
    }
    if (op === JmpOp.JA) {
      if (sourceOf(s.code) !== 0 || s.src !== 0 || s.dst !== 0 || (!is32 && s.imm !== 0) || (is32 && s.off !== 0)) {
        this.reject('BPF_JA uses reserved fields', 'reserved_fields');
      }
      this.jmpsProcessed++;
      p.insn += jmpOffset(s) + 1;
      return false;
    }
    if (op === JmpOp.EXIT) {
      if (sourceOf(s.code) !== 0 || s.imm !== 0 || s.src !== 0 || s.dst !== 0 || is32) this.reject('BPF_EXIT uses reserved fields', 'reserved_fields');
      return this.exit(p);
    }
    if (op === JmpOp.JCOND) {
      // may_goto: the loop body (fall-through) is queued one iteration deeper, the exit path
      // (the jump) is followed first
      if (s.src !== 0 || s.dst !== 0 || s.imm !== 0) this.reject(`invalid may_goto imm ${s.imm}`, 'reserved_fields');
      this.jmpsProcessed++;
      const body = cloneState(p.state);
      body.mayGotoDepth++;
      this.fork(p.insn + 1, body);
      p.insn += s.off + 1;
      return false;
    }
    this.condJmp(s, p, is32, op);
    return false;
  }

  private exit(p: Path): boolean {
    const st = p.state;
    if (st.frames.length === 1 && st.refs.length > 0) {
      const r = st.refs[0]!;
      this.reject(`Unreleased reference id=${r.id} alloc_insn=${r.insn}`, 'ref_leak', ['BPF_EXIT instruction in main prog would lead to reference leak']);
    }
    if (st.frames.length > 1) {
      const callee = curFrame(st);
      const r0 = callee.regs[0]!;
      const site = this.slots[callee.callsite]!;
      if (site.src === 0) { // a callback (bpf_loop's): returns 0 (go on) or 1 (stop) to the helper
        const v = this.checkSrc(0);
        if (v.type !== 'scalar') this.reject(`At callback return the register R0 is not a known value (${v.type})`, 'callback_ret');
        if (v.v.smin < 0n || v.v.smax > 1n) this.reject(`At callback return the register R0 has smin=${v.v.smin} smax=${v.v.smax} should have been in [0, 1]`, 'callback_ret');
        st.frames.pop();
        curFrame(st).regs[0] = UNKNOWN_SCALAR;
        p.insn = callee.callsite + 1;
        return false;
      }
      if (r0.type === 'fp') this.reject('cannot return stack pointer to the caller', 'subprog_ret_non_scalar');
      st.frames.pop();
      const caller = curFrame(st);
      caller.regs[0] = r0;
      p.insn = callee.callsite + 1;
      return false;
    }
    const r0 = this.checkSrc(0);
    if (this.global !== undefined) { // a global function returns a scalar to callers it does not know
      if (r0.type !== 'scalar') this.reject(`At subprog exit the register R0 is not a scalar value (${r0.type})`, 'subprog_ret_non_scalar');
      return true;
    }
    if (this.isPointerValue(r0)) this.reject('R0 leaks addr as return value', 'pointer_leak');
    const range = returnRange(this.opts.progType);
    if (range !== undefined) {
      if (r0.type !== 'scalar') this.reject(`At program exit the register R0 is not a known value (${r0.type})`, 'retval_range');
      if (r0.v.smin < BigInt(range[0]) || r0.v.smax > BigInt(range[1])) {
        this.reject(`At program exit the register R0 has smin=${r0.v.smin} smax=${r0.v.smax} should have been in [${range[0]}, ${range[1]}]`, 'retval_range');
      }
    }
    return true;
  }

  private callSubprog(s: Slot, p: Path): void {
    const st = p.state;
    if (st.frames.length >= MAX_CALL_FRAMES) {
      this.reject(`the call stack of ${st.frames.length + 1} frames is too deep`, 'call_stack_too_deep');
    }
    const target = p.insn + s.imm + 1;
    const global = this.opts.globalFuncs?.get(target);
    if (global !== undefined) { this.callGlobal(global, p); return; }
    const subprog = this.st.subprogOf[target]!;
    const caller = curFrame(st);
    const callee = newFrame(p.insn, subprog);
    for (let r = 1; r <= 5; r++) callee.regs[r] = caller.regs[r]!;
    callee.regs[10] = ptrReg('fp', { frameno: st.frames.length });
    for (let r = 0; r <= 5; r++) caller.regs[r] = NOT_INIT;
    st.frames.push(callee);
    p.insn = target;
  }

  /**
   * A call to a global function: its arguments are checked against its BTF parameters
   * (btf_check_subprog_call), and the caller goes on with R0 unknown and R1-R5 clobbered; the
   * function itself is verified on its own (run with an entry).
   */
  private callGlobal(g: GlobalFunc, p: Path): void {
    const caller = curFrame(p.state);
    const note = [`Caller passes invalid args into func#${g.index} ('${g.name}')`];
    try {
      this.checkGlobalArgs(g, note);
    } catch (e) {
      // the kernel follows any argument error with the caller's note
      if (e instanceof Rejection && !e.notes.includes(note[0]!)) throw new Rejection(e.insn, e.message, e.kind, [...e.notes, ...note]);
      throw e;
    }
    for (let r = 1; r <= 5; r++) caller.regs[r] = NOT_INIT;
    caller.regs[0] = UNKNOWN_SCALAR;
    p.insn += 1;
  }

  private checkGlobalArgs(g: GlobalFunc, note: string[]): void {
    g.params.forEach((param, i) => {
      const regno = i + 1;
      const reg = this.checkSrc(regno);
      if (param === 'scalar') {
        if (reg.type !== 'scalar') this.reject(`R${regno} is not a scalar`, 'global_func_arg', note);
      } else if (param === 'ctx') {
        if (reg.type !== 'ctx') this.reject(`arg#${i} expects pointer to ctx`, 'global_func_arg', note);
        this.checkArgType(regno, reg, 'ctx');
      } else if (!isKnownZero(reg)) { // NULL is a valid pointer argument
        if (!MEM_OK.has(reg.type)) this.reject(`R${regno} type=${reg.type} expected=${MEM_TYPES}`, 'global_func_arg', note);
        this.helperMem(regno, reg, param.mem, false, false);
      }
    });
  }

  // ---- bpf_loop ---------------------------------------------------------------------------

  private loopHelperAllowed(): boolean {
    return this.helpers.has(BPF_LOOP) && (this.opts.availableHelpers === undefined || this.opts.availableHelpers.has(BPF_LOOP));
  }

  /**
   * bpf_loop(nr_loops, callback_fn, callback_ctx, flags): the callback is verified as a call
   * from here (set_loop_callback_state): R1 the index (a scalar), R2 the caller's callback_ctx,
   * and it must return 0 or 1; the caller then goes on with R0 unknown (the iterations run).
   */
  private callLoop(p: Path): void {
    const regs = this.regs();
    const nr = this.checkSrc(1);
    if (nr.type !== 'scalar') this.reject(`R1 type=${nr.type} expected=scalar`, 'helper_arg_type');
    const fn = this.checkSrc(2);
    if (fn.type !== 'func') this.reject(`R2 type=${fn.type} expected=func`, 'helper_arg_type');
    const ctx = this.checkSrc(3);
    if (!isKnownZero(ctx) && ctx.type !== 'fp') this.reject(`R3 type=${ctx.type} expected=fp`, 'helper_arg_type');
    const flags = this.checkSrc(4);
    if (flags.type !== 'scalar') this.reject(`R4 type=${flags.type} expected=scalar`, 'helper_arg_type');
    const st = p.state;
    if (st.frames.length >= MAX_CALL_FRAMES) {
      this.reject(`the call stack of ${st.frames.length + 1} frames is too deep`, 'call_stack_too_deep');
    }
    const target = fn.off;
    const subprog = this.st.subprogOf[target];
    if (subprog === undefined) this.reject(`callback at insn ${target} is not the start of a function`, 'callback');
    const callee = newFrame(p.insn, subprog);
    callee.regs[1] = scalarReg(truncate(SCALAR_UNKNOWN, 4));
    callee.regs[2] = ctx;
    callee.regs[10] = ptrReg('fp', { frameno: st.frames.length });
    for (let r = 0; r <= 5; r++) regs[r] = NOT_INIT;
    st.frames.push(callee);
    p.insn = target;
  }

  // ---- helpers ----------------------------------------------------------------------------

  private callHelper(id: number): void {
    if (id < 0 || id >= HELPER_MAX_ID) this.reject(`invalid func ${helperDisplayName(id)}#${id}`, 'helper_invalid_id');
    const allowed = this.helpers.has(id) && (this.opts.availableHelpers === undefined || this.opts.availableHelpers.has(id));
    if (!allowed) {
      this.reject(`program of this type cannot use helper ${helperDisplayName(id)}#${id}`, 'helper_not_allowed');
    }
    const proto = protoFor(id, this.opts.progType);
    if (proto === undefined) {
      // allowed, but its prototype is not modelled: assume an integer result, check nothing
      this.warn(`helper ${helperDisplayName(id)}#${id} is not modelled by the lint: its arguments are not checked`, 'helper_unmodelled');
      const regs = this.regs();
      for (let r = 1; r <= 5; r++) regs[r] = NOT_INIT;
      regs[0] = UNKNOWN_SCALAR;
      return;
    }
    const regs = this.regs();
    let map: MapInfo | undefined;
    let refObjId = 0;
    let releaseId = 0;
    let allocSize = 0;
    const keyReg = regs[2]!;
    for (let i = 0; i < 5; i++) {
      const arg = proto.args[i];
      if (arg === undefined) break;
      const regno = i + 1;
      const reg = this.checkSrc(regno);
      if (arg === 'anything') {
        if (this.isPointerValue(reg)) this.reject(`R${regno} leaks addr into helper function`, 'pointer_leak');
        continue;
      }
      if (isPkt(reg.type) && (!packetAccess(this.opts.progType).read || proto.pktAccess !== true)) this.reject('helper access to the packet is not allowed', 'helper_arg_type');
      const maybeNull = arg === 'mem_or_null';
      if (!(maybeNull && isKnownZero(reg))) this.checkArgType(regno, reg, arg);
      if (reg.refObjId) refObjId = reg.refObjId;
      switch (arg) {
        case 'map_ptr': map = reg.map; break;
        case 'map_key':
          this.helperMem(regno, reg, map?.keySize ?? 0, false, false);
          break;
        case 'map_value':
          this.helperMem(regno, reg, map?.valueSize ?? 0, false, false);
          break;
        case 'uninit_map_value':
          this.helperMem(regno, reg, map?.valueSize ?? 0, true, false);
          break;
        case 'fixed_u32_mem':
          this.helperMem(regno, reg, 4, true, false);
          break;
        case 'size': case 'size_or_zero': {
          const zeroOk = arg === 'size_or_zero';
          const memReg = regs[regno - 1]!;
          const write = proto.args[i - 1] === 'uninit_mem';
          if (reg.v.smin < 0n) this.reject(`R${regno} min value is negative, either use unsigned or 'var &= const'`, 'helper_unbounded_size');
          if (reg.v.umin === 0n && !zeroOk) this.reject(`R${regno} invalid zero-sized read: u64=[${reg.v.umin},${reg.v.umax}]`, 'helper_arg_size');
          if (reg.v.umax >= BPF_MAX_VAR_SIZ) this.reject(`R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`, 'helper_unbounded_size');
          if (zeroOk && reg.v.umax === 0n && isKnownZero(memReg)) break;
          this.helperMem(regno - 1, memReg, Number(reg.v.umax), write, zeroOk);
          break;
        }
        case 'alloc_size_or_zero':
          if (!isConst(reg.v)) this.reject(`R${regno} is not a known constant'`, 'helper_arg_size');
          allocSize = Number(constValue(reg.v));
          break;
        case 'ringbuf_mem_release': case 'sock_common_release':
          if (reg.refObjId === 0) this.reject(`R${regno} must be referenced when passed to release function`, 'ref_release');
          releaseId = reg.refObjId;
          break;
        default: break;
      }
    }
    void refObjId;
    // record_func_key runs before check_map_func_compatibility
    if (id === 12 && map?.type !== MapType.PROG_ARRAY) this.reject('expected prog array map for tail call', 'map_func_mismatch');
    this.checkMapFunc(map, id);
    const st = this.cur.state;
    if (releaseId !== 0) this.releaseReference(releaseId);
    if (id === 12 /* tail_call */ && st.frames.length > 1 && false) this.reject('tail_call not supported in subprog', 'tail_call');
    for (let r = 0; r <= 5; r++) curFrame(st).regs[r] = NOT_INIT;
    if (proto.changesPkt) this.clearPktPointers();
    const set = (r: Reg): void => { curFrame(st).regs[0] = r; };
    switch (proto.ret) {
      case 'integer':
        // do_refine_retval_range: the CPU number is below nr_cpu_ids (unknown here: any u32)
        set(id === 8 ? scalarReg(this.opts.possibleCpus !== undefined ? scalarRange(0n, BigInt(Math.max(0, this.opts.possibleCpus - 1))) : zext32(SCALAR_UNKNOWN)) : UNKNOWN_SCALAR);
        break;
      case 'void': break;
      case 'map_value_or_null': {
        if (map === undefined) this.reject('kernel subsystem misconfigured verifier', 'internal');
        const key = id === 1 ? this.constantMapKey(keyReg, map.keySize) : undefined;
        if ((map.type === MapType.ARRAY_OF_MAPS || map.type === MapType.HASH_OF_MAPS) && map.inner !== undefined) {
          set(ptrReg('map_ptr_or_null', { map: map.inner, id: ++this.idGen }));
        } else if (key !== undefined && (map.type === MapType.ARRAY || map.type === MapType.PERCPU_ARRAY) && key < BigInt(map.maxEntries)) {
          set(ptrReg('map_value', { map })); // a constant in-range array key cannot miss
        } else {
          set(ptrReg('map_value_or_null', { map, id: ++this.idGen }));
        }
        break;
      }
      case 'map_value':
        if (map === undefined) this.reject('kernel subsystem misconfigured verifier', 'internal');
        set(ptrReg('map_value', { map }));
        break;
      default: {
        const type = proto.ret as RegType;
        let idv = ++this.idGen;
        let ref = 0;
        if (proto.acquires) { ref = idv = ++this.idGen; st.refs.push({ id: idv, insn: this.insnIdx }); }
        set(ptrReg(type, { id: idv, refObjId: ref, range: type === 'ringbuf_mem_or_null' ? allocSize : 0 }));
      }
    }
  }

  /** get_constant_map_key: the key a stack pointer points at, when it is a known constant. */
  private constantMapKey(key: Reg, keySize: number): bigint | undefined {
    if (!this.opts.privileged || key.type !== 'fp' || !isConst(key.v)) return undefined;
    const off = key.off + Number(s64(constValue(key.v)));
    if (off < -MAX_BPF_STACK || off >= 0) return undefined;
    const frame = this.stackFrame(key);
    const { slot, byte } = this.slotOf(off);
    const sl = frame.stack[slot]!;
    let zero = 0;
    for (let i = byte; i < 8 && sl.bytes[i] === StackByte.ZERO; i++) zero++;
    if (zero >= keySize) return 0n;
    if (sl.spill === undefined || sl.spill.type !== 'scalar') return undefined;
    let spill = 0;
    for (let i = byte; i < 8 && sl.bytes[i] === StackByte.SPILL; i++) spill++;
    if (spill !== keySize || !isConst(sl.spill.v)) return undefined;
    return constValue(sl.spill.v);
  }

  private checkArgType(regno: number, reg: Reg, arg: ArgType): void {
    let ok: boolean;
    let expected: string;
    switch (arg) {
      case 'ctx': ok = reg.type === 'ctx'; expected = 'ctx'; break;
      case 'map_ptr': ok = reg.type === 'map_ptr'; expected = 'map_ptr'; break;
      case 'map_key': case 'map_value': case 'uninit_map_value': case 'mem': case 'mem_or_null': case 'uninit_mem': case 'fixed_u32_mem':
        ok = MEM_OK.has(reg.type); expected = MEM_TYPES; break;
      case 'size': case 'size_or_zero': case 'alloc_size_or_zero':
        ok = reg.type === 'scalar'; expected = 'scalar'; break;
      case 'ringbuf_mem_release': ok = reg.type === 'ringbuf_mem'; expected = 'ringbuf_mem'; break;
      case 'sock_common_plain':
        ok = reg.type === 'sock' || reg.type === 'sock_common' || reg.type === 'tcp_sock'; expected = 'sock_common, sock, tcp_sock, xdp_sock'; break;
      case 'sock_common': case 'sock_common_release':
        ok = reg.type === 'sock' || reg.type === 'sock_common' || reg.type === 'tcp_sock'; expected = SOCK_COMMON_TYPES; break;
      case 'func': ok = reg.type === 'func'; expected = 'func'; break;
      case 'spin_lock':
        ok = reg.type === 'map_value'; expected = 'map_value, ptr_';
        if (ok) this.reject(`map '${reg.map?.name ?? ''}' has no valid bpf_spin_lock`, 'spin_lock');
        break;
      default: ok = true; expected = '';
    }
    if (!ok) this.reject(`R${regno} type=${reg.type} expected=${expected}`, 'helper_arg_type');
    if (reg.type === 'ctx' && (reg.off !== 0 || !isConst(reg.v) || constValue(reg.v) !== 0n)) {
      this.reject(`dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`, 'ctx_modified_ptr');
    }
  }

  /** check_helper_mem_access */
  private helperMem(regno: number, reg: Reg, size: number, write: boolean, zeroOk: boolean): void {
    switch (reg.type) {
      case 'pkt': case 'pkt_meta':
        this.checkPacketAccess(regno, reg, reg.off, size, zeroOk);
        return;
      case 'map_value':
        this.checkMemRegion(regno, reg, reg.off, size, reg.map?.valueSize ?? 0, zeroOk);
        return;
      case 'ringbuf_mem': case 'mem':
        this.checkMemRegion(regno, reg, reg.off, size, reg.range, zeroOk);
        return;
      case 'fp': {
        if (size === 0 && !zeroOk) this.reject('invalid zero-sized read', 'helper_arg_size');
        const frame = this.stackFrame(reg);
        const minOff = BigInt(reg.off) + reg.v.smin;
        const maxOff = BigInt(reg.off) + reg.v.smax + BigInt(size);
        if (size === 0 && zeroOk) return;
        if (minOff < -512n || maxOff > 0n || minOff >= 0n) {
          if (isConst(reg.v)) this.reject(`invalid ${write ? 'write to' : 'read from'} stack R${regno} off=${minOff} size=${size}`, 'helper_mem_oob');
          this.reject(`invalid variable-offset ${write ? 'write to' : 'read from'} stack R${regno} var_off=${tnumString(reg.v.t)} off=${reg.off} size=${size}`, 'helper_mem_oob');
        }
        if (!write && !this.opts.privileged && isConst(reg.v) && minOff < -this.allocatedStack(frame)) {
          this.reject(`invalid read from stack R${regno} off=${minOff} size=${size}`, 'stack_uninit_read');
        }
        this.updateStackDepthFor(reg, Number(minOff));
        for (let b = Number(minOff); b < Number(maxOff); b++) {
          const { slot, byte } = this.slotOf(b);
          const sl = frame.stack[slot]!;
          const t = sl.bytes[byte]!;
          if (write) {
            if (t !== StackByte.MISC) this.writeStackByte(frame, b, StackByte.MISC);
            continue;
          }
          if (t === StackByte.MISC || t === StackByte.ZERO) continue;
          if (t === StackByte.SPILL && (sl.spill?.type === 'scalar' || this.opts.privileged)) continue;
          if (t === StackByte.INVALID && this.opts.privileged) continue;
          this.reject(`invalid read from stack R${regno} off ${minOff}+${BigInt(b) - minOff} size ${size}`, 'stack_uninit_read');
        }
        return;
      }
      default:
        this.reject(`R${regno} type=${reg.type} expected=${MEM_TYPES}`, 'helper_arg_type');
    }
  }

  private checkMapFunc(map: MapInfo | undefined, id: number): void {
    const name = helperDisplayName(id);
    if (map !== undefined) {
      if (this.opts.availableMapTypes !== undefined && !this.opts.availableMapTypes.has(map.type)) {
        this.reject(`map type ${map.type} is not supported by the target kernel`, 'map_type_unavailable');
      }
      const t = map.type;
      const bad = (): never => this.reject(`cannot pass map_type ${t} into func ${name}#${id}`, 'map_func_mismatch');
      if (t === MapType.PROG_ARRAY && id !== 12) bad();
      if (t === MapType.PERF_EVENT_ARRAY && ![22, 25, 111, 55, 121].includes(id)) bad();
      if (t === MapType.RINGBUF && ![130, 131, 134, 198, 199, 200].includes(id)) bad();
      if ((t === MapType.DEVMAP || t === MapType.DEVMAP_HASH || t === MapType.XSKMAP) && ![51, 1].includes(id)) bad();
      if (t === MapType.CPUMAP && id !== 51) bad();
      if ((t === MapType.QUEUE || t === MapType.STACK) && ![87, 88, 89].includes(id)) bad();
      if (id === 195 && ![MapType.PERCPU_ARRAY, MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH].includes(t as 6)) bad();
      if (id === 12 && t !== MapType.PROG_ARRAY) bad();
      if (id === 25 && t !== MapType.PERF_EVENT_ARRAY) bad();
      if ([130, 131, 134].includes(id) && t !== MapType.RINGBUF) bad();
      if (id === 51 && ![MapType.DEVMAP, MapType.DEVMAP_HASH, MapType.CPUMAP, MapType.XSKMAP].includes(t as 14)) bad();
      if ([87, 88, 89].includes(id) && ![MapType.QUEUE, MapType.STACK, MapType.BLOOM_FILTER].includes(t as 22)) bad();
    }
  }

  private forEachReg(fn: (r: Reg) => Reg): void {
    for (const f of this.cur.state.frames) {
      for (let r = 0; r < 11; r++) f.regs[r] = fn(f.regs[r]!);
      for (let i = 0; i < f.stack.length; i++) {
        const sl = f.stack[i]!;
        if (sl.spill !== undefined) {
          const nr = fn(sl.spill);
          if (nr !== sl.spill) f.stack[i] = { bytes: sl.bytes, spill: nr };
        }
      }
    }
  }

  private clearPktPointers(): void {
    this.forEachReg((r) => (isPktAny(r.type) ? UNKNOWN_SCALAR : r));
  }

  private releaseReference(id: number): void {
    const st = this.cur.state;
    st.refs = st.refs.filter((r) => r.id !== id);
    this.forEachReg((r) => (r.refObjId === id ? UNKNOWN_SCALAR : r));
  }

  // ---- conditional jumps --------------------------------------------------------------------

  private condJmp(s: Slot, p: Path, is32: boolean, op: number): void {
    if (op === JmpOp.JA || op > JmpOp.JCOND) this.reject(`invalid BPF_JMP/JMP32 opcode ${op.toString(16)}`, 'bad_opcode');
    const x = sourceOf(s.code) !== 0;
    const dst = this.checkSrc(s.dst);
    let src: Reg;
    if (x) {
      if (s.imm !== 0) this.reject('BPF_JMP/JMP32 uses reserved fields', 'reserved_fields');
      src = this.checkSrc(s.src);
      if (!(isPktAny(dst.type) && isPktAny(src.type)) && this.isPointerValue(src)) {
        this.reject(`R${s.src} pointer comparison prohibited`, 'pointer_comparison');
      }
    } else {
      if (s.src !== 0) this.reject('BPF_JMP/JMP32 uses reserved fields', 'reserved_fields');
      src = constReg(is32 ? BigInt(s.imm >>> 0) : BigInt(s.imm));
    }
    this.jmpsProcessed++;
    const target = p.insn + s.off + 1;
    let pred: 1 | 0 | -1 = -1;
    if (dst.type === 'scalar' && src.type === 'scalar') pred = branchTaken(op, dst.v, src.v, is32);
    else if (NOT_NULL.has(dst.type) && src.type === 'scalar' && isKnownZero(src) && !is32) {
      if (op === JmpOp.JEQ) pred = 0; else if (op === JmpOp.JNE) pred = 1;
    }
    if (pred === 1) { p.insn = target; return; }
    if (pred === 0) { p.insn++; return; }
    // both ways: the taken branch is pushed, the fall-through continues
    const other = cloneState(p.state);
    const thisSt = p.state;
    let otherDead = false, thisDead = false;
    if (dst.type === 'scalar' && src.type === 'scalar') {
      const t = refine(op, dst.v, src.v, is32, true);
      const f = refine(op, dst.v, src.v, is32, false);
      if (t === undefined) otherDead = true;
      else this.applyRefined(other, s, x, dst, src, t);
      if (f === undefined) thisDead = true;
      else this.applyRefined(thisSt, s, x, dst, src, f);
    }
    if (!x && s.imm === 0 && !is32 && (op === JmpOp.JEQ || op === JmpOp.JNE) && isMaybeNull(dst.type)) {
      this.markPtrOrNull(thisSt, dst.id, op === JmpOp.JNE);
      this.markPtrOrNull(other, dst.id, op === JmpOp.JEQ);
    } else if (x && !is32) {
      this.matchPktPointers(op, dst, src, thisSt, other);
    }
    if (thisDead && otherDead) { p.insn++; return; }
    if (otherDead) { p.insn++; return; }
    if (thisDead) { p.insn = target; p.state = other; return; }
    this.fork(target, other);
    p.insn++;
  }

  private applyRefined(st: VState, s: Slot, x: boolean, dst: Reg, src: Reg, r: [Scalar, Scalar]): void {
    const regs = curFrame(st).regs;
    const nd: Reg = { ...dst, v: r[0] };
    regs[s.dst] = nd;
    this.syncLinked(st, nd);
    if (x) {
      const ns: Reg = { ...src, v: r[1] };
      regs[s.src] = ns;
      this.syncLinked(st, ns);
    }
  }

  private syncLinked(st: VState, reg: Reg): void {
    if (reg.id === 0 || reg.type !== 'scalar') return;
    for (const f of st.frames) {
      for (let r = 0; r < 11; r++) {
        const o = f.regs[r]!;
        if (o.type === 'scalar' && o.id === reg.id) f.regs[r] = reg;
      }
      for (let i = 0; i < f.stack.length; i++) {
        const sl = f.stack[i]!;
        if (sl.spill?.type === 'scalar' && sl.spill.id === reg.id) f.stack[i] = { bytes: sl.bytes, spill: reg };
      }
    }
  }

  /** mark_ptr_or_null_regs: after `if rX == 0`, copies of the pointer become NULL (scalar 0) or non-NULL. */
  private markPtrOrNull(st: VState, id: number, isNull: boolean): void {
    let refToDrop = 0;
    const fix = (r: Reg): Reg => {
      if (r.id !== id || !isMaybeNull(r.type)) return r;
      if (isNull) {
        if (r.refObjId) refToDrop = r.refObjId;
        return constReg(0n);
      }
      return { ...r, type: nonNull(r.type) };
    };
    for (const f of st.frames) {
      for (let r = 0; r < 11; r++) f.regs[r] = fix(f.regs[r]!);
      for (let i = 0; i < f.stack.length; i++) {
        const sl = f.stack[i]!;
        if (sl.spill !== undefined) {
          const nr = fix(sl.spill);
          if (nr !== sl.spill) f.stack[i] = { bytes: sl.bytes, spill: nr };
        }
      }
    }
    if (refToDrop) st.refs = st.refs.filter((r) => r.id !== refToDrop);
  }

  /** try_match_pkt_pointers + find_good_pkt_pointers */
  private matchPktPointers(op: number, dst: Reg, src: Reg, thisSt: VState, other: VState): void {
    const initPkt = (r: Reg, t: RegType): boolean => r.type === t && r.off === 0 && isConst(r.v) && constValue(r.v) === 0n;
    const dFwd = (dst.type === 'pkt' && src.type === 'pkt_end') || (dst.type === 'pkt_meta' && initPkt(src, 'pkt'));
    const sFwd = (dst.type === 'pkt_end' && src.type === 'pkt') || (initPkt(dst, 'pkt') && src.type === 'pkt_meta');
    const good = (st: VState, reg: Reg, open: boolean): void => {
      if (reg.off < 0 || (!open && reg.off === 0)) return;
      if (reg.v.umax > BigInt(MAX_PACKET_OFF) || reg.v.umax + BigInt(reg.off) > BigInt(MAX_PACKET_OFF)) return;
      const range = reg.off + (open ? 1 : 0);
      for (const f of st.frames) {
        for (let r = 0; r < 11; r++) {
          const o = f.regs[r]!;
          if (o.type === reg.type && o.id === reg.id) f.regs[r] = { ...o, range: Math.max(o.range, range) };
        }
        for (let i = 0; i < f.stack.length; i++) {
          const sl = f.stack[i]!;
          const o = sl.spill;
          if (o !== undefined && o.type === reg.type && o.id === reg.id) f.stack[i] = { bytes: sl.bytes, spill: { ...o, range: Math.max(o.range, range) } };
        }
      }
    };
    switch (op) {
      case JmpOp.JGT:
        if (dFwd) good(thisSt, dst, false); else if (sFwd) good(other, src, true);
        break;
      case JmpOp.JLT:
        if (dFwd) good(other, dst, true); else if (sFwd) good(thisSt, src, false);
        break;
      case JmpOp.JGE:
        if (dFwd) good(thisSt, dst, true); else if (sFwd) good(other, src, false);
        break;
      case JmpOp.JLE:
        if (dFwd) good(other, dst, false); else if (sFwd) good(thisSt, src, true);
        break;
      default:
        break;
    }
  }
}

function ptrTypeName(t: RegType): string {
  return t;
}

function signExtend(v: bigint, bits: number): bigint {
  return BigInt.asUintN(64, BigInt.asIntN(bits, v));
}

function signExtendLoad(size: number): Scalar {
  const bits = BigInt(size * 8);
  const lo = -(1n << (bits - 1n)), hi = (1n << (bits - 1n)) - 1n;
  return sync({ ...SCALAR_UNKNOWN, smin: lo, smax: hi }) ?? SCALAR_UNKNOWN;
}

function bswap(v: bigint, width: number, be: boolean, is64: boolean): bigint {
  const bytes = width / 8;
  const masked = v & ((1n << BigInt(width)) - 1n);
  if (!be && !is64) return masked; // to little-endian on a little-endian host: truncate
  let out = 0n;
  for (let i = 0; i < bytes; i++) out = (out << 8n) | ((masked >> BigInt(8 * i)) & 0xffn);
  return out;
}

export { EMPTY_SLOT, type StackSlot };
