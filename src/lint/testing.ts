// For users' tests: assert that a program passes (or fails) the predicted verifier.
//   import { expectVerifierAccepts, verifierMatchers } from 'bpf-ts/lint/testing';
//   expect.extend(verifierMatchers);  expect(insns).toPassVerifier({ type: 'xdp' });
// No runtime dependency on vitest: the matchers return the {pass, message} shape that
// vitest/jest `expect.extend` accepts.
import type { Instruction } from '../asm/instruction.js';
import type { ProgramReport } from './diagnostic.js';
import { formatText } from './format.js';
import { type LintOptions, lintBytes, lintInstructions } from './lint.js';

export class VerifierExpectationError extends Error {
  override readonly name = 'VerifierExpectationError';
  constructor(message: string, readonly report: ProgramReport) {
    super(message);
  }
}

type ProgramInput = readonly Instruction[] | Uint8Array;

function lintAny(p: ProgramInput, opts: LintOptions): ProgramReport {
  return p instanceof Uint8Array ? lintBytes(p, opts) : lintInstructions(p, opts);
}

function describe(r: ProgramReport): string {
  return formatText({ programs: [r] });
}

/** Throws (with the lint's findings) unless the program is predicted to pass the verifier. */
export function expectVerifierAccepts(program: ProgramInput, opts: LintOptions = {}): ProgramReport {
  const r = lintAny(program, opts);
  if (r.verdict !== 'accept') throw new VerifierExpectationError(`expected the verifier to accept the program:\n${describe(r)}`, r);
  return r;
}

/** Throws unless the program is predicted to be rejected (optionally with a message containing `substring`). */
export function expectVerifierRejects(program: ProgramInput, substring?: string, opts: LintOptions = {}): ProgramReport {
  const r = lintAny(program, opts);
  if (r.verdict !== 'reject') throw new VerifierExpectationError('expected the verifier to reject the program, but the lint accepts it', r);
  if (substring !== undefined && !r.diagnostics.some((d) => d.message.includes(substring) || (d.notes ?? []).some((n) => n.includes(substring)))) {
    throw new VerifierExpectationError(`expected a rejection mentioning "${substring}":\n${describe(r)}`, r);
  }
  return r;
}

export interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/** Matchers for `expect.extend`: toPassVerifier(opts?) and toFailVerifier(substring?, opts?). */
export const verifierMatchers = {
  toPassVerifier(received: ProgramInput, opts: LintOptions = {}): MatcherResult {
    const r = lintAny(received, opts);
    return {
      pass: r.verdict === 'accept',
      message: () => (r.verdict === 'accept' ? 'expected the verifier to reject the program, but the lint accepts it'
        : `expected the verifier to accept the program:\n${describe(r)}`),
    };
  },
  toFailVerifier(received: ProgramInput, substring?: string, opts: LintOptions = {}): MatcherResult {
    const r = lintAny(received, opts);
    const matches = r.verdict === 'reject' && (substring === undefined
      || r.diagnostics.some((d) => d.message.includes(substring) || (d.notes ?? []).some((n) => n.includes(substring))));
    return {
      pass: matches,
      message: () => (matches ? `expected the program not to be rejected${substring !== undefined ? ` with "${substring}"` : ''}`
        : `expected a verifier rejection${substring !== undefined ? ` mentioning "${substring}"` : ''}:\n${describe(r)}`),
    };
  },
};

/** Type augmentation for vitest users: `declare module 'vitest' { interface Assertion<T> extends VerifierMatchers<T> {} }` */
export interface VerifierMatchers<R = unknown> {
  toPassVerifier(opts?: LintOptions): R;
  toFailVerifier(substring?: string, opts?: LintOptions): R;
}
