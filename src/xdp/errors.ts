// Errors of the packet DSL. A DslError names the user's TypeScript line: it is raised at
// build time for programs the verifier could not accept (unbounded loops, packet reads whose
// bounds cannot be proven, values used outside the branch that computed them).
import type { SourceLocation } from '../asm/source-location.js';

export class DslError extends Error {
  override readonly name = 'DslError';
  /** A numeric exit code for the CLI: bad input. */
  readonly exitCode = 2;
  constructor(
    readonly reason: string,
    readonly loc?: SourceLocation,
  ) {
    super(loc === undefined ? reason : `${loc.file}:${loc.line}:${loc.column}: ${reason}`);
  }
}

/** A schema or codec misuse: a value that does not fit its field, a wrong byte length. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  readonly exitCode = 2;
}
