// Which scalars can matter: a static stand-in for the kernel's precision tracking
// (mark_chain_precision). The kernel prunes a state against an old one while ignoring the
// values of scalars that never influenced a safety decision; without that, code that
// stores different constants on each side of many branches explodes exponentially.
//
// This is a backward data-flow over the instructions: a register or 8-byte stack slot is
// "precise" at an instruction when its value may flow into something the verifier checks
// by value: a conditional jump (any, conservatively: the kernel only marks decided ones),
// pointer arithmetic, helper arguments, memory through a stack pointer copy, the return
// value of a program type with a return range. Everything else may be ignored when pruning.
import type { Slot } from './slots.js';
import { Class, JmpOp, Mode, LD_IMM64, classOf, modeOf, opOf, sizeOf, sourceOf, Size } from '../asm/opcode.js';
import { AluOp } from '../asm/opcode.js';
import { successors } from './structure.js';

export interface Precision {
  /** bit r: register r may matter at slot i */
  readonly regs: Int32Array;
  /** stack slot masks (slot k = fp-8(k+1)..): low 32 slots, high 32 slots */
  readonly stackLo: Int32Array;
  readonly stackHi: Int32Array;
}

const MAP_HELPERS = new Set([1, 2, 3, 87, 88, 89, 195]);

export function computePrecision(slots: readonly Slot[], subprogStarts: ReadonlySet<number>, exitR0Precise: boolean): Precision {
  const n = slots.length;
  const regs = new Int32Array(n), lo = new Int32Array(n), hi = new Int32Array(n);
  // exits of subprograms return R0 to a caller: treat it as precise there
  const subprogOf = new Int32Array(n);
  let cur = 0;
  for (let i = 0; i < n; i++) { if (subprogStarts.has(i) && i !== 0) cur = 1; subprogOf[i] = cur; }
  const bit = (r: number): number => (r >= 0 && r <= 10 ? 1 << r : 0);
  const succ = (i: number): number[] => successors(slots, i);
  const slotIdx = (off: number): number => (off < 0 && off >= -512 ? Math.floor((-off - 1) / 8) : -1);
  let changed = true;
  let rounds = 0;
  while (changed && rounds++ < 2000) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      let P = 0, SL = 0, SH = 0;
      for (const w of succ(i)) if (w >= 0 && w < n) { P |= regs[w]!; SL |= lo[w]!; SH |= hi[w]!; }
      const s = slots[i]!;
      const cls = classOf(s.code);
      const x = sourceOf(s.code) !== 0;
      const setSlot = (k: number): void => { if (k < 0) return; if (k < 32) SL |= 1 << k; else SH |= 1 << (k - 32); };
      const hasSlot = (k: number): boolean => (k < 0 ? false : k < 32 ? (SL & (1 << k)) !== 0 : (SH & (1 << (k - 32))) !== 0);
      const killSlot = (k: number): void => { if (k < 0) return; if (k < 32) SL &= ~(1 << k); else SH &= ~(1 << (k - 32)); };
      switch (cls) {
        case Class.ALU: case Class.ALU64: {
          const op = opOf(s.code);
          const d = bit(s.dst);
          if (op === AluOp.MOV) {
            const wasPrecise = (P & d) !== 0;
            P &= ~d;
            if (x && wasPrecise) P |= bit(s.src);
          } else {
            if ((P & d) !== 0 && x) P |= bit(s.src);
            // pointer += scalar: the kernel marks the scalar precise
            if (x && (op === AluOp.ADD || op === AluOp.SUB)) P |= bit(s.src);
          }
          break;
        }
        case Class.LDX: {
          const d = bit(s.dst);
          if ((P & d) !== 0) {
            if (s.src === 10) setSlot(slotIdx(s.off));
            else { SL = -1; SH = -1; }
          }
          P &= ~d;
          break;
        }
        case Class.STX: {
          if (modeOf(s.code) === Mode.ATOMIC) { P |= bit(s.src) | 1; break; }
          if (s.dst === 10) {
            const k = slotIdx(s.off);
            if (hasSlot(k)) P |= bit(s.src);
            if (sizeOf(s.code) === Size.DW) killSlot(k);
          } else if (SL !== 0 || SH !== 0) {
            P |= bit(s.src); // may write into a precise stack slot through a pointer copy
          }
          break;
        }
        case Class.ST:
          if (s.dst === 10 && sizeOf(s.code) === Size.DW) killSlot(slotIdx(s.off));
          break;
        case Class.LD:
          if (s.code === LD_IMM64) P &= ~bit(s.dst);
          else { P = (P & ~0x3f) | bit(6) | (modeOf(s.code) === Mode.IND ? bit(s.src) : 0); }
          break;
        default: {
          const op = opOf(s.code);
          if (op === JmpOp.EXIT) {
            P = subprogOf[i] !== 0 || exitR0Precise ? 1 : 0;
            SL = 0; SH = 0;
          } else if (op === JmpOp.CALL) {
            P = (P & ~0x3f) | 0x3e;
            if (s.src !== 0 || MAP_HELPERS.has(s.imm)) { SL = -1; SH = -1; }
          } else if (op !== JmpOp.JA && op !== JmpOp.JCOND) {
            P |= bit(s.dst) | (x ? bit(s.src) : 0);
          }
        }
      }
      if (P !== regs[i] || SL !== lo[i] || SH !== hi[i]) { regs[i] = P; lo[i] = SL; hi[i] = SH; changed = true; }
    }
  }
  if (changed) { regs.fill(-1); lo.fill(-1); hi.fill(-1); } // did not converge: everything matters
  return { regs, stackLo: lo, stackHi: hi };
}
