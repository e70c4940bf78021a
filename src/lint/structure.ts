// The checks the kernel runs before abstract interpretation, in its order:
// add_subprog_and_kfunc, check_subprogs, resolve_pseudo_ldimm64, check_cfg.
import { Rejection } from './diagnostic.js';
import type { MapInfo } from './map-info.js';
import type { Slot } from './slots.js';
import { Class, JmpOp, Mode, Size, LD_IMM64, CALL, EXIT, classOf, modeOf, opOf, sizeOf, sourceOf } from '../asm/opcode.js';

export interface Subprog {
  readonly start: number;
  readonly end: number;
}

export interface Structure {
  readonly subprogs: readonly Subprog[];
  /** slot index → subprog index */
  readonly subprogOf: Int32Array;
  /** instructions where the interpreter checks for pruning and loops */
  readonly prunePoints: Uint8Array;
  /** map resolved for each LD_IMM64 slot that loads a map */
  readonly maps: ReadonlyMap<number, MapInfo>;
}

export interface StructureOptions {
  readonly privileged: boolean;
  /** resolve a map reference: by symbolic ref or by fd (imm) */
  readonly resolveMap: (slot: Slot) => MapInfo | undefined;
  /** the program comes with BTF func_info (needed for callbacks) */
  readonly hasFuncInfo?: boolean;
}

const isPseudoCall = (s: Slot): boolean => s.code === CALL && s.src === 1;
const isPseudoFunc = (s: Slot): boolean => s.code === LD_IMM64 && s.src === 4;

/** bpf_opcode_in_insntable: opcodes the kernel's interpreter knows. */
export function opcodeKnown(code: number): boolean {
  const cls = classOf(code);
  switch (cls) {
    case Class.ALU: case Class.ALU64: {
      const op = opOf(code);
      if (op > 0xd0) return false;
      if (op === 0xd0) return cls === Class.ALU || sourceOf(code) === 0; // bswap is ALU64|K only
      if (op === 0x80) return sourceOf(code) === 0;
      return true;
    }
    case Class.JMP: case Class.JMP32: {
      const op = opOf(code);
      if (op === 0xf0) return false;
      if (cls === Class.JMP32 && (op === JmpOp.CALL || op === JmpOp.EXIT || op === JmpOp.JCOND)) return false;
      if (op === JmpOp.JA || op === JmpOp.EXIT || op === JmpOp.JCOND) return sourceOf(code) === 0;
      return true;
    }
    case Class.LD: {
      if (code === LD_IMM64) return true;
      const m = modeOf(code);
      return (m === Mode.ABS || m === Mode.IND) && sizeOf(code) !== Size.DW;
    }
    case Class.LDX: {
      const m = modeOf(code);
      return m === Mode.MEM || (m === Mode.MEMSX && sizeOf(code) !== Size.DW);
    }
    case Class.ST:
      return modeOf(code) === Mode.MEM;
    default: { // STX
      const m = modeOf(code);
      return m === Mode.MEM || (m === Mode.ATOMIC && (sizeOf(code) === Size.W || sizeOf(code) === Size.DW
        || sizeOf(code) === Size.B || sizeOf(code) === Size.H));
    }
  }
}

/** Jump displacement (gotol keeps it in imm). */
export const jmpOffset = (s: Slot): number => (classOf(s.code) === Class.JMP32 && opOf(s.code) === JmpOp.JA ? s.imm : s.off);

export function checkStructure(slots: readonly Slot[], opts: StructureOptions): Structure {
  const n = slots.length;
  if (n === 0) throw new Rejection(0, 'empty program', 'empty');
  // add_subprog_and_kfunc
  const starts = new Set<number>([0]);
  for (let i = 0; i < n; i++) {
    const s = slots[i]!;
    if (isPseudoCall(s) || isPseudoFunc(s)) {
      if (!opts.privileged) throw new Rejection(i, 'loading/calling other bpf or kernel functions are allowed for CAP_SYS_ADMIN', 'unpriv_call');
      const t = i + s.imm + 1;
      if (t < 0 || t >= n) throw new Rejection(i, 'call to invalid destination', 'jump_out_of_range');
      starts.add(t);
    }
  }
  const sorted = [...starts].sort((a, b) => a - b);
  const subprogs: Subprog[] = sorted.map((start, k) => ({ start, end: sorted[k + 1] ?? n }));
  const subprogOf = new Int32Array(n);
  subprogs.forEach((sp, k) => { for (let i = sp.start; i < sp.end; i++) subprogOf[i] = k; });
  // check_subprogs
  for (const sp of subprogs) {
    for (let i = sp.start; i < sp.end; i++) {
      const s = slots[i]!;
      const cls = classOf(s.code);
      if ((cls === Class.JMP || cls === Class.JMP32) && opOf(s.code) !== JmpOp.EXIT && opOf(s.code) !== JmpOp.CALL) {
        const t = i + jmpOffset(s) + 1;
        if (t < sp.start || t >= sp.end) throw new Rejection(i, `jump out of range from insn ${i} to ${t}`, 'jump_out_of_range');
      }
      if (i === sp.end - 1 && s.code !== EXIT && s.code !== (Class.JMP32 | JmpOp.JA) && s.code !== (Class.JMP | JmpOp.JA)) {
        throw new Rejection(i, 'last insn is not an exit or jmp', 'last_insn_not_exit');
      }
    }
  }
  if (subprogs.length > 1 && opts.hasFuncInfo !== true && slots.some(isPseudoFunc)) throw new Rejection(0, 'missing btf func_info', 'missing_btf_func_info');
  // resolve_pseudo_ldimm64
  const maps = new Map<number, MapInfo>();
  for (let i = 0; i < n; i++) {
    const s = slots[i]!;
    if (classOf(s.code) === Class.LDX && ((modeOf(s.code) !== Mode.MEM && modeOf(s.code) !== Mode.MEMSX) || s.imm !== 0)) {
      throw new Rejection(i, 'BPF_LDX uses reserved fields', 'reserved_fields');
    }
    if (s.code === LD_IMM64) {
      const hi = slots[i + 1];
      if (i === n - 1 || hi === undefined || hi.code !== 0 || hi.dst !== 0 || hi.src !== 0 || hi.off !== 0) {
        throw new Rejection(i, 'invalid bpf_ld_imm64 insn', 'bad_ld_imm64');
      }
      if (s.src === 0 || s.src === 4) { i++; continue; }
      if (s.src === 3) throw new Rejection(i, 'kernel subsystem misconfigured verifier', 'bad_ld_imm64'); // BTF ids need vmlinux BTF
      if (!((s.src === 1 || s.src === 5) ? hi.imm === 0 : (s.src === 2 || s.src === 6))) {
        throw new Rejection(i, 'unrecognized bpf_ld_imm64 insn', 'bad_ld_imm64');
      }
      const map = opts.resolveMap(s);
      if (map === undefined) throw new Rejection(i, `fd ${s.imm} is not pointing to valid bpf_map`, 'bad_map_fd');
      if (s.src === 2 || s.src === 6) {
        const off = hi.imm >>> 0;
        if (map.type !== 2) throw new Rejection(i, 'no direct value access support for this map type', 'bad_ld_imm64');
        if (off >= map.valueSize) throw new Rejection(i, `invalid access to map value pointer, value_size=${map.valueSize} off=${off}`, 'bad_ld_imm64');
      }
      maps.set(i, map);
      i++;
      continue;
    }
    if (!opcodeKnown(s.code)) {
      throw new Rejection(i, `unknown opcode ${s.code.toString(16).padStart(2, '0')}`, 'bad_opcode');
    }
  }
  const prunePoints = checkCfg(slots, opts.privileged);
  return { subprogs, subprogOf, prunePoints, maps };
}

const DISCOVERED = 0x10, EXPLORED = 0x20, FALLTHROUGH = 1, BRANCH = 2;

function checkCfg(slots: readonly Slot[], privileged: boolean): Uint8Array {
  const n = slots.length;
  const state = new Uint8Array(n);
  const prune = new Uint8Array(n);
  const stack = new Int32Array(n + 1);
  let sp = 0;
  state[0] = DISCOVERED;
  stack[sp++] = 0;
  // push_insn: 0 = done, 1 = keep exploring
  const push = (t: number, w: number, e: number): 0 | 1 => {
    if (e === FALLTHROUGH && state[t]! >= (DISCOVERED | FALLTHROUGH)) return 0;
    if (e === BRANCH && state[t]! >= (DISCOVERED | BRANCH)) return 0;
    if (w < 0 || w >= n) throw new Rejection(t, `jump out of range from insn ${t} to ${w}`, 'jump_out_of_range');
    if (e === BRANCH) prune[w] = 1;
    if (state[w] === 0) {
      state[t] = DISCOVERED | e;
      state[w] = DISCOVERED;
      stack[sp++] = w;
      return 1;
    }
    if ((state[w]! & 0xf0) === DISCOVERED) {
      if (privileged) return 0;
      throw new Rejection(t, `back-edge from insn ${t} to ${w}`, 'back_edge');
    }
    state[t] = DISCOVERED | e;
    return 0;
  };
  const visit = (t: number): 0 | 1 => {
    const s = slots[t]!;
    if (isPseudoFunc(s)) {
      if (push(t, t + 2, FALLTHROUGH)) return 1;
      prune[t + 2] = 1; prune[t] = 1;
      return push(t, t + s.imm + 1, BRANCH);
    }
    const cls = classOf(s.code);
    if (cls !== Class.JMP && cls !== Class.JMP32) return push(t, t + (s.code === LD_IMM64 ? 2 : 1), FALLTHROUGH);
    switch (opOf(s.code)) {
      case JmpOp.EXIT: return 0;
      case JmpOp.CALL: {
        if (push(t, t + 1, FALLTHROUGH)) return 1;
        if (t + 1 < n) prune[t + 1] = 1;
        if (s.src === 1) { prune[t] = 1; return push(t, t + s.imm + 1, BRANCH); }
        return 0;
      }
      case JmpOp.JA: {
        const w = t + jmpOffset(s) + 1;
        const r = push(t, w, FALLTHROUGH);
        if (w >= 0 && w < n) prune[w] = 1;
        return r;
      }
      default: {
        prune[t] = 1;
        if (push(t, t + 1, FALLTHROUGH)) return 1;
        return push(t, t + s.off + 1, BRANCH);
      }
    }
  };
  while (sp > 0) {
    const t = stack[sp - 1]!;
    if (visit(t) === 0) { state[t] = EXPLORED; sp--; }
  }
  for (let i = 0; i < n; i++) {
    if (state[i] !== EXPLORED) throw new Rejection(i, `unreachable insn ${i}`, 'unreachable_insn');
    if (slots[i]!.code === LD_IMM64) {
      if (state[i + 1] !== 0) throw new Rejection(i, `jump into the middle of ldimm64 insn ${i}`, 'jump_into_ld_imm64');
      i++;
    }
  }
  // conditional jumps' fall-through targets are pruning points too
  for (let i = 0; i < n; i++) {
    const s = slots[i]!;
    const cls = classOf(s.code);
    if ((cls === Class.JMP || cls === Class.JMP32) && opOf(s.code) !== JmpOp.JA && opOf(s.code) !== JmpOp.EXIT
      && opOf(s.code) !== JmpOp.CALL && i + 1 < n) prune[i + 1] = 1;
  }
  return prune;
}

/** Slots control can reach next from slot i (a call returns to i + 1; exit goes nowhere). */
export function successors(slots: readonly Slot[], i: number): number[] {
  const s = slots[i]!;
  const cls = classOf(s.code);
  if (s.code === LD_IMM64) return [i + 2];
  if (cls !== Class.JMP && cls !== Class.JMP32) return [i + 1];
  const op = opOf(s.code);
  if (op === JmpOp.EXIT) return [];
  if (op === JmpOp.CALL) return [i + 1];
  if (op === JmpOp.JA) return [i + jmpOffset(s) + 1];
  return [i + 1, i + s.off + 1];
}

/** Static register liveness: bit r of live[i] set when r may be read at or after slot i before a write. */
export function registerLiveness(slots: readonly Slot[], subprogs: readonly Subprog[]): Int32Array {
  const n = slots.length;
  const live = new Int32Array(n);
  const succ = (i: number): number[] => successors(slots, i);
  const useDef = (i: number): [number, number] => {
    const s = slots[i]!;
    const cls = classOf(s.code);
    const bit = (r: number): number => (r >= 0 && r <= 10 ? 1 << r : 0);
    const x = sourceOf(s.code) !== 0;
    switch (cls) {
      case Class.ALU: case Class.ALU64: {
        const op = opOf(s.code);
        if (op === 0xb0) return [x ? bit(s.src) : 0, bit(s.dst)];
        return [bit(s.dst) | (x ? bit(s.src) : 0), bit(s.dst)];
      }
      case Class.LDX: return [bit(s.src), bit(s.dst)];
      case Class.ST: return [bit(s.dst), 0];
      case Class.STX: return [bit(s.dst) | bit(s.src) | (modeOf(s.code) === Mode.ATOMIC ? 1 : 0), modeOf(s.code) === Mode.ATOMIC ? bit(s.src) | 1 : 0];
      case Class.LD:
        if (s.code === LD_IMM64) return [0, bit(s.dst)];
        return [bit(6) | (modeOf(s.code) === Mode.IND ? bit(s.src) : 0), 0x3f];
      default: {
        const op = opOf(s.code);
        if (op === JmpOp.EXIT) return [1, 0]; // R0; the caller's callee-saved registers live in its own frame
        if (op === JmpOp.CALL) return [0x3e, 0x3f];
        if (op === JmpOp.JA) return [0, 0];
        return [bit(s.dst) | (x ? bit(s.src) : 0), 0];
      }
    }
  };
  const ud = Array.from({ length: n }, (_, i) => useDef(i));
  let changed = true;
  let rounds = 0;
  while (changed && rounds++ < 1000) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      let out = 0;
      for (const w of succ(i)) if (w >= 0 && w < n) out |= live[w]!;
      const [use, def] = ud[i]!;
      const inn = use | (out & ~def);
      if (inn !== live[i]) { live[i] = inn; changed = true; }
    }
  }
  void subprogs;
  return live;
}
