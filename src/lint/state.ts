// Verifier state: frames of registers and stack, acquired references, and the comparison
// the kernel uses to prune (states_equal with regsafe/stacksafe) and to spot loops (exact).
import { NOT_INIT, type Reg, regEquals, regSafe } from './reg.js';

export const MAX_BPF_STACK = 512;
export const STACK_SLOTS = MAX_BPF_STACK / 8;

/** Byte kinds in a stack slot (kernel STACK_*). */
export enum StackByte { INVALID = 0, MISC = 1, ZERO = 2, SPILL = 3 }

export interface StackSlot {
  /** 8 bytes; index 0 is the lowest address of the slot */
  readonly bytes: readonly StackByte[];
  readonly spill?: Reg;
}

export const EMPTY_SLOT: StackSlot = { bytes: [0, 0, 0, 0, 0, 0, 0, 0] };

export interface Frame {
  regs: Reg[];
  /** slot i covers fp-8*(i+1) .. fp-8*i-1 */
  stack: StackSlot[];
  /** instruction index of the call that created the frame (-1 for main) */
  readonly callsite: number;
  readonly subprog: number;
}

export interface RefState {
  readonly id: number;
  readonly insn: number;
}

export interface VState {
  frames: Frame[];
  refs: RefState[];
  /** may_goto iterations taken on this path (bpf_verifier_state.may_goto_depth) */
  mayGotoDepth: number;
}

export function newFrame(callsite: number, subprog: number): Frame {
  const regs: Reg[] = [];
  for (let i = 0; i < 11; i++) regs.push(NOT_INIT);
  const stack: StackSlot[] = [];
  for (let i = 0; i < STACK_SLOTS; i++) stack.push(EMPTY_SLOT);
  return { regs, stack, callsite, subprog };
}

export function cloneState(s: VState): VState {
  return {
    frames: s.frames.map((f) => ({ regs: f.regs.slice(), stack: f.stack.slice(), callsite: f.callsite, subprog: f.subprog })),
    refs: s.refs.slice(),
    mayGotoDepth: s.mayGotoDepth,
  };
}

export const curFrame = (s: VState): Frame => s.frames[s.frames.length - 1]!;

function sameShape(a: VState, b: VState): boolean {
  if (a.frames.length !== b.frames.length || a.refs.length !== b.refs.length) return false;
  for (let i = 0; i < a.frames.length; i++) if (a.frames[i]!.callsite !== b.frames[i]!.callsite) return false;
  for (let i = 0; i < a.refs.length; i++) if (a.refs[i]!.id !== b.refs[i]!.id) return false;
  return true;
}

function slotSafe(old: StackSlot, cur: StackSlot, exact: boolean): boolean {
  if (old === cur) return true;
  if (exact) {
    for (let i = 0; i < 8; i++) if (old.bytes[i] !== cur.bytes[i]) return false;
    if ((old.spill === undefined) !== (cur.spill === undefined)) return false;
    return old.spill === undefined || regEquals(old.spill, cur.spill!);
  }
  for (let i = 0; i < 8; i++) {
    const o = old.bytes[i]!, c = cur.bytes[i]!;
    if (o === StackByte.INVALID) continue;
    if (o === StackByte.MISC && (c === StackByte.MISC || c === StackByte.ZERO
      || (c === StackByte.SPILL && cur.spill?.type === 'scalar'))) continue;
    if (o === c) continue;
    return false;
  }
  if (old.spill !== undefined && old.bytes.includes(StackByte.SPILL)) {
    if (cur.spill === undefined) return false;
    return regSafe(old.spill, cur.spill);
  }
  return true;
}

/** Which top-frame registers and stack slots may matter (see precision.ts). */
export interface PrecisionMask {
  readonly regs: number;
  readonly stackLo: number;
  readonly stackHi: number;
}

/** check_ids: ids of the old state must map consistently onto ids of the current one. */
class IdMap {
  private readonly fwd = new Map<number, number>();
  private readonly back = new Map<number, number>();
  private tmp = -1;
  check(oldId: number, curId: number): boolean {
    if (oldId === 0) return true;
    const c = curId === 0 ? this.tmp-- : curId;
    const f = this.fwd.get(oldId), b = this.back.get(c);
    if (f === undefined && b === undefined) { this.fwd.set(oldId, c); this.back.set(c, oldId); return true; }
    return f === c && b === oldId;
  }
}

const isScalarSpill = (sl: StackSlot): boolean => sl.spill?.type === 'scalar' && sl.bytes.every((b) => b === StackByte.SPILL);

/**
 * Whether `cur` is covered by `old` (range-within) or identical to it (exact, for loop
 * detection). `live` marks the registers of the innermost frame that may still be read;
 * `prec` the innermost frame's registers and stack slots whose values may still matter
 * (scalars outside it are ignored, like the kernel's imprecise scalars).
 */
export function statesEqual(old: VState, cur: VState, exact: boolean, live: number, prec?: PrecisionMask): boolean {
  if (!sameShape(old, cur)) return false;
  const top = old.frames.length - 1;
  const ids = exact ? undefined : new IdMap();
  for (let f = 0; f <= top; f++) {
    const of = old.frames[f]!, cf = cur.frames[f]!;
    for (let r = 0; r < 11; r++) {
      if (f === top && (live & (1 << r)) === 0) continue;
      const o = of.regs[r]!, c = cf.regs[r]!;
      if (exact) { if (!regEquals(o, c)) return false; continue; }
      if (f === top && prec !== undefined && (prec.regs & (1 << r)) === 0 && o.type === 'scalar' && c.type === 'scalar') continue;
      if (!regSafe(o, c)) return false;
      if (o.type !== 'not_init' && !ids!.check(o.id, c.id)) return false;
    }
    for (let i = 0; i < STACK_SLOTS; i++) {
      const o = of.stack[i]!, c = cf.stack[i]!;
      if (!exact && f === top && prec !== undefined && isScalarSpill(o) && isScalarSpill(c)) {
        const precise = i < 32 ? (prec.stackLo & (1 << i)) !== 0 : (prec.stackHi & (1 << (i - 32))) !== 0;
        if (!precise) continue;
      }
      if (!slotSafe(o, c, exact)) return false;
      if (!exact && o.spill !== undefined && c.spill !== undefined && !ids!.check(o.spill.id, c.spill.id)) return false;
    }
  }
  return true;
}
