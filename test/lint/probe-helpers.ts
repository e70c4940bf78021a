// Regenerates ALLOWED_BY_TYPE in src/lint/helper-protos.ts: which helper ids each program type
// may call on the running kernel (root). Run: npx tsx test/lint/probe-helpers.ts
import { kernelLoad } from './kernel-oracle.js';
import * as M from './insn.js';
const types: Record<string, number> = { xdp: 6, sched_cls: 3, socket_filter: 1, cgroup_skb: 8 };
for (const [name, t] of Object.entries(types)) {
  const ok: number[] = [];
  for (let id = 1; id < 215; id++) {
    const r = kernelLoad([M.CALL_HELPER(id), M.MOV64_IMM(0, 0), M.EXIT_INSN()], { progType: t, logSize: 1 << 16 });
    if (!/cannot use helper|invalid func|unknown func/.test(r.log)) ok.push(id);
  }
  console.log(name, JSON.stringify(ok));
}
