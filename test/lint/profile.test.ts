// Kernel profiles: the lint predicts against the helpers and map types a target kernel has,
// from this schema or from the loader's probeAll() output.
import { describe, expect, it } from 'vitest';
import { needKernel } from '../support/env.js';
import { lintInstructions } from '../../src/lint/lint.js';
import { parseKernelProfile, ProfileError } from '../../src/lint/profile.js';
import { probeAll } from '../../src/loader/probe.js';
import { CORPUS, CORPUS_MAPS } from './corpus.js';
import { CALL_HELPER, EXIT_INSN, MOV64_IMM } from './insn.js';

const ktime = [CALL_HELPER(5), MOV64_IMM(0, 2), EXIT_INSN()];

describe('kernel profiles', () => {
  it('a helper missing from the profile is predicted as not allowed', () => {
    const old = parseKernelProfile({ kind: 'bpf-ts-kernel-profile', version: 1, kernelRelease: '4.14', mapTypes: { hash: 1 }, helpers: { xdp: [1, 2, 3] } });
    expect(lintInstructions(ktime, { type: 'xdp' }).verdict).toBe('accept');
    const r = lintInstructions(ktime, { type: 'xdp', profile: old });
    expect(r.diagnostics[0]!.message).toBe('program of this type cannot use helper bpf_ktime_get_ns#5');
  });

  it('rejects documents that are not profiles', () => {
    expect(() => parseKernelProfile({ kind: 'nope' })).toThrow(ProfileError);
    expect(() => parseKernelProfile([])).toThrow(ProfileError);
  });

  // Kernels of one release line differ in the helpers they allow (some refuse
  // bpf_xdp_adjust_meta in XDP): where the verdict with the profile differs, the profile
  // must explain it, by lacking the helper the lint names.
  it("reads the loader's probeAll() output, and the corpus lints the same against this kernel's profile, except for the helpers it lacks", (ctx) => {
    needKernel(ctx);
    const profile = parseKernelProfile(JSON.parse(JSON.stringify(probeAll({ helperProgTypes: ['xdp'] }))));
    expect(profile.helpers.xdp).toContain(1);
    expect(Object.values(profile.mapTypes)).toContain(27);
    for (const c of CORPUS.filter((x) => (x.type ?? 'xdp') === 'xdp' && x.family !== 'too_many_insns' && x.family !== 'infinite_loop').slice(0, 150)) {
      const plain = lintInstructions(c.insns, { type: 'xdp', maps: CORPUS_MAPS });
      const withProfile = lintInstructions(c.insns, { type: 'xdp', maps: CORPUS_MAPS, profile });
      if (withProfile.verdict === plain.verdict) continue;
      expect(plain.verdict, c.name).toBe('accept');
      const m = /^program of this type cannot use helper bpf_\w+#(\d+)$/.exec(withProfile.diagnostics[0]?.message ?? '');
      expect(m, `${c.name}: ${withProfile.diagnostics[0]?.message}`).not.toBeNull();
      expect(profile.helpers.xdp, c.name).not.toContain(Number(m![1]));
    }
  }, 300_000);
});
