// Small XDP programs built with the DSL: count every packet in array map `counter`[0] and
// return a fixed verdict.
import { dsl } from '../../../src/asm/index.js';
import type { Instruction } from '../../../src/asm/instruction.js';

const { r0, r1, r2, r10, mov, exit, assemble, ldMap, call, jeq, label, atomicAdd, storeImm, add } = dsl;

export const XDP_DROP = 1;
export const XDP_PASS = 2;

export function countingXdp(verdict: number): Instruction[] {
  return assemble([
    storeImm('u32', r10, -4, 0),
    mov(r2, r10),
    add(r2, -4),
    ldMap(r1, 'counter'),
    call('map_lookup_elem'),
    jeq(r0, 0, 'out'),
    mov(r1, 1),
    atomicAdd('u64', r0, 0, r1),
    label('out'),
    mov(r0, verdict),
    exit(),
  ]).insns;
}
