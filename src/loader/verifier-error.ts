// The verifier said no. The rejection is read with the lint's parser (src/lint/kernel-log.ts)
// into the lint's Diagnostic, so `bpf-ts load` prints it the way `bpf-ts lint` prints a finding;
// the older fields (insn, errorLines, source) are derived from that diagnostic.
import type { SourceLocation } from '../asm/source-location.js';
import type { Diagnostic } from '../lint/diagnostic.js';
import { formatText } from '../lint/format.js';
import { parseVerifierLog } from './verifier-log.js';

export class VerifierError extends Error {
  override readonly name = 'VerifierError';
  /** Program name as loaded. */
  readonly program: string;
  /** errno of BPF_PROG_LOAD (EACCES or EINVAL usually). */
  readonly errno: number;
  readonly errnoName: string;
  /** The complete verifier log. */
  readonly log: string;
  /** The rejection in the lint's shape: the kernel's message, notes, class, hint and source line. */
  readonly diagnostic: Diagnostic;
  /** Instruction slot where verification failed, when the log places it (diagnostic.insn is then the same). */
  readonly insn: number | undefined;
  /** The kernel's error line(s): diagnostic.message, then its notes. */
  readonly errorLines: readonly string[];
  /** The source line of the failing instruction (C line for clang objects, TS line for ours). */
  readonly source: SourceLocation | undefined;
  /** The file the program came from, when the caller knows it (names the place when there is no source line). */
  input: string | undefined;

  constructor(init: {
    program: string;
    errno: number;
    errnoName: string;
    log: string;
    /** The failing instruction's source: the log's own line_info comment, else line_info or Instruction.loc. */
    source: SourceLocation | undefined;
    /** The rejection in the lint's shape; read from `log` when not given. */
    diagnostic?: Diagnostic;
    /** Ignored: derived from the log (kept so existing callers compile). */
    insn?: number | undefined;
    /** Ignored: derived from the log (kept so existing callers compile). */
    errorLines?: readonly string[];
    input?: string;
  }) {
    const parsed = parseVerifierLog(init.log);
    const base: Diagnostic = init.diagnostic ?? parsed.diagnostic ?? {
      insn: 0, severity: 'error', kind: 'other', message: parsed.errorLines[0] ?? `${init.errnoName}, no verifier log`,
    };
    const source = init.source ?? parsed.source;
    const diagnostic: Diagnostic = source !== undefined
      ? {
          ...base,
          source: { file: source.file, line: source.line, ...(source.column > 0 ? { column: source.column } : {}), ...(source.text !== undefined ? { text: source.text } : {}) },
        }
      : base;
    const insn = init.diagnostic !== undefined ? init.diagnostic.insn : parsed.insn;
    const errorLines = init.diagnostic !== undefined || parsed.diagnostic !== undefined ? [diagnostic.message, ...(diagnostic.notes ?? [])] : parsed.errorLines;
    const where = insn !== undefined ? ` at insn ${insn}` : '';
    const what = errorLines.length > 0 ? errorLines.join(' / ') : `${init.errnoName}, no verifier log`;
    const src = source ? ` (${source.file}:${source.line}${source.text ? `: ${source.text}` : ''})` : '';
    super(`verifier rejected ${init.program || 'program'}${where}: ${what}${src}`);
    this.program = init.program;
    this.errno = init.errno;
    this.errnoName = init.errnoName;
    this.log = init.log;
    this.diagnostic = diagnostic;
    this.insn = insn;
    this.errorLines = errorLines;
    this.source = source;
    this.input = init.input;
  }

  /**
   * The rejection as `bpf-ts lint` prints a finding (src/lint/format.ts formatText):
   * `file:line:col: error: <kernel message> [prog insn N]`, its notes, `| source line`, `hint: ...`,
   * then one closing line with the kernel's verdict where lint prints its prediction.
   */
  format(inputName = this.input ?? '<input>'): string {
    const name = this.program || 'program';
    const lines = formatText({ programs: [{ name, section: name, verdict: 'reject', diagnostics: [this.diagnostic] }] }, inputName).split('\n');
    lines.pop(); // lint's "expected to REJECT it": here the kernel has spoken
    lines.push(`${name}: rejected by the kernel verifier (${this.errnoName})`);
    return lines.join('\n');
  }
}
