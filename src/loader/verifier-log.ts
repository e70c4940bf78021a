// Reading the kernel verifier's log: which instruction failed, what the kernel said, and
// which source line that was (from the log's own "; text @ file:line" comments, from
// line_info, or from Instruction.loc).
import type { SourceLocation } from '../asm/source-location.js';

/** "12: (85) call bpf_map_lookup_elem#1" — an instruction in the trace. */
const INSN_LINE = /^(\d+): \([0-9a-f]{2}\)/;
/** Messages that name the instruction themselves. */
const INSN_IN_MESSAGE = /(?:unreachable insn|infinite loop detected at insn|jump out of range from insn|invalid insn idx|back-edge from insn|insn) (\d+)/;
/** "; return 0; @ prog.c:12" — the kernel prints line_info this way. */
const SOURCE_COMMENT = /^; (.*) @ (.+):(\d+)$/;
const TRAILER = /^(processed \d+ insns|verification time|stack depth|mark_read|max_states_per_insn)/;

export interface ParsedVerifierLog {
  /** Instruction (slot) index the verifier stopped at, when it says. */
  readonly insn: number | undefined;
  /** The kernel's error line(s): what comes after the last instruction it traced. */
  readonly errorLines: readonly string[];
  /** The source location the log itself names for the failing instruction (BTF line_info). */
  readonly source: SourceLocation | undefined;
}

export function parseVerifierLog(log: string): ParsedVerifierLog {
  const lines = log.split('\n').map((l) => l.replace(/\s+$/, ''));
  while (lines.length > 0 && (lines[lines.length - 1] === '' || TRAILER.test(lines[lines.length - 1]!))) lines.pop();
  let lastInsnLine = -1;
  let insn: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const m = INSN_LINE.exec(lines[i]!);
    if (m) {
      lastInsnLine = i;
      insn = Number(m[1]);
    }
  }
  let errorLines = lines.slice(lastInsnLine + 1).filter((l) => l !== '' && !SOURCE_COMMENT.test(l));
  if (errorLines.length === 0 && lines.length > 0) errorLines = [lines[lines.length - 1]!];
  // Keep at most the last few lines: state dumps after an infinite-loop message can be long.
  if (errorLines.length > 4) errorLines = errorLines.slice(-4);
  for (const l of errorLines) {
    const m = INSN_IN_MESSAGE.exec(l);
    if (m) {
      insn = Number(m[1]);
      break;
    }
  }
  let source: SourceLocation | undefined;
  for (let i = lastInsnLine; i >= 0; i--) {
    const m = SOURCE_COMMENT.exec(lines[i]!);
    if (m) {
      source = { file: m[2]!, line: Number(m[3]), column: 0, text: m[1]!.trim() };
      break;
    }
  }
  return { insn, errorLines, source };
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
