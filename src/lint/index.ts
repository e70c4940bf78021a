// bpf-ts lint: a static preview of the kernel verifier.
export { type LintOptions, LintOptionError, lintBytes, lintInstructions, lintSlots } from './lint.js';
export type { Diagnostic, DiagnosticSource, LintReport, ProgramReport, Verdict } from './diagnostic.js';
export { LintInputError } from './diagnostic.js';
export { formatJson, formatSarif, formatText } from './format.js';
export { classifyMessage, parseVerifierLog, type ParsedVerifierLog } from './kernel-log.js';
export { type KernelProfile, KernelProfileSchema, ProfileError, parseKernelProfile } from './profile.js';
export { type MapInfo, MapType } from './map-info.js';
export { PROG_TYPES, type ProgTypeName, progTypeFromName, progTypeFromSection } from './program-type.js';
export { type Slot, slotsFromBytes, slotsFromInstructions } from './slots.js';
export {
  expectVerifierAccepts, expectVerifierRejects, verifierMatchers, VerifierExpectationError,
  type MatcherResult, type VerifierMatchers,
} from './testing.js';
export { type ObjectLintOptions, lintElf, lintObject } from './object.js';
export { type AsmLineTable, asmLineTable } from './asm-lines.js';
