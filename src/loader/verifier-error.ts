// The verifier said no. The message is the kernel's own error line plus the source line.
import type { SourceLocation } from '../asm/source-location.js';

export class VerifierError extends Error {
  override readonly name = 'VerifierError';
  /** Program name as loaded. */
  readonly program: string;
  /** errno of BPF_PROG_LOAD (EACCES or EINVAL usually). */
  readonly errno: number;
  readonly errnoName: string;
  /** The complete verifier log. */
  readonly log: string;
  /** Instruction slot where verification failed, when known. */
  readonly insn: number | undefined;
  /** The kernel's error line(s). */
  readonly errorLines: readonly string[];
  /** The source line of the failing instruction (C line for clang objects, TS line for ours). */
  readonly source: SourceLocation | undefined;

  constructor(init: {
    program: string;
    errno: number;
    errnoName: string;
    log: string;
    insn: number | undefined;
    errorLines: readonly string[];
    source: SourceLocation | undefined;
  }) {
    const where = init.insn !== undefined ? ` at insn ${init.insn}` : '';
    const what = init.errorLines.length > 0 ? init.errorLines.join(' / ') : `${init.errnoName}, no verifier log`;
    const src = init.source ? ` (${init.source.file}:${init.source.line}${init.source.text ? `: ${init.source.text}` : ''})` : '';
    super(`verifier rejected ${init.program || 'program'}${where}: ${what}${src}`);
    this.program = init.program;
    this.errno = init.errno;
    this.errnoName = init.errnoName;
    this.log = init.log;
    this.insn = init.insn;
    this.errorLines = init.errorLines;
    this.source = init.source;
  }
}
