// Runs cases through the lint and the live kernel verifier and tallies agreement.
import { lintInstructions } from '../../src/lint/lint.js';
import { lintObject } from '../../src/lint/object.js';
import { linkProgram } from '../../src/elf/link.js';
import { parseObject } from '../../src/elf/parse-object.js';
import { parseVerifierLog } from '../../src/lint/kernel-log.js';
import type { ProgramReport } from '../../src/lint/diagnostic.js';
import { type Case, CORPUS_MAPS, progTypeId } from './corpus.js';
import { closeFd, createMap, kernelLoad } from './kernel-oracle.js';
import { readFileSync } from 'node:fs';

/** nr_cpu_ids of this machine, from /sys/devices/system/cpu/possible ("0-1"). */
export function possibleCpus(): number | undefined {
  try {
    const t = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
    const last = t.split(',').pop()!.split('-').pop()!;
    return Number(last) + 1;
  } catch {
    return undefined;
  }
}
const CPUS = possibleCpus();

export interface Outcome {
  readonly c: Case;
  readonly kernelAccepts: boolean;
  readonly kernelMessage?: string;
  readonly kernelKind?: string;
  readonly kernelInsn?: number;
  readonly lint: ProgramReport;
  readonly lintMs: number;
}

export interface Tally {
  total: number;
  agree: number;
  falseAccepts: Outcome[];
  falseRejects: Outcome[];
  bothReject: number;
  sameMessage: number;
  sameInsn: number;
  messageMismatches: Outcome[];
  perClass: Map<string, { total: number; agree: number; fa: number; fr: number }>;
}

export class KernelMaps {
  readonly fds: Record<string, number> = {};
  constructor() {
    for (const [name, m] of Object.entries(CORPUS_MAPS)) {
      this.fds[name] = createMap({ type: m.kernelType, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries });
    }
  }
  close(): void {
    for (const fd of Object.values(this.fds)) closeFd(fd);
  }
}

export function runCase(c: Case, maps: KernelMaps): Outcome {
  const k = kernelLoad(c.insns, { progType: progTypeId(c), mapFds: maps.fds });
  const t0 = performance.now();
  const lint = lintInstructions(c.insns, { type: c.type ?? 'xdp', maps: CORPUS_MAPS, name: c.name, ...(CPUS !== undefined ? { possibleCpus: CPUS } : {}) });
  const lintMs = performance.now() - t0;
  if (k.accepted) return { c, kernelAccepts: true, lint, lintMs };
  const parsed = parseVerifierLog(k.log);
  const d = parsed.diagnostic;
  return {
    c, kernelAccepts: false, lint, lintMs,
    ...(d !== undefined ? { kernelMessage: d.message, kernelKind: d.kind, kernelInsn: d.insn } : { kernelMessage: `(no log, errno ${k.errno})` }),
  };
}

export function tally(outcomes: readonly Outcome[]): Tally {
  const t: Tally = { total: 0, agree: 0, falseAccepts: [], falseRejects: [], bothReject: 0, sameMessage: 0, sameInsn: 0, messageMismatches: [], perClass: new Map() };
  for (const o of outcomes) {
    t.total++;
    const lintAccepts = o.lint.verdict === 'accept';
    const cls = o.kernelAccepts ? 'accepted' : (o.kernelKind ?? 'other');
    const pc = t.perClass.get(cls) ?? { total: 0, agree: 0, fa: 0, fr: 0 };
    t.perClass.set(cls, pc);
    pc.total++;
    if (lintAccepts === o.kernelAccepts) {
      t.agree++; pc.agree++;
      if (!o.kernelAccepts) {
        t.bothReject++;
        const d = o.lint.diagnostics[0];
        if (d !== undefined && d.message === o.kernelMessage) t.sameMessage++;
        else t.messageMismatches.push(o);
        if (d !== undefined && d.insn === o.kernelInsn) t.sameInsn++;
      }
    } else if (lintAccepts) { t.falseAccepts.push(o); pc.fa++; } else { t.falseRejects.push(o); pc.fr++; }
  }
  return t;
}

export function describeTally(t: Tally, title: string): string {
  const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
  const lines = [
    `${title}: ${t.total} programs, verdict agreement ${t.agree}/${t.total} (${pct(t.agree, t.total)}), false accepts ${t.falseAccepts.length}, false rejects ${t.falseRejects.length}`,
    `  both reject: ${t.bothReject}, same first error line ${t.sameMessage} (${pct(t.sameMessage, t.bothReject)}), same insn ${t.sameInsn}`,
    '  per kernel class (total / agree / false accepts / false rejects):',
  ];
  for (const [k, v] of [...t.perClass.entries()].sort((a, b) => b[1].total - a[1].total)) {
    lines.push(`    ${k.padEnd(28)} ${String(v.total).padStart(4)} ${String(v.agree).padStart(4)} ${String(v.fa).padStart(3)} ${String(v.fr).padStart(3)}`);
  }
  for (const o of t.falseAccepts) lines.push(`  FALSE ACCEPT [${o.c.family}] ${o.c.name}: kernel says "${o.kernelMessage}" at ${o.kernelInsn}`);
  for (const o of t.falseRejects) lines.push(`  FALSE REJECT [${o.c.family}] ${o.c.name}: lint says "${o.lint.diagnostics[0]?.message}" at ${o.lint.diagnostics[0]?.insn}`);
  for (const o of t.messageMismatches) lines.push(`  MESSAGE [${o.c.family}] ${o.c.name}: kernel "${o.kernelMessage}" @${o.kernelInsn} / lint "${o.lint.diagnostics[0]?.message}" @${o.lint.diagnostics[0]?.insn}`);
  return lines.join('\n');
}

/** Each program of a clang object, linked and labelled by the kernel (maps created fresh, no BTF). */
export function runObject(bytes: Uint8Array, objName: string): Outcome[] {
  const obj = parseObject(bytes, { name: objName });
  const fds: Record<string, number> = {};
  try {
    for (const m of obj.maps) fds[m.name] = createMap({ type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries });
    const lintReport = lintObject(obj, CPUS !== undefined ? { possibleCpus: CPUS } : {});
    const outs: Outcome[] = [];
    for (const p of obj.programs) {
      const linked = linkProgram(obj, p.name);
      const insns = linked.insns.map((ins, i) => {
        const r = linked.mapRefs.find((m) => m.insn === i);
        return r !== undefined ? { ...ins, ref: r.map } : ins;
      });
      const c: Case = { family: `clang:${objName}`, name: `${objName}/${p.name}`, insns };
      const k = kernelLoad(insns, { progType: p.progType, mapFds: fds, ...(p.expectedAttachType !== undefined ? { expectedAttachType: p.expectedAttachType } : {}) });
      const lint = lintReport.programs.find((r) => r.name === p.name)!;
      if (k.accepted) { outs.push({ c, kernelAccepts: true, lint, lintMs: 0 }); continue; }
      const d = parseVerifierLog(k.log).diagnostic;
      outs.push({ c, kernelAccepts: false, lint, lintMs: 0, ...(d !== undefined ? { kernelMessage: d.message, kernelKind: d.kind, kernelInsn: d.insn } : { kernelMessage: `(no log, errno ${k.errno})` }) });
    }
    return outs;
  } finally {
    for (const fd of Object.values(fds)) closeFd(fd);
  }
}
