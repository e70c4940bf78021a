// The fuzz loop shared by `npm run fuzz` (long, time-bounded) and the fixed-seed subset that
// `npm test` runs: mutate a seed, run the target, and classify the outcome. A throw whose name
// is not one of the target's typed errors is a crash.
import { type Corpus, seedsFor } from './corpus.js';
import { mutateBytes, mutateText, Rng } from './mutate.js';
import type { FuzzTarget } from './targets.js';

export interface Crash {
  readonly target: string;
  readonly input: Uint8Array | string;
  readonly error: string;
}

export interface FuzzStats {
  readonly target: string;
  readonly runs: number;
  readonly ok: number;
  readonly typedErrors: number;
  readonly crashes: Crash[];
  /** The slowest single input, in ms (a hang shows here as a large number, or never returns). */
  readonly slowestMs: number;
}

export interface FuzzOptions {
  readonly seed: number;
  readonly iterations: number;
  /** Stop early after this many milliseconds (0: no limit). */
  readonly millis?: number;
  readonly maxSize?: number;
}

export function fuzzTarget(target: FuzzTarget, corpus: Corpus, opts: FuzzOptions): FuzzStats {
  const rng = new Rng(opts.seed);
  const seeds = seedsFor(target.name, corpus);
  const maxSize = opts.maxSize ?? 256 * 1024;
  const crashes: Crash[] = [];
  let ok = 0, typed = 0, runs = 0, slowest = 0;
  const start = Date.now();
  for (let i = 0; i < opts.iterations; i++) {
    if (opts.millis && Date.now() - start > opts.millis) break;
    if (seeds.length === 0) break;
    const a = seeds[rng.below(seeds.length)]!;
    const b = seeds[rng.below(seeds.length)]!;
    const input = typeof a === 'string' ? mutateText(a, b as string, rng, maxSize) : mutateBytes(a, b as Uint8Array, rng, maxSize);
    const t0 = Date.now();
    try {
      target.run(input);
      ok++;
    } catch (e) {
      const name = e instanceof Error ? e.name : typeof e;
      if (target.expected.includes(name)) typed++;
      else crashes.push({ target: target.name, input, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) });
    }
    slowest = Math.max(slowest, Date.now() - t0);
    runs++;
  }
  return { target: target.name, runs, ok, typedErrors: typed, crashes, slowestMs: slowest };
}
