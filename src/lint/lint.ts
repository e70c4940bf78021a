// The lint's entry points: predict the kernel verifier's verdict on one program and say
// where and why it would reject it.
import type { Instruction } from '../asm/instruction.js';
import { type Diagnostic, type DiagnosticSource, type ProgramReport, Rejection } from './diagnostic.js';
import { hintFor } from './hints.js';
import { type GlobalFunc, Interpreter } from './interpreter.js';
import type { MapInfo } from './map-info.js';
import { type KernelProfile, profileHelpers, profileMapTypes } from './profile.js';
import { type ProgTypeName, progTypeFromName } from './program-type.js';
import { type Slot, slotsFromBytes, slotsFromInstructions } from './slots.js';
import { checkMaxStackDepth } from './stack-depth.js';
import { checkStructure } from './structure.js';

export interface LintOptions {
  /** program type: xdp (default), sched_cls/tc, sched_act, socket_filter, cgroup_skb */
  readonly type?: ProgTypeName | string;
  /** model a loader without CAP_BPF/CAP_PERFMON (stricter rules) */
  readonly unprivileged?: boolean;
  /** maps the program references: by LD_IMM64 `ref` name (Instruction.ref) or by fd (imm) */
  readonly maps?: Readonly<Record<string, MapInfo>> | ReadonlyMap<string | number, MapInfo>;
  /** a saved kernel profile to lint against */
  readonly profile?: KernelProfile;
  /** expected_attach_type (e.g. 40 = BPF_XDP_DEVMAP) */
  readonly expectedAttachType?: number;
  /** program name and ELF section for reports */
  readonly name?: string;
  readonly section?: string;
  /** source of an instruction (slot index) when the instructions carry no loc: .BTF.ext line_info */
  readonly sourceOf?: (slot: number) => DiagnosticSource | undefined;
  /** processed-instruction budget; default 1,000,000 like the kernel */
  readonly insnLimit?: number;
  /** the program is loaded with BTF func_info (callbacks need it) */
  readonly hasFuncInfo?: boolean;
  /** nr_cpu_ids of the target kernel (bounds bpf_get_smp_processor_id); default unknown */
  readonly possibleCpus?: number;
  /** global (non-static) functions by first slot, from BTF func_info: verified on their own */
  readonly globalFuncs?: ReadonlyMap<number, GlobalFunc>;
}

export class LintOptionError extends Error {
  override readonly name = 'LintOptionError';
  readonly exitCode = 2;
}

function resolveType(t: string | undefined): ProgTypeName {
  if (t === undefined) return 'xdp';
  const r = progTypeFromName(t);
  if (r === undefined) throw new LintOptionError(`unsupported program type '${t}' (xdp, tc/sched_cls, sched_act, socket_filter, cgroup_skb)`);
  return r;
}

function mapLookup(maps: LintOptions['maps']): (s: Slot) => MapInfo | undefined {
  return (s) => {
    if (maps === undefined) return undefined;
    if (maps instanceof Map) return (s.ref !== undefined ? maps.get(s.ref) : undefined) ?? maps.get(s.imm);
    const rec = maps as Readonly<Record<string, MapInfo>>;
    return (s.ref !== undefined ? rec[s.ref] : undefined) ?? rec[String(s.imm)];
  };
}

/** Lint verifier slots (the kernel's view: LD_IMM64 is two slots). */
export function lintSlots(slots: readonly Slot[], opts: LintOptions = {}): ProgramReport {
  const progType = resolveType(opts.type);
  const privileged = opts.unprivileged !== true;
  const name = opts.name ?? 'prog';
  const section = opts.section ?? progType;
  const diagnostics: Diagnostic[] = [];
  let processed = 0;
  try {
    if (slots.length > 1_000_000) throw new Rejection(0, `program too large: ${slots.length} instructions (the kernel allows 1000000)`, 'too_many_insns');
    if (!privileged && slots.length > 4096) throw new Rejection(0, `program too large: ${slots.length} instructions (4096 without CAP_BPF)`, 'too_many_insns');
    const st = checkStructure(slots, { privileged, resolveMap: mapLookup(opts.maps), ...(opts.hasFuncInfo === true ? { hasFuncInfo: true } : {}) });
    const interpretOptions = {
      progType, privileged,
      ...(opts.globalFuncs !== undefined ? { globalFuncs: opts.globalFuncs } : {}),
      ...(opts.expectedAttachType !== undefined ? { expectedAttachType: opts.expectedAttachType } : {}),
      ...(opts.profile !== undefined ? {
        availableHelpers: profileHelpers(opts.profile, progType), availableMapTypes: profileMapTypes(opts.profile),
      } : {}),
      ...(opts.insnLimit !== undefined ? { insnLimit: opts.insnLimit } : {}),
      ...((opts.possibleCpus ?? opts.profile?.possibleCpus) !== undefined ? { possibleCpus: (opts.possibleCpus ?? opts.profile?.possibleCpus)! } : {}),
    };
    const r = new Interpreter(slots, st, interpretOptions).run();
    processed = r.processed;
    for (const w of r.warnings) diagnostics.push({ ...toDiagnostic(w, slots, opts), severity: 'warning' });
    // Then each global function on its own, as the kernel does after the main program.
    const stackDepth = [...r.stackDepth];
    for (const [start, func] of opts.globalFuncs ?? []) {
      const g = new Interpreter(slots, st, interpretOptions).run({ start, func });
      processed += g.processed;
      for (const w of g.warnings) diagnostics.push({ ...toDiagnostic(w, slots, opts), severity: 'warning' });
      g.stackDepth.forEach((d, i) => { stackDepth[i] = Math.max(stackDepth[i] ?? 0, d); });
    }
    checkMaxStackDepth(slots, st, stackDepth);
  } catch (e) {
    if (!(e instanceof Rejection)) throw e;
    diagnostics.push(toDiagnostic(e, slots, opts));
  }
  return {
    name, section,
    verdict: diagnostics.some((d) => d.severity === 'error') ? 'reject' : 'accept',
    diagnostics,
    processed,
  };
}

function toDiagnostic(e: Rejection, slots: readonly Slot[], opts: LintOptions): Diagnostic {
  const hint = hintFor(e.kind);
  const loc = slots[e.insn]?.loc;
  const source: DiagnosticSource | undefined = loc !== undefined
    ? { file: loc.file, line: loc.line, ...(loc.column > 0 ? { column: loc.column } : {}), ...(loc.text !== undefined ? { text: loc.text } : {}) }
    : opts.sourceOf?.(e.insn);
  return {
    insn: e.insn,
    severity: 'error',
    message: e.message,
    ...(e.notes.length > 0 ? { notes: e.notes } : {}),
    ...(hint !== undefined ? { hint } : {}),
    kind: e.kind,
    ...(source !== undefined ? { source } : {}),
  };
}

/** Lint an instruction list (DSL or assembler output). */
export function lintInstructions(insns: readonly Instruction[], opts: LintOptions = {}): ProgramReport {
  return lintSlots(slotsFromInstructions(insns), opts);
}

/** Lint raw little-endian bytecode (an ELF program section, a dump). */
export function lintBytes(bytes: Uint8Array, opts: LintOptions = {}): ProgramReport {
  return lintSlots(slotsFromBytes(bytes), opts);
}
