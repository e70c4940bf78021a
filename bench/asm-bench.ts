// Assembler and disassembler speed on a generated 200,000-statement file, side by side with
// llvm-mc-14 and llvm-objdump-14 in the same run. Run: npx tsx bench/asm-bench.ts
// (the whole-process figures use the built CLI: npm run build first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble, disassembleElf } from '../src/asm/text/index.js';
import { readElf } from '../src/elf/read-elf.js';
import { writeElf } from '../src/elf/write-elf.js';

const STATEMENTS = Number(process.env.BENCH_STATEMENTS ?? 200_000);
const ONLY_GENERATE = process.env.BENCH_ONLY_GENERATE === '1';
const BIN = fileURLToPath(new URL('../bin/bpf-ts.cjs', import.meta.url));

/** clang-like code: functions of ~500 statements with labels, jumps, calls, map loads, memory ops. */
function generate(statements: number): string {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const out: string[] = ['\t.text'];
  let count = 1;
  let fn = 0;
  while (count < statements) {
    const name = `func${fn}`;
    out.push('\t.globl ' + name, '\t.p2align 3', `\t.type ${name},@function`, `${name}:`);
    count += 4;
    const n = Math.min(500, statements - count - 3);
    for (let i = 0; i < n; i++, count++) {
      const d = rand(10);
      const s = rand(10);
      switch (rand(16)) {
        case 0: out.push(`\tr${d} = ${rand(100000) - 50000}`); break;
        case 1: out.push(`\tr${d} += r${s}`); break;
        case 2: out.push(`\tw${d} = w${s}`); break;
        case 3: out.push(`\tr${d} = *(u32 *)(r${s} + ${rand(64) * 4})`); break;
        case 4: out.push(`\t*(u64 *)(r10 - ${8 + rand(60) * 8}) = r${d}`); break;
        case 5: out.push(`\tif r${d} > ${rand(1000)} goto .LBB${fn}_${rand(20)}`); break;
        case 6: out.push(`\tif w${d} == w${s} goto .LBB${fn}_${rand(20)}`); break;
        case 7: out.push(`\tcall ${1 + rand(200)}`); break;
        case 8: out.push(`\tr1 = map${rand(8)} ll`); break;
        case 9: out.push(`\tr${d} <<= ${rand(64)}`); break;
        case 10: out.push(`\tw${d} &= ${rand(65536)}`); break;
        case 11: out.push(`\tr${d} = r${s}`); break;
        case 12: out.push(`.LBB${fn}_${20 + i}:`); break;
        case 13: out.push(`\tgoto .LBB${fn}_${rand(20)}`); break;
        case 14: out.push(`\tlock *(u64 *)(r${d} + 8) += r${s}`); break;
        default: out.push(`\tr${d} = be32 r${d}`);
      }
    }
    // Every jump target exists, near the end of the function.
    for (let l = 0; l < 20; l++) out.push(`.LBB${fn}_${l}:`);
    count += 20;
    out.push('\tr0 = 0', '\texit', `.Lfunc_end${fn}:`, `\t.size ${name}, .Lfunc_end${fn}-${name}`);
    count += 4;
    fn++;
  }
  out.push('\t.section .maps,"aw",@progbits');
  for (let m = 0; m < 8; m++) out.push(`\t.globl map${m}`, `map${m}:`, '\t.zero 32');
  return `${out.join('\n')}\n`;
}

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function best(n: number, fn: () => void): number {
  let b = Infinity;
  for (let i = 0; i < n; i++) b = Math.min(b, time(fn));
  return b;
}

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
}

const dir = mkdtempSync(join(tmpdir(), 'bpf-ts-asm-bench-'));
try {
  const source = generate(STATEMENTS);
  const src = join(dir, 'big.s');
  writeFileSync(src, source);
  if (process.env.BENCH_SOURCE_OUT !== undefined) writeFileSync(process.env.BENCH_SOURCE_OUT, source);
  if (ONLY_GENERATE) process.exit(0);
  const statements = assemble(source).statements;
  console.log(`input: ${statements} statements, ${(source.length / 1e6).toFixed(1)} MB`);

  // In-process assembly (warm).
  for (let i = 0; i < 3; i++) assemble(source);
  const inproc = best(7, () => assemble(source));
  console.log(`in-process assemble: ${inproc.toFixed(1)} ms = ${(statements / inproc / 1000).toFixed(2)} M statements/s`);
  const elf = assemble(source).elf;
  const withWrite = best(5, () => writeElf(assemble(source).elf));
  console.log(`in-process assemble + writeElf: ${withWrite.toFixed(1)} ms = ${(statements / withWrite / 1000).toFixed(2)} M statements/s`);

  // Whole process.
  const ours = join(dir, 'ours.o');
  const theirs = join(dir, 'theirs.o');
  const tOurs = best(3, () => sh(process.execPath, [BIN, 'asm', src, '-o', ours]));
  const tMc = best(3, () => sh('llvm-mc-14', ['-triple', 'bpfel', '-filetype=obj', src, '-o', theirs]));
  console.log(`whole process: bpf-ts asm ${tOurs.toFixed(0)} ms, llvm-mc-14 ${tMc.toFixed(0)} ms  (llvm-mc ${(statements / tMc / 1000).toFixed(2)} M/s)`);
  console.log(`  ratio llvm-mc-14 / bpf-ts asm = ${(tMc / tOurs).toFixed(2)}x (>1: we are faster)`);

  // Disassembly.
  const parsed = readElf(writeElf(elf));
  for (let i = 0; i < 2; i++) disassembleElf(parsed);
  const dis = best(5, () => disassembleElf(parsed));
  const slots = elf.sections.reduce((n, s) => n + ((s.flags & 4) !== 0 ? s.data.length / 8 : 0), 0);
  console.log(`in-process disassemble: ${dis.toFixed(1)} ms = ${(slots / dis / 1000).toFixed(2)} M slots/s`);
  const dOurs = best(3, () => sh(process.execPath, [BIN, 'disasm', theirs]));
  const dObj = best(3, () => sh('llvm-objdump-14', ['-d', theirs]));
  console.log(`whole process: bpf-ts disasm ${dOurs.toFixed(0)} ms, llvm-objdump-14 -d ${dObj.toFixed(0)} ms`);
  console.log(`  ratio llvm-objdump-14 / bpf-ts disasm = ${(dObj / dOurs).toFixed(2)}x (>1: we are faster)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
