// The loader's view of a verifier log. The parsing is the lint's (src/lint/kernel-log.ts), so a
// load failure and a lint finding read alike; this file adds the line_info / Instruction.loc
// lookup for the failing slot and the fields VerifierError has always had.
import type { SourceLocation } from '../asm/source-location.js';
import type { Diagnostic } from '../lint/diagnostic.js';
import { parseKernelRejection } from '../lint/kernel-log.js';

/** The kernel's closing statistics, never the error itself. */
const SUMMARY = /^(processed \d+ insns|verification time|stack depth)/;

export interface ParsedVerifierLog {
  /** Instruction (slot) index the verifier stopped at, when the log says. */
  readonly insn: number | undefined;
  /** The kernel's error line(s): the diagnostic's message, then its notes. */
  readonly errorLines: readonly string[];
  /** The source location the log itself names for the failing instruction (BTF line_info). */
  readonly source: SourceLocation | undefined;
  /** The rejection in the lint's shape, when the log shows an error. */
  readonly diagnostic: Diagnostic | undefined;
}

/** A rejected load's log, through the lint's parser. */
export function parseVerifierLog(log: string): ParsedVerifierLog {
  const r = parseKernelRejection(log);
  if (r === undefined) {
    // No error line the lint recognises: the log's last line is the best we have.
    const last = log.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !SUMMARY.test(l)).pop();
    return { insn: undefined, errorLines: last !== undefined ? [last] : [], source: undefined, diagnostic: undefined };
  }
  const d = r.diagnostic;
  const source = d.source !== undefined ? { file: d.source.file, line: d.source.line, column: d.source.column ?? 0, ...(d.source.text !== undefined ? { text: d.source.text } : {}) } : undefined;
  return { insn: r.located ? d.insn : undefined, errorLines: [d.message, ...(d.notes ?? [])], source, diagnostic: d };
}

/** A source location per instruction slot, from line records sorted by slot. */
export interface SlotSource {
  /** Instruction slot index (insn_off of bpf_line_info). */
  readonly insnOff: number;
  readonly loc: SourceLocation;
}

/** The location covering `slot`: the record with the greatest insnOff ≤ slot. */
export function sourceForSlot(records: readonly SlotSource[], slot: number): SourceLocation | undefined {
  let best: SlotSource | undefined;
  for (const r of records) if (r.insnOff <= slot && (!best || r.insnOff >= best.insnOff)) best = r;
  return best?.loc;
}
