// Kernel profiles: what a target kernel offers, saved by `bpf-ts probe --save` and read by
// `bpf-ts lint --kernel profile.json`. The lint predicts against the profile's helper and
// map-type sets instead of the 6.18 defaults.
import { z } from 'zod';
import { helperId } from '../asm/helpers.js';
import { MapType as MapTypeIds, ProgType as ProgTypeIds } from '../elf/bpf-enums.js';

/** Schema (version 1). Ids are uapi numbers (BPF_FUNC_*, BPF_MAP_TYPE_*, BPF_PROG_TYPE_*). */
export const KernelProfileSchema = z.object({
  /** "bpf-ts-kernel-profile" */
  kind: z.literal('bpf-ts-kernel-profile'),
  version: z.literal(1),
  /** uname -r of the probed kernel */
  kernelRelease: z.string(),
  /** uname -m */
  machine: z.string().optional(),
  /** when probed, ISO 8601 */
  probedAt: z.string().optional(),
  /** whether the probe ran with CAP_BPF/CAP_SYS_ADMIN (affects what was observed) */
  privileged: z.boolean().optional(),
  /** nr_cpu_ids (/sys/devices/system/cpu/possible): bounds bpf_get_smp_processor_id() */
  possibleCpus: z.number().int().positive().optional(),
  /** program types the kernel loads: name -> uapi id */
  programTypes: z.record(z.string(), z.number().int()).optional(),
  /** map types the kernel creates: name -> uapi id */
  mapTypes: z.record(z.string(), z.number().int()),
  /** per program type name (xdp, sched_cls, socket_filter, ...): helper ids it may call */
  helpers: z.record(z.string(), z.array(z.number().int())),
  /** verifier limits, when probed */
  limits: z.object({
    /** processed-instruction budget (1000000 since 5.2) */
    complexityInsns: z.number().int().optional(),
    /** max instructions per program for privileged loaders */
    maxInsns: z.number().int().optional(),
  }).optional(),
});

export type KernelProfile = z.infer<typeof KernelProfileSchema>;

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  readonly exitCode = 2;
}

/** The loader's probeAll() result (src/loader/probe.ts FeatureProfile), also accepted. */
const FeatureProfileSchema = z.object({
  kernel: z.string(),
  arch: z.string().optional(),
  isa: z.string().optional(),
  progTypes: z.record(z.string(), z.object({ supported: z.boolean() })).optional(),
  mapTypes: z.record(z.string(), z.object({ supported: z.boolean() })),
  helpers: z.record(z.string(), z.array(z.string())),
});

function fromFeatureProfile(f: z.infer<typeof FeatureProfileSchema>): KernelProfile {
  const ids = (names: Readonly<Record<string, number>>, rec: Record<string, { supported: boolean }> | undefined): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [name, o] of Object.entries(rec ?? {})) {
      const id = names[name.toUpperCase()];
      if (o.supported && id !== undefined) out[name.toLowerCase()] = id;
    }
    return out;
  };
  const helpers: Record<string, number[]> = {};
  for (const [type, names] of Object.entries(f.helpers)) {
    helpers[type] = names.map((n) => helperId(n)).filter((x): x is number => x !== undefined);
  }
  return {
    kind: 'bpf-ts-kernel-profile', version: 1, kernelRelease: f.kernel,
    ...(f.arch !== undefined ? { machine: f.arch } : {}),
    programTypes: ids(ProgTypeIds, f.progTypes), mapTypes: ids(MapTypeIds, f.mapTypes), helpers,
  };
}

/** Parse and validate a profile document (the JSON already decoded): this schema, or the loader's probeAll() output. */
export function parseKernelProfile(json: unknown): KernelProfile {
  const f = FeatureProfileSchema.safeParse(json);
  if (f.success && (json as { kind?: unknown }).kind === undefined) return fromFeatureProfile(f.data);
  const r = KernelProfileSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ProfileError(`invalid kernel profile: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  return r.data;
}

/** The helper ids the profile lists for a program type, or undefined when it does not say. */
export function profileHelpers(p: KernelProfile, progType: string): Set<number> | undefined {
  const ids = p.helpers[progType];
  return ids === undefined ? undefined : new Set(ids);
}

export function profileMapTypes(p: KernelProfile): Set<number> {
  return new Set(Object.values(p.mapTypes));
}
