// DSL emission and encoding rates. No reference tool emits eBPF from TypeScript, so these
// are absolute rates on this machine; the goal (issue 2) is ≥ 5 M instructions/s emitted.
import * as d from '../src/asm/dsl/index.js';
import { encode } from '../src/asm/encoding.js';
import type { Instruction } from '../src/asm/instruction.js';

const { r0, r1, r2, r3 } = d;

function emit(n: number): Instruction[] {
  const out: Instruction[] = new Array(n);
  for (let i = 0; i < n; i += 8) {
    out[i] = d.mov(r0, i);
    out[i + 1] = d.add(r1, r2);
    out[i + 2] = d.ldxw(r3, r1, 4);
    out[i + 3] = d.jgt(r3, 100, 2);
    out[i + 4] = d.stxdw(d.r10, -8, r3);
    out[i + 5] = d.lsh32(r2, 3);
    out[i + 6] = d.call('ktime_get_ns');
    out[i + 7] = d.exit();
  }
  return out;
}

function rate(label: string, n: number, fn: () => unknown): number {
  fn(); // warm up
  const runs = 5;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  times.sort((a, b) => a - b);
  const perSec = n / times[Math.floor(runs / 2)]!;
  console.log(`${label.padEnd(44)} ${(perSec / 1e6).toFixed(2)} M/s`);
  return perSec;
}

let sink: Instruction[] = [];
const N = 1_000_000;
d.setSourceLocationCapture(false);
// Emission cost depends on program size: past the young generation, every instruction object
// is copied into the old generation by the garbage collector. Kernel programs are at most 1 M
// instructions and usually a few thousand.
for (const n of [10_000, 100_000, N]) {
  const reps = N / n; // the same million instructions in all, as programs of n
  rate(`DSL emission, programs of ${n.toLocaleString('en')}, locations off`, N, () => {
    for (let i = 0; i < reps; i++) sink = emit(n); // kept, so the allocation cannot be optimised away
  });
}
const insns = emit(N);
rate('encode (little-endian)', N, () => encode(insns));
rate('assemble (labels) + encode', 100_000, () => encode(d.assemble(emit(100_000)).insns));
d.setSourceLocationCapture(true);
rate('DSL emission, source locations on', 20_000, () => emit(20_000));
if (sink.length === 0) console.log('(no instructions emitted)');
