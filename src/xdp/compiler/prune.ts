// Drop instructions no path reaches (the verifier rejects unreachable code): after an action
// inside a branch, the jump over the else part, or a default action after both branches
// returned, would otherwise stay behind. Works on labels, before jump offsets exist.
import type { Instruction } from '../../asm/instruction.js';
import { isLabel, type Label } from '../../asm/dsl/label.js';
import { CALL, Class, EXIT, JmpOp, LD_IMM64, PseudoCall, PseudoLd, classOf, opOf } from '../../asm/opcode.js';

type Item = Instruction | Label;

export function pruneUnreachable(items: readonly Item[], entries: readonly string[] = []): Item[] {
  const at = new Map<string, number>();
  items.forEach((it, i) => {
    if (isLabel(it)) at.set(it.name, i);
  });
  const seen = new Uint8Array(items.length + 1);
  const work: number[] = [0, ...entries.map((n) => at.get(n)).filter((i): i is number => i !== undefined)];
  while (work.length > 0) {
    const i = work.pop()!;
    if (i >= items.length || seen[i]) continue;
    seen[i] = 1;
    const it = items[i]!;
    if (isLabel(it)) {
      work.push(i + 1);
      continue;
    }
    const cls = classOf(it.code);
    const isJmp = cls === Class.JMP || cls === Class.JMP32;
    const op = opOf(it.code);
    if (it.ref !== undefined && at.has(it.ref)) {
      const local = (isJmp && op !== JmpOp.CALL) || (it.code === CALL && it.src === PseudoCall.LOCAL) || (it.code === LD_IMM64 && it.src === PseudoLd.FUNC);
      if (local) work.push(at.get(it.ref)!);
    }
    if (it.code === EXIT) continue;
    if (isJmp && op === JmpOp.JA) continue;
    work.push(i + 1);
  }
  return items.filter((it, i) => isLabel(it) || seen[i] === 1);
}
