// Lint speed against the kernel verifier on the same programs, measured in the same run:
// lint time vs BPF_PROG_LOAD wall time (verification + JIT), on the differential corpus,
// on straight-line programs of growing size (up to 100k instructions) and on bounded loops
// of growing trip count. Needs root for the kernel side. Run: npx tsx bench/lint-bench.ts
import type { Instruction } from '../src/asm/instruction.js';
import { lintInstructions } from '../src/lint/lint.js';
import { CORPUS, CORPUS_MAPS, progTypeId } from '../test/lint/corpus.js';
import { KernelMaps } from '../test/lint/differential.js';
import { kernelLoad } from '../test/lint/kernel-oracle.js';
import { ALU, ALU64_IMM, EXIT_INSN, JMP, JMP_IMM, JMP_REG, LDX_MEM, MOV64_IMM, MOV64_REG, SZ, ALU64_REG } from '../test/lint/insn.js';

const now = (): number => performance.now();
const fmt = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0)).padStart(8) + ' ms';

function timeBoth(insns: readonly Instruction[], progType: number, type: string, maps: KernelMaps, reps = 1): { lint: number; kernel: number; lintVerdict: string; kernelVerdict: string; processed: number } {
  let lint = 0, kernel = 0, lintVerdict = '', kernelVerdict = '', processed = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    const r = lintInstructions(insns, { type, maps: CORPUS_MAPS });
    lint += now() - t0;
    lintVerdict = r.verdict;
    processed = r.processed ?? 0;
    const t1 = now();
    const k = kernelLoad(insns, { progType, mapFds: maps.fds, logSize: 1 << 16 });
    kernel += now() - t1;
    kernelVerdict = k.accepted ? 'accept' : 'reject';
  }
  return { lint: lint / reps, kernel: kernel / reps, lintVerdict, kernelVerdict, processed };
}

/** Straight-line XDP code: packet checks, loads and arithmetic, n instructions. */
function straightLine(n: number): Instruction[] {
  const p: Instruction[] = [MOV64_REG(6, 1), LDX_MEM(SZ.W, 7, 6, 0), LDX_MEM(SZ.W, 8, 6, 4), MOV64_IMM(0, 0), MOV64_IMM(3, 0), MOV64_REG(2, 7), ALU64_IMM(ALU.ADD, 2, 64),
    JMP_REG(JMP.JGT, 2, 8, 1), JMP_IMM(JMP.JA, 0, 0, 2), MOV64_IMM(0, 1), EXIT_INSN()];
  while (p.length < n - 3) {
    const k = p.length % 5;
    if (k === 0) p.push(LDX_MEM(SZ.B, 3, 7, p.length % 60));
    else if (k === 1) p.push(ALU64_REG(ALU.ADD, 0, 3));
    else if (k === 2) p.push(ALU64_IMM(ALU.AND, 0, 0xffff));
    else if (k === 3) p.push(ALU64_IMM(ALU.XOR, 0, p.length & 0xff));
    else if (p.length % 20 === 4) p.push(JMP_IMM(JMP.JEQ, 3, 7, 0)); // data-dependent, joins at once (the kernel keeps at most 8192 pending branches)
    else p.push(ALU64_IMM(ALU.ADD, 0, 1));
  }
  p.push(ALU64_IMM(ALU.AND, 0, 3), EXIT_INSN());
  return p;
}

/** A counting loop with `trips` iterations and a small body. */
function loop(trips: number): Instruction[] {
  return [MOV64_IMM(1, 0), MOV64_IMM(0, 0), ALU64_REG(ALU.ADD, 0, 1), ALU64_IMM(ALU.XOR, 0, 5), ALU64_IMM(ALU.ADD, 1, 1), JMP_IMM(JMP.JLT, 1, trips, -4), ALU64_IMM(ALU.AND, 0, 3), EXIT_INSN()];
}

const maps = new KernelMaps();
try {
  console.log('lint vs kernel verifier (BPF_PROG_LOAD wall time, same machine, same run)\n');
  // 1. the corpus, minus the two programs that run into the 1M budget
  let lintSum = 0, kernelSum = 0, n = 0, agree = 0;
  for (const c of CORPUS) {
    if (c.family === 'too_many_insns' || c.name === 'unknown bound unmasked') continue;
    const r = timeBoth(c.insns, progTypeId(c), c.type ?? 'xdp', maps);
    lintSum += r.lint; kernelSum += r.kernel; n++;
    if (r.lintVerdict === r.kernelVerdict) agree++;
  }
  console.log(`corpus: ${n} programs, lint ${fmt(lintSum)} total vs kernel ${fmt(kernelSum)} total: ratio ${(lintSum / kernelSum).toFixed(2)} (verdicts agree ${agree}/${n})`);
  // 2. straight-line size scaling
  console.log('\nstraight-line programs (instructions -> lint, kernel, ratio):');
  for (const size of [1_000, 10_000, 50_000, 100_000]) {
    const r = timeBoth(straightLine(size), 6, 'xdp', maps);
    console.log(`  ${String(size).padStart(7)} insns  lint ${fmt(r.lint)}  kernel ${fmt(r.kernel)}  ratio ${(r.lint / r.kernel).toFixed(2)}  processed ${r.processed}  verdicts ${r.lintVerdict}/${r.kernelVerdict}`);
  }
  // 3. bounded loops: cost grows with the trip count (the verifier unrolls them)
  console.log('\nbounded loops (trip count -> lint, kernel, ratio):');
  for (const trips of [100, 1_000, 10_000, 50_000, 150_000]) {
    const r = timeBoth(loop(trips), 6, 'xdp', maps);
    console.log(`  ${String(trips).padStart(7)} trips  lint ${fmt(r.lint)}  kernel ${fmt(r.kernel)}  ratio ${(r.lint / r.kernel).toFixed(2)}  processed ${r.processed}  verdicts ${r.lintVerdict}/${r.kernelVerdict}`);
  }
} finally {
  maps.close();
}
