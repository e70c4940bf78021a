// `npm run fuzz [-- --seconds N] [--target NAME] [--seed S]`: every target for N seconds
// (default 60 each), crashing inputs saved to fuzz/crashes/ for a regression test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { loadCorpus } from './corpus.js';
import { fuzzTarget } from './fuzz.js';
import { TARGETS } from './targets.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const seconds = Number(arg('seconds') ?? 60);
const only = arg('target');
const seed = Number(arg('seed') ?? Date.now() % 2 ** 31);
const corpus = loadCorpus();
let crashes = 0;
console.log(`seed ${seed}, ${seconds} s per target`);
for (const t of TARGETS.filter((x) => only === undefined || x.name === only)) {
  const s = fuzzTarget(t, corpus, { seed, iterations: Number.MAX_SAFE_INTEGER, millis: seconds * 1000 });
  console.log(`${t.name.padEnd(12)} ${String(s.runs).padStart(8)} runs  ${s.ok} ok  ${s.typedErrors} typed errors  ${s.crashes.length} crashes  slowest ${s.slowestMs} ms`);
  for (const c of s.crashes.slice(0, 20)) {
    const dir = new URL('./crashes/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const data = typeof c.input === 'string' ? new TextEncoder().encode(c.input) : c.input;
    const file = new URL(`${t.name}-${createHash('sha1').update(data).digest('hex').slice(0, 12)}.bin`, dir);
    writeFileSync(file, data);
    console.log(`  crash saved to ${file.pathname}: ${c.error.split('\n')[0]}`);
  }
  crashes += s.crashes.length;
}
process.exitCode = crashes === 0 ? 0 : 1;
