// Assembling `source` must fail with an AsmError (at the line and column, and with the message,
// when given); returns it.
import { expect } from 'vitest';
import { AsmError } from '../../../src/asm/errors.js';
import { assemble } from '../../../src/asm/text/index.js';

export function expectAsmError(source: string, line?: number, column?: number, message?: RegExp): AsmError {
  let err: unknown;
  try {
    assemble(source, { file: 'bad.s' });
  } catch (e) {
    err = e;
  }
  expect(err, `no error for:\n${source}`).toBeInstanceOf(AsmError);
  const a = err as AsmError;
  if (line !== undefined) expect(a.line, a.message).toBe(line);
  if (column !== undefined) expect(a.column, a.message).toBe(column);
  if (message !== undefined) expect(a.message).toMatch(message);
  expect(a.message.startsWith(`bad.s:${a.line}:${a.column}: `)).toBe(true);
  return a;
}
