import type { SourceLocation } from './source-location.js';

/** A problem in assembly text or in a DSL program, with the position it was found at. */
export class AsmError extends Error {
  override readonly name = 'AsmError';
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    readonly file?: string,
  ) {
    super(`${file ? `${file}:` : ''}${line}:${column}: ${reason}`);
  }

  static at(reason: string, loc: SourceLocation | undefined): AsmError {
    return new AsmError(reason, loc?.line ?? 0, loc?.column ?? 0, loc?.file);
  }
}

/** Bytes that are not a valid instruction stream; `offset` is the byte offset of the bad slot. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`at byte ${offset} (insn ${Math.floor(offset / 8)}): ${reason}`);
  }
}
