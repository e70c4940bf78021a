// Run a bpf_conformance test in the VM: r1 = the `mem` buffer's address, r2 = its length
// (the ubpf convention), the default helpers, and the whole 64-bit r0 as the answer.
import { parseConformance, type ConformanceTest } from '../asm/conformance.js';
import type { Instruction } from '../asm/instruction.js';
import { VmError, VmFault } from './errors.js';
import { DEFAULT_HELPERS } from './helpers/table.js';
import { Machine, REGION_MEM, type VmEngine } from './machine.js';
import { regionHi, regionLo } from './memory.js';
import { prepareProgram } from './program.js';
import { newRunState } from './state.js';

export interface ConformanceRun {
  /** r0 at the final exit, unsigned. */
  readonly r0: bigint;
  /** Instructions executed. */
  readonly instructions: number;
}

/** Run a conformance program. Throws VmError (bad program) or VmFault (run-time fault). */
export function runConformanceProgram(insns: readonly Instruction[], mem?: Uint8Array, opts: { budget?: number; engine?: VmEngine } = {}): ConformanceRun {
  const program = prepareProgram(insns, { name: 'conformance' });
  const m = new Machine(program, newRunState(), { helpers: DEFAULT_HELPERS, budget: opts.budget ?? 1_000_000, engine: opts.engine ?? 'auto' });
  m.reset();
  const bytes = mem ?? new Uint8Array(0);
  m.setRegion(REGION_MEM, 'mem', 'mem', bytes);
  if (bytes.length > 0) {
    m.setRegPair(1, regionHi(REGION_MEM), regionLo(0));
    m.setRegPair(2, 0, bytes.length);
  }
  const r0 = m.run();
  return { r0, instructions: m.budgetLimit - m.budget };
}

export { VmError, VmFault };

export type ConformanceStatus = 'pass' | 'fail' | 'skip';

export interface ConformanceOutcome {
  readonly name: string;
  readonly status: ConformanceStatus;
  /** Expected r0, 0x hex. */
  readonly expected?: string;
  /** r0 the runtime produced, 0x hex. */
  readonly actual?: string;
  /** Why it failed or was skipped. */
  readonly reason?: string;
}

export const hex64 = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

/** Parse and run one conformance file's text in the VM, comparing all 64 bits of r0. */
export function checkConformanceVm(name: string, text: string, engine: VmEngine = 'auto'): ConformanceOutcome {
  let test: ConformanceTest;
  try {
    test = parseConformance(text, name);
  } catch (e) {
    return { name, status: 'fail', reason: (e as Error).message };
  }
  if (test.result === undefined) return { name, status: 'skip', reason: 'no -- result section' };
  const expected = hex64(test.result);
  try {
    const { r0 } = runConformanceProgram(test.insns, test.mem, { engine });
    return r0 === test.result
      ? { name, status: 'pass', expected, actual: hex64(r0) }
      : { name, status: 'fail', expected, actual: hex64(r0), reason: `r0 is ${hex64(r0)}, expected ${expected}` };
  } catch (e) {
    if (e instanceof VmFault || e instanceof VmError) return { name, status: 'fail', expected, reason: `${e.name}: ${e.message}` };
    throw e;
  }
}
