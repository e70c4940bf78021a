// What the lint (and the kernel-log parser) reports: one finding per rejection or warning.

export interface DiagnosticSource {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  /** the source line's text, when known */
  readonly text?: string;
}

export interface Diagnostic {
  /** kernel instruction index (8-byte slot, as the verifier log numbers them) */
  readonly insn: number;
  readonly severity: 'error' | 'warning';
  /** the kernel's wording: the first line of the verifier's complaint */
  readonly message: string;
  /** further lines the kernel prints with it (e.g. "R2 offset is outside of the packet") */
  readonly notes?: readonly string[];
  /** one line on how to fix it */
  readonly hint?: string;
  /** the rejection class from the reference catalogue (uninit_reg, pkt_oob, ...) */
  readonly kind?: string;
  readonly source?: DiagnosticSource;
}

export type Verdict = 'accept' | 'reject';

export interface ProgramReport {
  readonly name: string;
  readonly section: string;
  readonly verdict: Verdict;
  readonly diagnostics: readonly Diagnostic[];
  /** not checked (a program type the lint does not model): the verdict says nothing */
  readonly skipped?: boolean;
  /** instructions the abstract interpreter processed (kernel: "processed N insns") */
  readonly processed?: number;
}

export interface LintReport {
  readonly programs: readonly ProgramReport[];
}

/** Thrown inside the interpreter to stop at the first rejection, as the kernel does. */
export class Rejection extends Error {
  override readonly name = 'Rejection';
  constructor(
    readonly insn: number,
    message: string,
    readonly kind: string,
    readonly notes: readonly string[] = [],
  ) {
    super(message);
  }
}

export class LintInputError extends Error {
  override readonly name = 'LintInputError';
  readonly exitCode = 2;
}
