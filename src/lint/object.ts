// Lint every program of an ELF object (clang output or our assembler's): link each program
// like libbpf, resolve its maps from the object's map definitions, and point diagnostics at
// the C (or other) source line from .BTF.ext line_info.
import type { BpfObject } from '../elf/object-model.js';
import { linkProgram } from '../elf/link.js';
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
    programs.push(lintInstructions(insns, {
      ...lintOpts, type, maps, name: p.name, section: p.section, sourceOf,
      ...(linked.funcInfo.length > 0 ? { hasFuncInfo: true } : {}),
      ...(p.expectedAttachType !== undefined && opts.expectedAttachType === undefined ? { expectedAttachType: p.expectedAttachType } : {}),
    }));
  }
  return { programs };
}

/** Parse an ELF object's bytes and lint its programs. */
export function lintElf(bytes: Uint8Array, opts: ObjectLintOptions & { readonly objectName?: string } = {}): LintReport {
  const obj = parseObject(bytes, opts.objectName !== undefined ? { name: opts.objectName } : {});
  return lintObject(obj, opts);
}
