// check_max_stack_depth: the combined stack of every call chain, each frame rounded up to
// 16 bytes (the JIT's granularity), must fit in 512 bytes. The kernel runs it after do_check.
import { Rejection } from './diagnostic.js';
import type { Slot } from './slots.js';
import type { Structure } from './structure.js';
import { CALL } from '../asm/opcode.js';

const MAX_CALL_FRAMES = 8;
const roundUp = (d: number): number => Math.ceil(d / 16) * 16;

export function checkMaxStackDepth(slots: readonly Slot[], st: Structure, depths: readonly number[]): void {
  const walk = (idx: number, depth: number, chain: number, frame: number): void => {
    const total = depth + roundUp(depths[idx] ?? 0);
    if (total > 512) {
      throw new Rejection(st.subprogs[idx]!.start, `combined stack size of ${chain} calls is ${total}. Too large`, 'combined_stack_too_large');
    }
    const sp = st.subprogs[idx]!;
    for (let i = sp.start; i < sp.end; i++) {
      const s = slots[i]!;
      if (s.code !== CALL || s.src !== 1) continue;
      const target = i + s.imm + 1;
      const callee = st.subprogOf[target]!;
      if (frame + 1 >= MAX_CALL_FRAMES) {
        throw new Rejection(i, `the call stack of ${frame + 1} frames is too deep !`, 'call_stack_too_deep');
      }
      walk(callee, total, chain + 1, frame + 1);
    }
  };
  walk(0, 0, 1, 0);
}
