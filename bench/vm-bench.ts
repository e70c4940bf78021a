// The VM against the kernel's JIT: the same XDP programs, the same packet, run N times.
// Kernel side: BPF_PROG_TEST_RUN with repeat=N (its own mean duration per run).
// VM side: XdpVm.repeat, the same loop in the VM (compiled and interpreted), plus one-shot XdpVm.run
// calls (setup and result object included). Prints ns/run, VM instructions/s and the ratios.
// Best of 7 on both sides: the shared test machine is noisy.
import * as d from '../src/asm/dsl/index.js';
import type { Instruction } from '../src/asm/instruction.js';
import { BpfMap, Program } from '../src/loader/index.js';
import { createMap, XdpVm, type VmEngine, type VmMap } from '../src/vm/index.js';

const { r0, r1, r2, r3, r4, r5, r6, r7, r10 } = d;

/** Ethernet/IPv4/UDP parse, count per IP protocol in an array map, pass. */
function parseProgram(): Instruction[] {
  return d.assemble([
    d.mov(r6, r1), d.ldxw(r2, r6, 0), d.ldxw(r3, r6, 4),
    d.mov(r4, r2), d.add(r4, 42), d.jgt(r4, r3, 'drop'),
    d.ldxh(r5, r2, 12), d.jne(r5, 0x0008, 'pass'),
    d.ldxb(r5, r2, 14), d.and(r5, 0x0f), d.jne(r5, 5, 'pass'),
    d.ldxb(r7, r2, 23), d.stxw(r10, -4, r7),
    d.ldxh(r5, r2, 36), d.toBe(r5, 16), d.jgt(r5, 1024, 'pass'),
    d.ldMap(r1, 'counts'), d.mov(r2, r10), d.add(r2, -4), d.call('map_lookup_elem'),
    d.jeq(r0, 0, 'pass'), d.mov(r1, 1), d.atomicAdd('u64', r0, 0, r1),
    d.label('pass'), d.mov(r0, 2), d.exit(),
    d.label('drop'), d.mov(r0, 1), d.exit(),
  ]).insns;
}

/** A bounded loop of ALU work over packet bytes: many instructions per run. */
function aluLoopProgram(iterations: number): Instruction[] {
  return d.assemble([
    d.mov(r0, 0), d.ldxw(r2, r1, 0), d.ldxw(r3, r1, 4), d.mov(r4, r2), d.add(r4, 64), d.jgt(r4, r3, 'out'),
    d.mov(r5, 0), d.lddw(r6, 0x9e3779b97f4a7c15n),
    d.label('loop'),
    d.ldxdw(r7, r2, 8), d.xor(r7, r5), d.mul(r7, r6), d.add(r0, r7), d.rsh(r7, 29), d.xor(r0, r7),
    d.mov32(r4, r0), d.lsh(r4, 3), d.sub(r0, r4), d.add(r5, 1), d.jlt(r5, iterations, 'loop'),
    d.and(r0, 3), d.label('out'), d.exit(),
  ]).insns;
}

const packet = new Uint8Array(64);
packet.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45, 0, 0, 50, 0, 0, 0, 0, 64, 17], 0);
packet.set([0x00, 0x35], 36);

/** The VM's own repeat loop (XdpVm.repeat: BPF_PROG_TEST_RUN's repeat semantics), median of 5. */
function vmRate(insns: Instruction[], maps: Record<string, VmMap>, runs: number, engine: VmEngine): { nsPerRun: number; insnsPerSec: number; insnsPerRun: number } {
  const vm = new XdpVm(insns, { maps, diffMaps: false, engine });
  vm.repeat(packet, Math.min(runs, 20_000)); // warm up: compile, let V8 optimise
  const samples: { durationNs: number; instructions: number }[] = [];
  for (let i = 0; i < 7; i++) samples.push(vm.repeat(packet, runs));
  samples.sort((a, b) => a.durationNs - b.durationNs);
  const mid = samples[0]!;
  return { nsPerRun: mid.durationNs, insnsPerSec: mid.instructions / (mid.durationNs / 1e9), insnsPerRun: mid.instructions };
}

/** One-shot runXdp-style runs (setup, run, result object each time). */
function vmOneShot(insns: Instruction[], maps: Record<string, VmMap>, runs: number): number {
  const vm = new XdpVm(insns, { maps, diffMaps: false });
  for (let i = 0; i < Math.min(runs, 20_000); i++) vm.run(packet);
  const t = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) vm.run(packet);
  return Number(process.hrtime.bigint() - t) / runs;
}

function kernelNs(insns: Instruction[], runs: number): number | string {
  let map: BpfMap | undefined;
  let prog: Program | undefined;
  try {
    map = BpfMap.create({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 256, name: 'counts' });
    prog = Program.load({ type: 'xdp', insns, maps: { counts: map }, name: 'vm_bench' });
    prog.testRun({ data: packet, repeat: 1000 });
    const durations: number[] = [];
    for (let i = 0; i < 7; i++) durations.push(prog.testRun({ data: packet, repeat: runs }).duration);
    durations.sort((a, b) => a - b);
    return durations[0]!;
  } catch (e) {
    return `kernel unavailable: ${(e as Error).message}`;
  } finally {
    prog?.close();
    map?.close();
  }
}

const cases: [string, Instruction[], number][] = [
  ['parse + map counter', parseProgram(), 200_000],
  ['ALU loop, 100 iterations', aluLoopProgram(100), 20_000],
  ['ALU loop, 1000 iterations', aluLoopProgram(1000), 2_000],
];
console.log('VM: XdpVm.repeat (compiled to JS / interpreted); kernel: BPF_PROG_TEST_RUN repeat (JIT). Best of 7 each.');
console.log(`load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} CPUs (ratios are only meaningful on an idle machine)`);
console.log(`${'program'.padEnd(28)} ${'insns/run'.padStart(9)} ${'kernel ns'.padStart(10)} ${'JIT ns'.padStart(8)} ${'ratio'.padStart(7)} ${'Minsn/s'.padStart(8)} ${'interp ns'.padStart(10)} ${'ratio'.padStart(7)} ${'one-shot ns'.padStart(12)}`);
for (const [name, insns, runs] of cases) {
  const maps = (): Record<string, VmMap> => ({ counts: createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 256, name: 'counts' }) });
  const c = vmRate(insns, maps(), runs, 'compiled');
  const i = vmRate(insns, maps(), Math.max(1, Math.floor(runs / 4)), 'interpreter');
  const one = vmOneShot(insns, maps(), Math.max(1, Math.floor(runs / 4)));
  const k = kernelNs(insns, runs);
  const ratio = (ns: number): string => (typeof k === 'number' && k > 0 ? `${(ns / k).toFixed(1)}×` : 'n/a');
  console.log(`${name.padEnd(28)} ${String(c.insnsPerRun).padStart(9)} ${String(typeof k === 'number' ? k : 'n/a').padStart(10)} ${c.nsPerRun.toFixed(0).padStart(8)} ${ratio(c.nsPerRun).padStart(7)} ${(c.insnsPerSec / 1e6).toFixed(0).padStart(8)} ${i.nsPerRun.toFixed(0).padStart(10)} ${ratio(i.nsPerRun).padStart(7)} ${one.toFixed(0).padStart(12)}`);
  if (typeof k === 'string') console.log(`  (${k})`);
}
