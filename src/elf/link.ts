// Linking one program into runnable instructions, the way libbpf's bpf_object__reloc_code does:
// the entry function first, then every function it calls or takes the address of (transitively,
// depth-first, each once), with bpf-to-bpf call offsets and ld_imm64 function pointers fixed and
// .BTF.ext records rebased. What only the runtime can fill in is left as a list:
//
//   mapRefs — an LD_IMM64 whose `src` is already BPF_PSEUDO_MAP_FD (kind 'map') or
//             BPF_PSEUDO_MAP_VALUE (kind 'map_value', value offset already in `imm2`);
//             the loader writes the map's fd into `imm`, the VM writes its own map handle.
//   ksyms   — kernel symbols (variables and kfuncs) resolved against the kernel's BTF.
//   coreRelos — CO-RE relocations, applied with applyCoreRelocations() (src/btf/core).
//
// Pure: the object is not modified; instructions are copied where they change.

import type { Instruction } from '../asm/instruction.js';
import { CALL, LD_IMM64, PseudoCall, PseudoLd } from '../asm/opcode.js';
import { ElfError } from './errors.js';
import type { BpfFunction, BpfObject, BpfProgram, FunctionRef } from './object-model.js';

export interface LinkedMapRef {
  /** Index into LinkedProgram.insns (an Instruction index). */
  readonly insn: number;
  readonly map: string;
  /** 'map': the map itself (PSEUDO_MAP_FD); 'map_value': an address in its value (PSEUDO_MAP_VALUE). */
  readonly kind: 'map' | 'map_value';
  /** Byte offset into the value for 'map_value' (also already in the instruction's imm2), else 0. */
  readonly offset: number;
}

export interface LinkedKsym {
  readonly insn: number;
  readonly name: string;
  /** A kfunc call (else an LD_IMM64 of a kernel variable). */
  readonly call: boolean;
  readonly weak: boolean;
  /** `extern const void x __ksym`: an address from kallsyms, not a BTF id. */
  readonly typeless?: boolean;
}

/** func_info as BPF_PROG_LOAD takes it: insnOff counts 8-byte slots from the program start. */
export interface KernelFuncInfo {
  readonly insnOff: number;
  readonly typeId: number;
}

/** line_info as BPF_PROG_LOAD takes it (slot offsets); strings still to be put in a BTF. */
export interface KernelLineInfo {
  readonly insnOff: number;
  readonly fileName: string;
  readonly line: string;
  readonly lineNum: number;
  readonly column: number;
}

export interface LinkedCoreRelo {
  /** Index into LinkedProgram.insns. */
  readonly insn: number;
  readonly typeId: number;
  readonly accessStr: string;
  readonly kind: number;
}

export interface LinkedFunction {
  readonly name: string;
  readonly section: string;
  readonly offset: number;
  /** Index of its first instruction in LinkedProgram.insns, and its first slot. */
  readonly start: number;
  readonly startSlot: number;
  readonly global: boolean;
}

export interface LinkedProgram {
  readonly program: BpfProgram;
  readonly insns: readonly Instruction[];
  /** The entry function first, then the appended subprograms, in layout order. */
  readonly functions: readonly LinkedFunction[];
  readonly mapRefs: readonly LinkedMapRef[];
  readonly ksyms: readonly LinkedKsym[];
  /** One per function, or empty when the object has no BTF func_info for every function. */
  readonly funcInfo: readonly KernelFuncInfo[];
  readonly lineInfo: readonly KernelLineInfo[];
  readonly coreRelos: readonly LinkedCoreRelo[];
}

const key = (r: FunctionRef): string => `${r.section}\0${r.offset}`;

/** Link program `name` of `obj`. Throws ElfError for an unknown program or a dangling call. */
export function linkProgram(obj: BpfObject, name: string): LinkedProgram {
  const program = obj.programs.find((p) => p.name === name);
  if (!program) throw new ElfError(`no program named ${name} (have: ${obj.programs.map((p) => p.name).join(', ') || 'none'})`);
  const byRef = new Map<string, BpfFunction>();
  for (const f of [...obj.programs, ...obj.subprograms]) byRef.set(key(f), f);

  const insns: Instruction[] = [];
  const placed = new Map<string, number>(); // function key → index in `layout`
  const layout: { fn: BpfFunction; start: number }[] = [];
  const fixups: { insn: number; target: string; kind: 'call' | 'func_addr' }[] = [];
  const mapRefs: LinkedMapRef[] = [];
  const ksyms: LinkedKsym[] = [];
  const coreRelos: LinkedCoreRelo[] = [];

  const append = (fn: BpfFunction): void => {
    const k = key(fn);
    placed.set(k, layout.length);
    const start = insns.length;
    layout.push({ fn, start });
    for (const insn of fn.insns) insns.push(insn);
    for (const c of fn.coreRelos) coreRelos.push({ insn: start + c.insn, typeId: c.typeId, accessStr: c.accessStr, kind: c.kind });
    for (const r of fn.relocations) {
      const at = start + r.insn;
      switch (r.kind) {
        case 'map':
          insns[at] = { ...insns[at]!, src: PseudoLd.MAP_FD, imm: 0, imm2: 0 };
          mapRefs.push({ insn: at, map: r.map, kind: 'map', offset: 0 });
          break;
        case 'map_value':
          insns[at] = { ...insns[at]!, src: PseudoLd.MAP_VALUE, imm: 0, imm2: r.offset };
          mapRefs.push({ insn: at, map: r.map, kind: 'map_value', offset: r.offset });
          break;
        case 'ksym':
          ksyms.push({ insn: at, name: r.name, call: r.call, weak: r.weak, ...(r.typeless === true ? { typeless: true } : {}) });
          break;
        case 'call':
        case 'func_addr': {
          const tk = key(r.target);
          const target = byRef.get(tk);
          if (!target) {
            throw new ElfError(`${fn.name}: ${r.kind === 'call' ? 'call' : 'function pointer'} at insn ${r.insn} targets ${r.target.section}+${r.target.offset}, where no function starts`);
          }
          fixups.push({ insn: at, target: tk, kind: r.kind });
          // depth-first, like libbpf: the callee goes right after what is placed so far
          if (!placed.has(tk)) append(target);
          break;
        }
      }
    }
  };
  append(program);

  // slot of every instruction, now that the layout is final
  const slots = new Int32Array(insns.length + 1);
  for (let i = 0, s = 0; i <= insns.length; i++) {
    slots[i] = s;
    if (i < insns.length) s += insns[i]!.code === LD_IMM64 ? 2 : 1;
  }
  for (const f of fixups) {
    const targetStart = layout[placed.get(f.target)!]!.start;
    const delta = slots[targetStart]! - (slots[f.insn]! + 1);
    const insn = insns[f.insn]!;
    if (f.kind === 'call') {
      if (insn.code !== CALL) throw new ElfError(`call relocation on a non-call instruction at ${f.insn}`);
      insns[f.insn] = { ...insn, src: PseudoCall.LOCAL, imm: delta };
    } else {
      if (insn.code !== LD_IMM64) throw new ElfError(`function pointer relocation on a non-ld_imm64 instruction at ${f.insn}`);
      insns[f.insn] = { ...insn, src: PseudoLd.FUNC, imm: delta, imm2: 0 };
    }
  }

  const functions: LinkedFunction[] = layout.map(({ fn, start }) => ({
    name: fn.name, section: fn.section, offset: fn.offset, start, startSlot: slots[start]!, global: fn.global,
  }));
  const funcInfo: KernelFuncInfo[] = layout.every(({ fn }) => fn.btfFuncId !== undefined)
    ? layout.map(({ fn, start }) => ({ insnOff: slots[start]!, typeId: fn.btfFuncId! }))
    : [];
  const lineInfo: KernelLineInfo[] = [];
  for (const { fn, start } of layout) {
    for (const l of fn.lineInfo) {
      lineInfo.push({ insnOff: slots[start + l.insn]!, fileName: l.fileName, line: l.line, lineNum: l.lineNum, column: l.column });
    }
  }
  return { program, insns, functions, mapRefs, ksyms, funcInfo, lineInfo, coreRelos };
}
