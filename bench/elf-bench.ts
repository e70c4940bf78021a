// ELF/BTF speed, side by side with the reference tools in the same run:
//   1. decoding /sys/kernel/btf/vmlinux (done at every load) vs `bpftool btf dump file` on it;
//   2. parsing + linking the fixture objects vs `llvm-readelf-14 -S -s -r` on them;
//   3. a large generated object (per MB and per relocation);
//   4. reading + relocating vs the kernel verifying the same objects (`bpftool prog loadall`, root).
// Run: npx tsx bench/elf-bench.ts
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Instruction } from '../src/asm/instruction.js';
import { decodeBtf } from '../src/btf/decode-btf.js';
import { MapType } from '../src/elf/bpf-enums.js';
import { applyCoreRelocations } from '../src/elf/core-apply.js';
import { linkProgram } from '../src/elf/link.js';
import { parseObject } from '../src/elf/parse-object.js';
import { writeObject, type ObjectFunction } from '../src/elf/write-object.js';

const OBJ_DIR = fileURLToPath(new URL('../test/fixtures/obj/', import.meta.url));
const LOADABLE = ['core.o', 'globals.o', 'mapinmap.o', 'maps.o', 'subprogs.o', 'tailcall.o'];

function time(fn: () => void, minMs = 300): number {
  fn(); // warm up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs || n < 3) {
    fn();
    n++;
  }
  return (performance.now() - start) / n;
}

function timeProcess(cmd: string, args: string[], runs = 5): number {
  let total = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 30 });
    total += performance.now() - t;
    if (r.status !== 0) return NaN;
  }
  return total / runs;
}

const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;
const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

// 1. vmlinux BTF
if (existsSync('/sys/kernel/btf/vmlinux')) {
  const bytes = new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux'));
  const ours = time(() => decodeBtf(bytes));
  const withNames = time(() => decodeBtf(bytes).findByName('task_struct'));
  console.log(`vmlinux BTF (${(bytes.length / 1e6).toFixed(1)} MB, ${decodeBtf(bytes).typeCount} types): decode ${fmt(ours)}, decode + name index ${fmt(withNames)}`);
  if (have('bpftool')) {
    const theirs = timeProcess('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux'], 3);
    console.log(`  bpftool btf dump (parse + print, whole process): ${fmt(theirs)}; ours/bpftool = ${(ours / theirs).toFixed(3)}`);
  }
}

// 2. fixtures
const fixtures = readdirSync(OBJ_DIR).filter((f) => f.endsWith('.o')).sort();
const files = fixtures.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(OBJ_DIR, f))) }));
const totalBytes = files.reduce((n, f) => n + f.bytes.length, 0);
const parseAll = (): void => {
  for (const f of files) {
    const obj = parseObject(f.bytes, { name: f.name.replace(/\..*/, '') });
    for (const p of obj.programs) linkProgram(obj, p.name);
  }
};
const fixtureMs = time(parseAll);
console.log(`fixtures (${files.length} objects, ${(totalBytes / 1024).toFixed(0)} KiB): parse + link all programs ${fmt(fixtureMs)} (${(fixtureMs / (totalBytes / 1e6)).toFixed(1)} ms/MB)`);
if (have('llvm-readelf-14')) {
  const theirs = timeProcess('llvm-readelf-14', ['-S', '-s', '-r', ...files.map((f) => join(OBJ_DIR, f.name))]);
  console.log(`  llvm-readelf-14 -S -s -r on the same files (whole process): ${fmt(theirs)}; ours/readelf = ${(fixtureMs / theirs).toFixed(3)}`);
}

// 3. a large generated object: 200 programs of 1000 instructions, a map reference every 10
const MAPS = 16;
const functions: ObjectFunction[] = [];
for (let p = 0; p < 200; p++) {
  const insns: Instruction[] = [];
  for (let i = 0; i < 1000; i++) {
    if (i % 10 === 0) insns.push({ code: 0x18, dst: 1, src: 1, off: 0, imm: 0, imm2: 0, ref: `map${(p + i) % MAPS}` });
    else insns.push({ code: 0x07, dst: (i % 9) + 1, src: 0, off: 0, imm: i, loc: { file: 'gen.ts', line: i + 1, column: 1 } });
  }
  insns.push({ code: 0xb7, dst: 0, src: 0, off: 0, imm: 2 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
  functions.push({ name: `prog${p}`, section: 'xdp', insns });
}
const big = writeObject({
  functions,
  maps: Array.from({ length: MAPS }, (_, i) => ({ name: `map${i}`, type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 })),
  license: 'GPL',
});
const relocs = 200 * 100;
const bigMs = time(() => {
  const obj = parseObject(big);
  for (const p of obj.programs) linkProgram(obj, p.name);
});
const writeMs = time(() => writeObject({ functions, maps: Array.from({ length: MAPS }, (_, i) => ({ name: `map${i}`, type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 })), license: 'GPL' }));
console.log(`generated object (${(big.length / 1e6).toFixed(2)} MB, ${relocs} relocations): parse + link ${fmt(bigMs)} = ${(bigMs / (big.length / 1e6)).toFixed(1)} ms/MB, ${((bigMs * 1000) / relocs).toFixed(2)} µs/relocation; write ${fmt(writeMs)}`);
if (have('llvm-readelf-14')) {
  const dir = mkdtempSync(join(tmpdir(), 'bpf-ts-bench-'));
  try {
    writeFileSync(join(dir, 'big.o'), big);
    const theirs = timeProcess('llvm-readelf-14', ['-S', '-s', '-r', join(dir, 'big.o')]);
    console.log(`  llvm-readelf-14 -S -s -r on it (whole process): ${fmt(theirs)}; ours/readelf = ${(bigMs / theirs).toFixed(3)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// 4. versus the kernel verifier (root only)
if (process.getuid?.() === 0 && have('bpftool') && existsSync('/sys/kernel/btf/vmlinux')) {
  const vmlinux = new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux'));
  const target = decodeBtf(vmlinux);
  const ours = time(() => {
    for (const name of LOADABLE) {
      const obj = parseObject(files.find((f) => f.name === name)!.bytes, { name: name.replace(/\..*/, '') });
      for (const p of obj.programs) {
        const l = linkProgram(obj, p.name);
        if (obj.btf) applyCoreRelocations(l, obj.btf, target);
      }
    }
  });
  let theirs = 0;
  for (const name of LOADABLE) {
    const dir = `/sys/fs/bpf/bpf-ts-bench-${process.pid}`;
    try {
      mkdirSync(dir, { recursive: true });
      theirs += timeProcess('bpftool', ['prog', 'loadall', join(OBJ_DIR, name), dir], 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`read + link + CO-RE of the loadable fixtures: ${fmt(ours)} (vmlinux BTF already decoded); bpftool prog loadall (libbpf + kernel verifier): ${fmt(theirs)}; ours/load = ${(ours / theirs).toFixed(3)}`);
}
