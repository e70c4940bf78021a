// Running llvm-mc-14 and llvm-objdump-14 on files in a private temp directory.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'bpf-ts-asm-'));
  path(name: string): string { return join(this.dir, name); }
  write(name: string, data: string | Uint8Array): string {
    const p = this.path(name);
    writeFileSync(p, data);
    return p;
  }
  dispose(): void { rmSync(this.dir, { recursive: true, force: true }); }
}

export function run(cmd: string, args: readonly string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 120_000, maxBuffer: 512 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function runAsync(cmd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Assemble with llvm-mc-14; returns the object bytes or throws with llvm-mc's message. */
export function llvmMc(mc: string, scratch: Scratch, name: string, source: string, triple = 'bpfel'): Uint8Array {
  const src = scratch.write(`${name}.s`, source);
  const obj = scratch.path(`${name}.llvm.o`);
  const r = run(mc, ['-triple', triple, '-mcpu=v3', '-filetype=obj', src, '-o', obj]);
  if (r.code !== 0) throw new Error(`llvm-mc-14 failed on ${name}: ${r.stderr}`);
  return new Uint8Array(readFileSync(obj));
}

/** llvm-mc-14 on many sources, a few processes at a time; returns object paths in order. */
export async function llvmMcMany(mc: string, scratch: Scratch, prefix: string, sources: readonly string[], triple = 'bpfel', parallel = 3): Promise<string[]> {
  const out: string[] = new Array<string>(sources.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sources.length) {
      const i = next++;
      const src = scratch.write(`${prefix}${i}.s`, sources[i]!);
      const obj = scratch.path(`${prefix}${i}.llvm.o`);
      const r = await runAsync(mc, ['-triple', triple, '-mcpu=v3', '-filetype=obj', src, '-o', obj]);
      if (r.code !== 0) throw new Error(`llvm-mc-14 failed on ${prefix}${i}: ${r.stderr}`);
      out[i] = obj;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}
