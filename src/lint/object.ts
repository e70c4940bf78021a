// Lint every program of an ELF object (clang output or our assembler's): link each program
// like libbpf, resolve its maps from the object's map definitions, and point diagnostics at
// the C (or other) source line from .BTF.ext line_info.
import type { BpfObject } from '../elf/object-model.js';
import { type KernelFuncInfo, linkProgram } from '../elf/link.js';
import type { Btf } from '../btf/btf.js';
import type { GlobalFunc, GlobalParam } from './interpreter.js';
import { parseObject } from '../elf/parse-object.js';
import type { Instruction } from '../asm/instruction.js';
import type { DiagnosticSource, LintReport, ProgramReport } from './diagnostic.js';
import { type LintOptions, lintInstructions } from './lint.js';
import type { MapInfo } from './map-info.js';
import { asmLineTable } from './asm-lines.js';
import { type ProgTypeName, PROG_TYPES, progTypeFromName, progTypeFromSection } from './program-type.js';

export interface ObjectLintOptions extends Omit<LintOptions, 'name' | 'section' | 'maps' | 'sourceOf'> {
  /** only these programs (by name) */
  readonly programs?: readonly string[];
  /** map definitions to add or override (by name) */
  readonly maps?: Readonly<Record<string, MapInfo>>;
  /** for objects assembled from LLVM assembly: the .s text and its file name, for source lines */
  readonly asmSource?: { readonly file: string; readonly text: string };
}

const TYPE_BY_ID = new Map<number, ProgTypeName>(Object.entries(PROG_TYPES).map(([k, v]) => [v, k as ProgTypeName]));

export function lintObject(obj: BpfObject, opts: ObjectLintOptions = {}): LintReport {
  const maps: Record<string, MapInfo> = {};
  const info = (m: BpfObject['maps'][number]): MapInfo => ({
    name: m.name, type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries,
    flags: m.readonly ? 0x80 : m.flags, ...(m.inner !== undefined ? { inner: info(m.inner) } : {}),
  });
  for (const m of obj.maps) maps[m.name] = info(m);
  Object.assign(maps, opts.maps ?? {});
  const programs: ProgramReport[] = [];
  const asmTable = opts.asmSource !== undefined ? asmLineTable(opts.asmSource.text) : undefined;
  for (const p of obj.programs) {
    if (opts.programs !== undefined && !opts.programs.includes(p.name)) continue;
    const type = opts.type !== undefined ? (progTypeFromName(opts.type) ?? opts.type) : (TYPE_BY_ID.get(p.progType) ?? progTypeFromSection(p.section));
    if (type === undefined) {
      programs.push({
        name: p.name, section: p.section, verdict: 'accept', skipped: true,
        diagnostics: [{ insn: 0, severity: 'warning', message: `program type ${p.progType} (section ${p.section}) is not modelled by the lint; pass --type`, kind: 'unsupported_type' }],
      });
      continue;
    }
    const linked = linkProgram(obj, p.name);
    const insns: Instruction[] = linked.insns.slice();
    for (const r of linked.mapRefs) insns[r.insn] = { ...insns[r.insn]!, ref: r.map };
    const lines = [...linked.lineInfo].sort((a, b) => a.insnOff - b.insnOff);
    const asm = asmTable;
    const sourceOf = (slot: number): DiagnosticSource | undefined => {
      if (asm !== undefined && opts.asmSource !== undefined) {
        let fn = linked.functions[0];
        for (const f of linked.functions) if (f.startSlot <= slot) fn = f;
        if (fn === undefined) return undefined;
        const line = asm.get(fn.section)?.[fn.offset / 8 + slot - fn.startSlot];
        if (line === undefined) return undefined;
        const text = opts.asmSource.text.split('\n')[line - 1]?.trim();
        return { file: opts.asmSource.file, line, ...(text !== undefined ? { text } : {}) };
      }
      let best: (typeof lines)[number] | undefined;
      for (const l of lines) { if (l.insnOff <= slot) best = l; else break; }
      if (best === undefined) return undefined;
      return { file: best.fileName, line: best.lineNum, ...(best.column > 0 ? { column: best.column } : {}), ...(best.line !== '' ? { text: best.line } : {}) };
    };
    const { asmSource: _asm, programs: _only, ...lintOpts } = opts;
    const ctxType = progTypeFromName(type);
    const globalFuncs = obj.btf === undefined || ctxType === undefined ? undefined : globalFunctions(obj.btf, linked.funcInfo, ctxType);
    programs.push(lintInstructions(insns, {
      ...lintOpts, type, maps, name: p.name, section: p.section, sourceOf,
      ...(globalFuncs !== undefined && globalFuncs.size > 0 ? { globalFuncs } : {}),
      ...(linked.funcInfo.length > 0 ? { hasFuncInfo: true } : {}),
      ...(p.expectedAttachType !== undefined && opts.expectedAttachType === undefined ? { expectedAttachType: p.expectedAttachType } : {}),
    }));
  }
  return { programs };
}

/** The struct a program type's context pointer points to (btf_is_prog_ctx_type). */
const CTX_STRUCT: Readonly<Record<ProgTypeName, string>> = {
  xdp: 'xdp_md', sched_cls: '__sk_buff', sched_act: '__sk_buff', socket_filter: '__sk_buff', cgroup_skb: '__sk_buff',
};

/**
 * The global (BTF_FUNC_GLOBAL) functions of a linked program, by first slot, with their
 * parameters typed as the kernel types them (btf_prepare_func_args): the program's context
 * pointer, a scalar, or a pointer to memory of the pointee's size (possibly NULL). A function
 * with a parameter of another kind is left to be followed from its callers, as before.
 */
function globalFunctions(btf: Btf, funcInfo: readonly KernelFuncInfo[], type: ProgTypeName): Map<number, GlobalFunc> {
  const out = new Map<number, GlobalFunc>();
  const sorted = [...funcInfo].sort((a, b) => a.insnOff - b.insnOff);
  sorted.forEach((fi, index) => {
    if (index === 0) return; // the program itself
    const fn = btf.type(fi.typeId);
    if (fn.kind !== 'func' || fn.linkage !== 1) return;
    const proto = btf.type(fn.type);
    if (proto.kind !== 'func_proto') return;
    const params: GlobalParam[] = [];
    for (const param of proto.params) {
      const kind = paramKind(btf, param.type, CTX_STRUCT[type]);
      if (kind === undefined) return;
      params.push(kind);
    }
    if (params.length > 5) return;
    out.set(fi.insnOff, { index, name: fn.name, params });
  });
  return out;
}

function paramKind(btf: Btf, typeId: number, ctxStruct: string): GlobalParam | undefined {
  if (typeId === 0) return undefined;
  const t = btf.type(btf.resolve(typeId));
  if (t.kind === 'int' || t.kind === 'enum' || t.kind === 'enum64') return 'scalar';
  if (t.kind !== 'ptr' || t.type === 0) return undefined;
  const targetId = btf.resolve(t.type);
  if (targetId === 0) return undefined;
  const target = btf.type(targetId);
  if (target.kind === 'struct' && target.name === ctxStruct) return 'ctx';
  if (target.kind === 'func_proto' || target.kind === 'func') return undefined;
  let size: number;
  try {
    size = btf.sizeOf(targetId);
  } catch {
    return undefined;
  }
  return size > 0 ? { mem: size } : undefined;
}

/** Parse an ELF object's bytes and lint its programs. */
export function lintElf(bytes: Uint8Array, opts: ObjectLintOptions & { readonly objectName?: string } = {}): LintReport {
  const obj = parseObject(bytes, opts.objectName !== undefined ? { name: opts.objectName } : {});
  return lintObject(obj, opts);
}
