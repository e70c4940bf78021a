// Gatekeepers for tests that need the real kernel or a reference tool. Without them a test
// skips and says why; with BPF_TS_REQUIRE_KERNEL=1 / BPF_TS_REQUIRE_ORACLES=1 (CI) it fails.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const REQUIRE_KERNEL = process.env.BPF_TS_REQUIRE_KERNEL === '1';
export const REQUIRE_ORACLES = process.env.BPF_TS_REQUIRE_ORACLES === '1';

interface Skippable {
  skip(note?: string): void;
}

/** Why kernel tests cannot run here, or undefined when they can. */
export function kernelUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root: loading BPF programs needs CAP_BPF and CAP_NET_ADMIN';
  if (!existsSync('/sys/fs/bpf')) return 'no bpffs at /sys/fs/bpf';
  return undefined;
}

/** Call first in a kernel test: skips (or fails under BPF_TS_REQUIRE_KERNEL=1) without root. */
export function needKernel(ctx: Skippable): void {
  const why = kernelUnavailableReason();
  if (why === undefined) return;
  if (REQUIRE_KERNEL) throw new Error(`kernel test required (BPF_TS_REQUIRE_KERNEL=1) but: ${why}`);
  ctx.skip(why);
}

const toolCache = new Map<string, string | undefined>();

/** Absolute path of a reference tool on PATH, or undefined. */
export function findTool(name: string): string | undefined {
  if (!toolCache.has(name)) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    toolCache.set(name, r.status === 0 ? r.stdout.trim() : undefined);
  }
  return toolCache.get(name);
}

/** Call first in an oracle test: returns the tool's path, or skips (fails under BPF_TS_REQUIRE_ORACLES=1). */
export function needOracle(ctx: Skippable, name: string): string {
  const path = findTool(name);
  if (path !== undefined) return path;
  const why = `reference tool ${name} is not installed`;
  if (REQUIRE_ORACLES) throw new Error(`oracle required (BPF_TS_REQUIRE_ORACLES=1) but: ${why}`);
  ctx.skip(why);
  return '';
}
