// The lint against the live kernel verifier: every program below is loaded as root with
// BPF_PROG_LOAD (through src/loader) and labelled by the kernel in this run; the lint's
// verdict and first error line are compared with it. Goals (issue 6): >= 95% verdict
// agreement, false accepts driven to zero (at most 2 allowed per suite here), and the
// kernel's first error line on most rejections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needKernel, kernelUnavailableReason } from '../support/env.js';
import { parseVerifierLog } from '../../src/lint/kernel-log.js';
import { CORPUS, type Case } from './corpus.js';
import { KernelMaps, type Outcome, describeTally, runCase, runObject, tally } from './differential.js';
import { readFileSync } from 'node:fs';
import { randomHelperCall, randomWild, randomXdp } from './random-gen.js';
import { ctxSweep } from './ctx-sweep.js';
import { ALLOWED_BY_TYPE, PROTOS } from '../../src/lint/helper-protos.js';

const MAX_FALSE_ACCEPTS = 2;
let maps: KernelMaps | undefined;
let corpusOutcomes: Outcome[] = [];

beforeAll(() => {
  if (kernelUnavailableReason() === undefined) maps = new KernelMaps();
});
afterAll(() => maps?.close());

function runSuite(title: string, cases: readonly Case[]): Outcome[] {
  const outs = cases.map((c) => runCase(c, maps!));
  const t = tally(outs);
  console.log(describeTally(t, title));
  expect(t.agree / t.total).toBeGreaterThanOrEqual(0.95);
  expect(t.falseAccepts.length).toBeLessThanOrEqual(MAX_FALSE_ACCEPTS);
  // same first error line as the kernel on most rejections
  expect(t.sameMessage / Math.max(1, t.bothReject)).toBeGreaterThanOrEqual(0.9);
  return outs;
}

describe('lint agrees with the 6.18 verifier', () => {
  it('on the hand-written corpus (catalogue classes and accepted patterns)', (ctx) => {
    needKernel(ctx);
    const outs = runSuite('hand-written corpus', CORPUS);
    corpusOutcomes = outs;
    // the corpus must exercise both verdicts and most catalogue classes
    const kinds = new Set(outs.filter((o) => !o.kernelAccepts).map((o) => o.kernelKind));
    expect(kinds.size).toBeGreaterThanOrEqual(35);
    expect(outs.filter((o) => o.kernelAccepts).length).toBeGreaterThanOrEqual(80);
  }, 600_000);

  it('on 400 seeded random XDP programs (valid and subtly invalid)', (ctx) => {
    needKernel(ctx);
    const cases = Array.from({ length: 400 }, (_, i) => randomXdp(20_000 + i));
    const outs = runSuite('random XDP programs', cases);
    const accepted = outs.filter((o) => o.kernelAccepts).length;
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(350);
  }, 600_000);

  it('on 400 seeded wild instruction sequences', (ctx) => {
    needKernel(ctx);
    runSuite('wild sequences', Array.from({ length: 400 }, (_, i) => randomWild(40_000 + i)));
  }, 600_000);

  it('on every ctx offset and size, read and written, for xdp, tc, socket and cgroup_skb', (ctx) => {
    needKernel(ctx);
    const outs = runSuite('ctx access sweep', ctxSweep());
    expect(tally(outs).falseAccepts).toHaveLength(0);
  }, 600_000);

  it('on 800 helper calls with randomly typed arguments', (ctx) => {
    needKernel(ctx);
    const ids = (t: string): number[] => [...PROTOS.keys()].filter((id) => ALLOWED_BY_TYPE[t]!.includes(id));
    const cases = [
      ...Array.from({ length: 500 }, (_, i) => randomHelperCall(60_000 + i, ids('xdp'))),
      ...Array.from({ length: 300 }, (_, i) => randomHelperCall(70_000 + i, ids('sched_cls'), 'sched_cls')),
    ];
    const outs = runSuite('helper argument sweep', cases);
    expect(outs.filter((o) => o.kernelAccepts).length).toBeGreaterThan(100);
  }, 600_000);

  it('on clang -O2 objects (test/lint/fixtures), with the C source line', (ctx) => {
    needKernel(ctx);
    const outs = ['xdp_parse', 'xdp_loops', 'refs', 'tc_prog'].flatMap((n) =>
      runObject(new Uint8Array(readFileSync(new URL(`./fixtures/${n}.o`, import.meta.url))), n));
    const t = tally(outs);
    console.log(describeTally(t, 'clang objects'));
    expect(outs.length).toBeGreaterThanOrEqual(20);
    expect(t.falseAccepts).toHaveLength(0);
    expect(t.agree / t.total).toBeGreaterThanOrEqual(0.95);
    const short = outs.find((o) => o.c.name === 'xdp_parse/parse_short_check')!;
    expect(short.kernelAccepts).toBe(false);
    const d = short.lint.diagnostics[0]!;
    expect(d.source?.file).toMatch(/xdp_parse\.c$/);
    expect(d.source?.text).toContain('ip->daddr');
  }, 600_000);

  it('reads every kernel rejection log into a diagnostic', (ctx) => {
    needKernel(ctx);
    const outs = corpusOutcomes.length > 0 ? corpusOutcomes : CORPUS.slice(0, 60).map((c) => runCase(c, maps!));
    for (const o of outs) {
      const c = o.c;
      if (o.kernelAccepts) continue;
      expect(o.kernelMessage, c.name).toBeDefined();
      expect(o.kernelMessage!.length, c.name).toBeGreaterThan(0);
      expect(o.kernelMessage, c.name).not.toMatch(/^\d+: \(/);
    }
    expect(parseVerifierLog('processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n').diagnostic).toBeUndefined();
  }, 600_000);
});
