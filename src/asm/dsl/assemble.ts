// Turns a list of instructions and labels into a program: label references become offsets,
// unconditional jumps too far for 16 bits become gotol, far conditional jumps are rewritten
// as `if cond goto +1; goto +1; gotol target`, and names that are not labels are left as
// relocations (maps, global data, functions in other sections, kfuncs).
import { AsmError } from '../errors.js';
import { type Instruction, fitsS16 } from '../instruction.js';
import { CALL, Class, JmpOp, LD_IMM64, MAY_GOTO, PseudoCall, PseudoLd, classOf, opOf } from '../opcode.js';
import { isLabel, type Label } from './label.js';

export type ProgramItem = Instruction | Label | readonly ProgramItem[];

export interface Relocation {
  /** Index into `insns` of the instruction that refers to `symbol`. */
  readonly index: number;
  readonly symbol: string;
}

export interface AssembledProgram {
  /** Instructions with every label reference resolved; only relocated instructions keep `ref`. */
  readonly insns: Instruction[];
  /** Label name → instruction index (may equal insns.length for a label at the end). */
  readonly labels: ReadonlyMap<string, number>;
  /** References to names that are not labels of this program. */
  readonly relocations: readonly Relocation[];
}

const JA = Class.JMP | JmpOp.JA;
const GOTOL = Class.JMP32 | JmpOp.JA;

function isJump(insn: Instruction): boolean {
  const cls = classOf(insn.code);
  if (cls !== Class.JMP && cls !== Class.JMP32) return false;
  const op = opOf(insn.code);
  return op !== JmpOp.CALL && op !== JmpOp.EXIT;
}

/** Whether a label reference in this instruction is resolved as a relative slot offset. */
function isLocalRef(insn: Instruction, labels: ReadonlyMap<string, number>): boolean {
  if (insn.ref === undefined) return false;
  if (isJump(insn)) return true;
  if (insn.code === CALL && insn.src === PseudoCall.LOCAL) return labels.has(insn.ref);
  if (insn.code === LD_IMM64 && insn.src === PseudoLd.FUNC) return labels.has(insn.ref);
  return false;
}

function flatten(items: readonly ProgramItem[], out: (Instruction | Label)[]): void {
  for (const item of items) {
    if (Array.isArray(item)) flatten(item as readonly ProgramItem[], out);
    else out.push(item as Instruction | Label);
  }
}

/** Far conditional jumps, by position in the flattened list, that need the 3-instruction form. */
type Expanded = Set<number>;

export function assemble(items: readonly ProgramItem[]): AssembledProgram {
  const flat: (Instruction | Label)[] = [];
  flatten(items, flat);

  const expanded: Expanded = new Set();
  const widened = new Set<number>(); // ja → gotol
  for (let round = 0; ; round++) {
    const { insns, labels, origin } = layout(flat, expanded, widened);
    const slots = slotTable(insns);
    let changed = false;
    const relocations: Relocation[] = [];
    for (let i = 0; i < insns.length; i++) {
      const insn = insns[i]!;
      if (insn.ref === undefined) continue;
      if (!isLocalRef(insn, labels)) {
        relocations.push({ index: i, symbol: insn.ref });
        continue;
      }
      const target = labels.get(insn.ref);
      if (target === undefined) throw AsmError.at(`undefined label '${insn.ref}'`, insn.loc);
      const delta = slots[target]! - (slots[i]! + 1);
      const resolved: Instruction = { ...insn, ref: undefined };
      delete resolved.ref;
      if (insn.code === GOTOL || insn.code === CALL || insn.code === LD_IMM64) {
        resolved.imm = delta;
      } else if (fitsS16(delta)) {
        resolved.off = delta;
      } else if (insn.code === MAY_GOTO) {
        throw AsmError.at(`may_goto target '${insn.ref}' is ${delta} slots away: beyond a 16-bit offset`, insn.loc);
      } else if (insn.code === JA) {
        widened.add(origin[i]!);
        changed = true;
      } else {
        expanded.add(origin[i]!);
        changed = true;
      }
      insns[i] = resolved;
    }
    if (!changed) return { insns, labels, relocations };
    if (round > flat.length) throw AsmError.at('long-jump rewriting did not converge', undefined);
  }
}

function layout(flat: readonly (Instruction | Label)[], expanded: Expanded, widened: Set<number>) {
  const insns: Instruction[] = [];
  const origin: number[] = []; // flat position of each emitted instruction's source item
  const labels = new Map<string, number>();
  for (let p = 0; p < flat.length; p++) {
    const item = flat[p]!;
    if (isLabel(item)) {
      if (labels.has(item.name)) throw AsmError.at(`duplicate label '${item.name}'`, item.loc);
      labels.set(item.name, insns.length);
      continue;
    }
    if (widened.has(p)) {
      insns.push({ ...item, code: GOTOL, off: 0, imm: 0 });
      origin.push(p);
    } else if (expanded.has(p)) {
      // if cond goto +1; goto +1; gotol target
      const { ref: _ref, ...head } = item;
      insns.push({ ...head, off: 1 }, { code: JA, dst: 0, src: 0, off: 1, imm: 0, ...(item.loc ? { loc: item.loc } : {}) });
      origin.push(p, p);
      insns.push({ code: GOTOL, dst: 0, src: 0, off: 0, imm: 0, ref: item.ref, ...(item.loc ? { loc: item.loc } : {}) });
      origin.push(p);
    } else {
      insns.push(item);
      origin.push(p);
    }
  }
  return { insns, labels, origin };
}

function slotTable(insns: readonly Instruction[]): Int32Array {
  const slots = new Int32Array(insns.length + 1);
  let s = 0;
  for (let i = 0; i < insns.length; i++) {
    slots[i] = s;
    s += insns[i]!.code === LD_IMM64 ? 2 : 1;
  }
  slots[insns.length] = s;
  return slots;
}
