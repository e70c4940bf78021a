// bpf-ts conformance DIR [--runtime vm|kernel] [--json]
// Runs bpf_conformance `.data` files and prints {"passed":N,"failed":N,"skipped":N} plus the
// failures. The kernel runtime loads each test as a subprogram of an XDP program that
// stores the full 64-bit r0 in an array map, then runs it with BPF_PROG_TEST_RUN.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from '../args.js';
import { parseConformance, type ConformanceTest } from '../../src/asm/conformance.js';
import type { Instruction } from '../../src/asm/instruction.js';
import { CALL, Class, EXIT, LD_IMM64, Mode, PseudoCall, PseudoLd, Size, AluOp, Source } from '../../src/asm/opcode.js';
import { BpfMap, Program, VerifierError } from '../../src/loader/index.js';
import { BpfError } from '../../src/sys/errors.js';
import { checkConformanceVm, hex64, type ConformanceOutcome } from '../../src/vm/conformance.js';
import { UsageError } from '../errors.js';
import { printJson, printLine } from '../output.js';

export type ConformanceRuntime = 'vm' | 'kernel';

export interface ConformanceSummary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly failures: readonly ConformanceOutcome[];
  readonly skips: readonly ConformanceOutcome[];
}

const RESULT_MAP = 'conf_result';
const MEM_MAP = 'conf_mem';

const insn = (code: number, dst: number, src: number, off: number, imm: number, extra: Partial<Instruction> = {}): Instruction =>
  ({ code, dst, src, off, imm, ...extra });

/**
 * The XDP wrapper: r1 = &mem (an array map value holding the test's memory), r2 = its length,
 * call the test, store r0 in the result map, return XDP_PASS. The test follows as a subprogram.
 */
export function kernelHarness(test: ConformanceTest): Instruction[] {
  const head: Instruction[] = [];
  const memLen = test.mem?.length ?? 0;
  if (memLen > 0) {
    head.push(insn(LD_IMM64, 1, PseudoLd.MAP_VALUE, 0, 0, { imm2: 0, ref: MEM_MAP }));
    head.push(insn(Class.ALU64 | AluOp.MOV | Source.K, 2, 0, 0, memLen));
  }
  const tail: Instruction[] = [
    insn(LD_IMM64, 1, PseudoLd.MAP_VALUE, 0, 0, { imm2: 0, ref: RESULT_MAP }),
    insn(Class.STX | Mode.MEM | Size.DW, 1, 0, 0, 0),
    insn(Class.ALU64 | AluOp.MOV | Source.K, 0, 0, 0, 2),
    insn(EXIT, 0, 0, 0, 0),
  ];
  const tailSlots = 2 + 1 + 1 + 1;
  // call lands right after the tail: imm = target - (call slot + 1)
  const call = insn(CALL, 0, PseudoCall.LOCAL, 0, tailSlots);
  return [...head, call, ...tail, ...test.insns];
}

const KEY0 = new Uint8Array(4);

/** Run one conformance file through the kernel. Kernel refusals are skips with the verifier's reason. */
export function checkConformanceKernel(name: string, text: string): ConformanceOutcome {
  let test: ConformanceTest;
  try {
    test = parseConformance(text, name);
  } catch (e) {
    return { name, status: 'fail', reason: (e as Error).message };
  }
  if (test.result === undefined) return { name, status: 'skip', reason: 'no -- result section' };
  const expected = hex64(test.result);
  const result = BpfMap.create({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1, name: RESULT_MAP });
  let mem: BpfMap | undefined;
  let prog: Program | undefined;
  try {
    const maps: Record<string, { fd: number }> = { [RESULT_MAP]: result };
    if (test.mem && test.mem.length > 0) {
      mem = BpfMap.create({ type: 'array', keySize: 4, valueSize: test.mem.length, maxEntries: 1, name: MEM_MAP });
      mem.update(KEY0, test.mem);
      maps[MEM_MAP] = mem;
    }
    try {
      prog = Program.load({ type: 'xdp', insns: kernelHarness(test), maps, name: 'conformance' });
    } catch (e) {
      if (e instanceof VerifierError) return { name, status: 'skip', expected, reason: `verifier: ${e.errorLines.join(' / ') || e.errnoName}` };
      if (e instanceof BpfError && (e.errno === 22 || e.errno === 13 || e.errno === 7 || e.errno === 524)) {
        return { name, status: 'skip', expected, reason: `kernel refused: ${e.message}` };
      }
      throw e;
    }
    const run = prog.testRun({ data: new Uint8Array(64) });
    if (run.retval !== 2) return { name, status: 'fail', expected, reason: `harness returned ${run.retval}, not XDP_PASS` };
    const v = result.lookup(KEY0);
    if (v === undefined || v.length < 8) return { name, status: 'fail', expected, reason: 'no result in the map' };
    const r0 = new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0, true);
    return r0 === test.result
      ? { name, status: 'pass', expected, actual: hex64(r0) }
      : { name, status: 'fail', expected, actual: hex64(r0), reason: `r0 is ${hex64(r0)}, expected ${expected}` };
  } finally {
    prog?.close();
    mem?.close();
    result.close();
  }
}

/** The `.data` files of a directory (or a single file), sorted. */
export function conformanceFiles(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  return readdirSync(path).filter((f) => f.endsWith('.data')).sort().map((f) => join(path, f));
}

export function runConformanceSuite(files: readonly string[], runtime: ConformanceRuntime): ConformanceSummary {
  const check = runtime === 'vm' ? checkConformanceVm : checkConformanceKernel;
  const outcomes = files.map((f) => check(basename(f), readFileSync(f, 'utf8')));
  const failures = outcomes.filter((o) => o.status === 'fail');
  const skips = outcomes.filter((o) => o.status === 'skip');
  return { passed: outcomes.length - failures.length - skips.length, failed: failures.length, skipped: skips.length, failures, skips };
}

export function registerConformance(program: Command): void {
  program
    .command('conformance')
    .description('run bpf_conformance test files (.data) in the VM or the kernel and compare r0')
    .argument('<dir>', 'directory of .data files (or one file)')
    .option('--runtime <runtime>', 'vm or kernel', 'vm')
    .option('--json', 'print one JSON document')
    .option('-v, --verbose', 'also list skipped tests')
    .action((dir: string, opts: { runtime: string; json?: boolean; verbose?: boolean }) => {
      if (opts.runtime !== 'vm' && opts.runtime !== 'kernel') throw new UsageError(`--runtime must be vm or kernel, not '${opts.runtime}'`);
      const files = conformanceFiles(dir);
      if (files.length === 0) throw new UsageError(`no .data files in ${dir}`);
      const s = runConformanceSuite(files, opts.runtime);
      if (opts.json) {
        printJson({ runtime: opts.runtime, passed: s.passed, failed: s.failed, skipped: s.skipped, failures: s.failures, skips: s.skips });
      } else {
        for (const f of s.failures) printLine(`FAIL ${f.name}: ${f.reason ?? ''}`);
        if (opts.verbose) for (const k of s.skips) printLine(`SKIP ${k.name}: ${k.reason ?? ''}`);
        printLine(`${opts.runtime}: passed ${s.passed}, failed ${s.failed}, skipped ${s.skipped}`);
      }
      if (s.failed > 0) process.exitCode = 1;
    });
}
