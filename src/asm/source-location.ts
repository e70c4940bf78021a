/** Where an instruction came from: a TypeScript DSL call, an assembly line, a C line. */
export interface SourceLocation {
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, 0 when unknown. */
  readonly column: number;
  /** The source line's text, when known (BTF line_info carries it). */
  readonly text?: string;
}
