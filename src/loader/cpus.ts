// Possible CPUs: per-CPU maps hold one value slot per possible CPU, each rounded up to 8 bytes.
import { readFileSync } from 'node:fs';

/** Parse a kernel CPU list like "0-3,5,7-8" into a count of CPUs (highest + 1). */
export function parseCpuList(text: string): number {
  let max = -1;
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`bad CPU list "${text.trim()}"`);
    max = Math.max(max, Number(m[2] ?? m[1]));
  }
  if (max < 0) throw new Error(`empty CPU list "${text.trim()}"`);
  return max + 1;
}

let cached: number | undefined;

/** Number of possible CPUs (/sys/devices/system/cpu/possible), as libbpf_num_possible_cpus. */
export function possibleCpus(): number {
  cached ??= parseCpuList(readFileSync('/sys/devices/system/cpu/possible', 'utf8'));
  return cached;
}

/** Bytes of one CPU's value slot in a per-CPU map. */
export const perCpuSlot = (valueSize: number): number => (valueSize + 7) & ~7;
