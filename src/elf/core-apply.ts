// Applying a linked program's CO-RE relocations against a target BTF (the loader passes
// /sys/kernel/btf/vmlinux). Pure; returns a new LinkedProgram. A poisoned LD_IMM64 becomes two
// poison calls (it held two slots), so later indices shift by one; this function keeps every
// index list (mapRefs, ksyms, coreRelos, functions) consistent.

import type { Instruction } from '../asm/instruction.js';
import type { Btf } from '../btf/btf.js';
import { patchCoreInstruction, resolveCoreRelocation, type CoreResult } from '../btf/core/core-relo.js';
import type { LinkedProgram } from './link.js';

export interface AppliedCoreRelocation {
  /** Instruction index in the returned program. */
  readonly insn: number;
  readonly kind: number;
  readonly accessStr: string;
  readonly localTypeId: number;
  readonly result: CoreResult;
}

export interface CoreApplication {
  readonly program: LinkedProgram;
  readonly relocations: readonly AppliedCoreRelocation[];
}

/** Resolve and patch every CO-RE relocation of `linked`. `local` is the object's BTF. */
export function applyCoreRelocations(linked: LinkedProgram, local: Btf, target: Btf): CoreApplication {
  if (linked.coreRelos.length === 0) return { program: linked, relocations: [] };
  const replacement = new Map<number, Instruction[]>();
  const results: { insn: number; kind: number; accessStr: string; localTypeId: number; result: CoreResult }[] = [];
  for (const r of linked.coreRelos) {
    const result = resolveCoreRelocation(local, target, r);
    const current = replacement.get(r.insn)?.[0] ?? linked.insns[r.insn]!;
    replacement.set(r.insn, patchCoreInstruction(current, result, `${linked.program.name} insn ${r.insn}`));
    results.push({ insn: r.insn, kind: r.kind, accessStr: r.accessStr, localTypeId: r.typeId, result });
  }
  const insns: Instruction[] = [];
  const newIndex = new Int32Array(linked.insns.length + 1);
  linked.insns.forEach((insn, i) => {
    newIndex[i] = insns.length;
    const rep = replacement.get(i);
    if (rep) insns.push(...rep);
    else insns.push(insn);
  });
  newIndex[linked.insns.length] = insns.length;
  const at = (i: number): number => newIndex[i]!;
  const program: LinkedProgram = {
    ...linked,
    insns,
    functions: linked.functions.map((f) => ({ ...f, start: at(f.start) })),
    mapRefs: linked.mapRefs.map((m) => ({ ...m, insn: at(m.insn) })),
    ksyms: linked.ksyms.map((k) => ({ ...k, insn: at(k.insn) })),
    coreRelos: linked.coreRelos.map((c) => ({ ...c, insn: at(c.insn) })),
  };
  return { program, relocations: results.map((r) => ({ ...r, insn: at(r.insn) })) };
}
