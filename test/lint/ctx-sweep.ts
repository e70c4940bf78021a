// Every ctx offset and size, read and written, per program type: a sweep of the
// is_valid_access rules for xdp_md and __sk_buff.
import type { Case } from './corpus.js';
import { EXIT_INSN, LDX_MEM, MOV64_IMM, STX_MEM, ST_MEM, SZ } from './insn.js';

const SIZES = [[SZ.B, 1], [SZ.H, 2], [SZ.W, 4], [SZ.DW, 8]] as const;

export function ctxSweep(): Case[] {
  const out: Case[] = [];
  const types = [['xdp', 28], ['sched_cls', 196], ['socket_filter', 196], ['cgroup_skb', 196]] as const;
  for (const [type, end] of types) {
    for (let off = 0; off < end; off++) {
      for (const [sz, bytes] of SIZES) {
        if (off % bytes !== 0 && off % 4 !== 1) continue;
        out.push({ family: `ctx:${type}:read`, name: `${type} read u${bytes * 8} @${off}`, type, insns: [LDX_MEM(sz, 0, 1, off), MOV64_IMM(0, 0), EXIT_INSN()] });
        if (off % bytes === 0) {
          out.push({ family: `ctx:${type}:write`, name: `${type} stx u${bytes * 8} @${off}`, type, insns: [MOV64_IMM(2, 0), STX_MEM(sz, 1, 2, off), MOV64_IMM(0, 0), EXIT_INSN()] });
          out.push({ family: `ctx:${type}:st`, name: `${type} st u${bytes * 8} @${off}`, type, insns: [ST_MEM(sz, 1, off, 0), MOV64_IMM(0, 0), EXIT_INSN()] });
        }
      }
    }
  }
  return out;
}
