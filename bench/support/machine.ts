// What the network benchmarks share: running a command, and waiting until the machine is quiet
// enough that a run measures bpf-ts and its reference rather than other work.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
}

function cpuTicks(): { busy: number; idle: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + f[4]!;
  const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
  return { busy, idle };
}

/** Percentage of CPU time busy over the next `ms` milliseconds, all CPUs. */
export async function busyPct(ms: number): Promise<number> {
  const a = cpuTicks();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTicks();
  const u = b.busy - a.busy;
  const i = b.idle - a.idle;
  return u + i > 0 ? Math.round((100 * u) / (u + i)) : 0;
}

/** Wait (up to ~10 s) for the machine to be busy less than `quietPct`; returns the last reading. */
export async function waitQuiet(quietPct: number): Promise<number> {
  let p = 100;
  for (let i = 0; i < 25; i++) {
    p = await busyPct(400);
    if (p < quietPct) break;
  }
  return p;
}
