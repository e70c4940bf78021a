// Register state: a type (the kernel's bpf_reg_type), a fixed offset, a variable part
// (a Scalar: the value itself for scalars, the variable offset for pointers), and ids.
import type { MapInfo } from './map-info.js';
import { type Scalar, SCALAR_UNKNOWN, scalarConst, scalarEquals, scalarString, scalarWithin, isConst } from './scalar.js';

export type RegType =
  | 'not_init' | 'scalar' | 'ctx' | 'fp' | 'map_ptr' | 'map_ptr_or_null' | 'map_value' | 'map_value_or_null'
  | 'pkt' | 'pkt_meta' | 'pkt_end' | 'ringbuf_mem' | 'ringbuf_mem_or_null' | 'mem' | 'mem_or_null'
  | 'sock' | 'sock_or_null' | 'sock_common' | 'sock_common_or_null' | 'tcp_sock' | 'tcp_sock_or_null'
  | 'func';

export interface Reg {
  readonly type: RegType;
  /** scalar value, or the variable offset of a pointer */
  readonly v: Scalar;
  /** fixed offset of a pointer */
  readonly off: number;
  /** pointer identity: same id = copies of one pointer (NULL checks, packet ranges); scalar link id */
  readonly id: number;
  /** packet pointers: bytes proven readable after off; ringbuf mem and mem: size */
  readonly range: number;
  /** the reference this pointer holds (acquired sockets, ringbuf records) */
  readonly refObjId: number;
  /** map_ptr / map_value */
  readonly map?: MapInfo;
  /** fp: the frame the stack pointer points into */
  readonly frameno: number;
}

export const NOT_INIT: Reg = { type: 'not_init', v: SCALAR_UNKNOWN, off: 0, id: 0, range: 0, refObjId: 0, frameno: 0 };
export const UNKNOWN_SCALAR: Reg = { ...NOT_INIT, type: 'scalar' };
export const constReg = (v: bigint): Reg => ({ ...NOT_INIT, type: 'scalar', v: scalarConst(v) });
export const scalarReg = (v: Scalar): Reg => ({ ...NOT_INIT, type: 'scalar', v });
export const ptrReg = (type: RegType, extra: Partial<Reg> = {}): Reg => ({ ...NOT_INIT, type, v: scalarConst(0n), ...extra });

export const isPointer = (r: Reg): boolean => r.type !== 'scalar' && r.type !== 'not_init';
export const isMaybeNull = (t: RegType): boolean => t.endsWith('_or_null');
export const isPkt = (t: RegType): boolean => t === 'pkt' || t === 'pkt_meta';
export const isPktAny = (t: RegType): boolean => t === 'pkt' || t === 'pkt_meta' || t === 'pkt_end';
export const isKnownZero = (r: Reg): boolean => r.type === 'scalar' && isConst(r.v) && r.v.t.value === 0n;
export const nonNull = (t: RegType): RegType => (t.endsWith('_or_null') ? (t.slice(0, -8) as RegType) : t);

/** Kernel-log style: R2=pkt(r=0), R0=map_value(ks=8,vs=8), R1=fp-8, R3=5. */
export function regString(r: Reg): string {
  switch (r.type) {
    case 'scalar': return scalarString(r.v);
    case 'fp': return `fp${r.off}`;
    case 'ctx': return 'ctx()';
    default: {
      const parts: string[] = [];
      if (r.id) parts.push(`id=${r.id}`);
      if (r.refObjId) parts.push(`ref_obj_id=${r.refObjId}`);
      if (r.off) parts.push(`off=${r.off}`);
      if (r.type === 'pkt' || r.type === 'pkt_meta') parts.push(`r=${r.range}`);
      if (r.map) parts.push(`ks=${r.map.keySize}`, `vs=${r.map.valueSize}`);
      return `${r.type}(${parts.join(',')})`;
    }
  }
}

export function regEquals(a: Reg, b: Reg): boolean {
  if (a === b) return true;
  return a.type === b.type && a.off === b.off && a.id === b.id && a.range === b.range
    && a.refObjId === b.refObjId && a.map === b.map && a.frameno === b.frameno && scalarEquals(a.v, b.v);
}

/** regsafe: every concrete value `cur` may hold is one `old` was verified with. */
export function regSafe(old: Reg, cur: Reg): boolean {
  if (old === cur || old.type === 'not_init') return true;
  if (old.type !== cur.type) return false;
  switch (old.type) {
    case 'scalar': return scalarWithin(old.v, cur.v);
    case 'pkt': case 'pkt_meta':
      return old.off === cur.off && old.range <= cur.range && scalarWithin(old.v, cur.v);
    default:
      return old.off === cur.off && old.map === cur.map && old.frameno === cur.frameno
        && old.refObjId === cur.refObjId && scalarWithin(old.v, cur.v)
        && (isMaybeNull(old.type) ? old.id === cur.id : true);
  }
}
