// Helper prototypes (argument and return types) as the kernel declares them in
// struct bpf_func_proto, for the helpers XDP, tc, socket-filter and cgroup-skb programs use.
import { HELPER_NAMES } from '../asm/helpers.js';

export type ArgType =
  | 'anything' | 'ctx' | 'map_ptr' | 'map_key' | 'map_value' | 'uninit_map_value'
  | 'mem' | 'mem_or_null' | 'uninit_mem' | 'size' | 'size_or_zero' | 'alloc_size_or_zero'
  | 'ringbuf_mem_release' | 'sock_common' | 'sock_common_release' | 'func' | 'stack_or_null'
  | 'fixed_u32_mem' | 'spin_lock' | 'sock_common_plain';
export type RetType =
  | 'map_value' | 'integer' | 'void' | 'map_value_or_null' | 'ringbuf_mem_or_null'
  | 'sock_or_null' | 'sock_common_or_null' | 'tcp_sock_or_null' | 'sock_ptr' | 'tcp_sock';

export interface HelperProto {
  readonly id: number;
  readonly name: string;
  readonly args: readonly ArgType[];
  readonly ret: RetType;
  /** invalidates packet pointers (bpf_helper_changes_pkt_data) */
  readonly changesPkt?: boolean;
  /** returns a reference the program must release */
  readonly acquires?: boolean;
  /** needs CAP_BPF / CAP_PERFMON */
  readonly privileged?: boolean;
  /** may take packet pointers (bpf_func_proto.pkt_access) */
  readonly pktAccess?: boolean;
}

/** Ids past the uapi table the 6.18 kernel still knows. */
const EXTRA_NAMES: Readonly<Record<number, string>> = { 210: 'cgrp_storage_get', 211: 'cgrp_storage_delete' };
/** __BPF_FUNC_MAX_ID on 6.18. */
export const HELPER_MAX_ID = 212;

export function helperDisplayName(id: number): string {
  if (id <= 0 || id >= HELPER_MAX_ID) return 'unknown';
  const n = id < HELPER_NAMES.length ? HELPER_NAMES[id] : EXTRA_NAMES[id];
  return n === undefined ? 'unknown' : `bpf_${n}`;
}

const P = (id: number, args: ArgType[], ret: RetType, extra: Partial<HelperProto> = {}): HelperProto =>
  ({ id, name: helperDisplayName(id), args, ret, ...extra });

const A: ArgType = 'anything';
/** Helpers whose proto sets pkt_access: packet pointers may be passed to them. */
const PKT_ACCESS = new Set([1, 2, 3, 28, 84, 85, 87, 99, 100, 110, 195]);
export const PROTOS: ReadonlyMap<number, HelperProto> = new Map([
  P(1, ['map_ptr', 'map_key'], 'map_value_or_null'),
  P(2, ['map_ptr', 'map_key', 'map_value', A], 'integer'),
  P(3, ['map_ptr', 'map_key'], 'integer'),
  P(5, [], 'integer'),
  P(6, ['mem', 'size'], 'integer', { privileged: true }),
  P(7, [], 'integer'),
  P(8, [], 'integer'),
  P(9, ['ctx', A, 'mem', 'size', A], 'integer', { changesPkt: true }),
  P(10, ['ctx', A, A, A, A], 'integer', { changesPkt: true }),
  P(11, ['ctx', A, A, A, A], 'integer', { changesPkt: true }),
  P(12, ['ctx', 'map_ptr', A], 'void'),
  P(13, ['ctx', A, A], 'integer', { changesPkt: true }),
  P(17, ['ctx'], 'integer'),
  P(18, ['ctx', A, A], 'integer', { changesPkt: true }),
  P(19, ['ctx'], 'integer', { changesPkt: true }),
  P(23, [A, A], 'integer'),
  P(25, ['ctx', 'map_ptr', A, 'mem', 'size_or_zero'], 'integer'),
  P(26, ['ctx', A, 'uninit_mem', 'size'], 'integer'),
  P(28, ['mem_or_null', 'size_or_zero', 'mem_or_null', 'size_or_zero', A], 'integer'),
  P(31, ['ctx', A, A], 'integer', { changesPkt: true }),
  P(32, ['ctx', A], 'integer'),
  P(34, ['ctx'], 'integer'),
  P(38, ['ctx', A, A], 'integer', { changesPkt: true }),
  P(39, ['ctx', A], 'integer', { changesPkt: true }),
  P(40, ['ctx', A], 'integer'),
  P(41, ['ctx'], 'integer'),
  P(42, [], 'integer'),
  P(43, ['ctx', A, A], 'integer', { changesPkt: true }),
  P(44, ['ctx', A], 'integer', { changesPkt: true }),
  P(46, ['ctx'], 'integer'),
  P(47, ['ctx'], 'integer'),
  P(48, ['ctx', A], 'integer'),
  P(50, ['ctx', A, A, A], 'integer', { changesPkt: true }),
  P(51, ['map_ptr', A, A], 'integer'),
  P(54, ['ctx', A], 'integer', { changesPkt: true }),
  P(65, ['ctx', A], 'integer', { changesPkt: true }),
  P(68, ['ctx', A, 'uninit_mem', 'size', A], 'integer'),
  P(69, ['ctx', 'mem', 'size', A], 'integer'),
  P(79, ['ctx'], 'integer'),
  P(81, ['map_ptr', A], 'map_value'),
  P(107, ['map_ptr', 'sock_common', 'mem_or_null', A], 'map_value_or_null'),
  P(108, ['map_ptr', 'sock_common'], 'integer'),
  P(95, ['sock_common_plain'], 'sock_or_null'),
  P(96, ['sock_common_plain'], 'tcp_sock_or_null'),
  P(98, ['sock_common_plain'], 'sock_or_null'),
  P(14, [], 'integer'),
  P(15, [], 'integer'),
  P(46, ['ctx'], 'integer'),
  P(47, ['ctx'], 'integer'),
  P(83, ['ctx', A], 'integer'),
  P(122, ['ctx'], 'integer'),
  P(84, ['ctx', 'mem', 'size_or_zero', A, A], 'sock_or_null', { acquires: true }),
  P(85, ['ctx', 'mem', 'size_or_zero', A, A], 'sock_or_null', { acquires: true }),
  P(86, ['sock_common_release'], 'integer'),
  P(87, ['map_ptr', 'map_value', A], 'integer'),
  P(88, ['map_ptr', 'uninit_map_value'], 'integer'),
  P(89, ['map_ptr', 'uninit_map_value'], 'integer'),
  P(93, ['spin_lock'], 'void', { privileged: true }),
  P(94, ['spin_lock'], 'void', { privileged: true }),
  P(99, ['ctx', 'mem', 'size_or_zero', A, A], 'sock_common_or_null', { acquires: true }),
  P(100, ['sock_common', 'mem', 'size', 'mem', 'size'], 'integer'),
  P(110, ['sock_common', 'mem', 'size', 'mem', 'size'], 'integer'),
  P(118, [], 'integer', { privileged: true }),
  P(125, [], 'integer'),
  P(130, ['map_ptr', 'mem', 'size_or_zero', A], 'integer'),
  P(131, ['map_ptr', 'alloc_size_or_zero', A], 'ringbuf_mem_or_null', { acquires: true }),
  P(132, ['ringbuf_mem_release', A], 'void'),
  P(133, ['ringbuf_mem_release', A], 'void'),
  P(134, ['map_ptr', A], 'integer'),
  P(135, ['ctx', A], 'integer'),
  P(163, ['ctx', A, 'fixed_u32_mem', A, A], 'integer'),
  P(188, ['ctx'], 'integer'),
  P(189, ['ctx', A, 'uninit_mem', 'size'], 'integer'),
  P(190, ['ctx', A, 'mem', 'size'], 'integer'),
  P(195, ['map_ptr', 'map_key', A], 'map_value_or_null'),
  P(208, [], 'integer'),
].map((p) => [p.id, PKT_ACCESS.has(p.id) ? { ...p, pktAccess: true } : p]));

/** Prototypes that differ by program type (the _curr variants outside tc). */
export function protoFor(id: number, progType: string): HelperProto | undefined {
  if (id === 17 && progType !== 'sched_cls' && progType !== 'sched_act') return { id, name: helperDisplayName(id), args: [], ret: 'integer' };
  return PROTOS.get(id);
}

/** Helpers every program type gets without CAP_BPF/CAP_PERFMON (bpf_base_func_proto, first part). */
const BASE_UNPRIV = new Set([1, 2, 3, 87, 88, 89, 195, 7, 8, 42, 12, 5, 125, 208, 130, 131, 132, 133, 134, 164, 181, 182, 209]);
/** Helpers that need CAP_BPF/CAP_PERFMON whatever the program type. */
const PRIV_ONLY = new Set([6, 14, 15, 16, 35, 37, 80, 93, 94, 105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 123, 136, 137,
  138, 139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 191, 194,
  196, 197, 198, 199, 200, 201, 202, 203, 210, 211]);

/**
 * Helper ids each program type may call on Linux 6.18 with privileges, as probed on the live
 * kernel (test/lint/probe-helpers.ts regenerates these lists).
 */
export const ALLOWED_BY_TYPE: Readonly<Record<string, readonly number[]>> = {
  xdp: [1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 23, 25, 28, 35, 37, 42, 44, 51, 54, 55, 65, 69, 80, 84, 85, 86, 87, 88, 89, 93, 94, 99, 100, 105, 106, 109, 110, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134, 136, 137, 138, 139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 163, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182, 188, 189, 190, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211],
  sched_cls: [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 31, 32, 33, 34, 35, 37, 38, 39, 40, 41, 42, 43, 46, 47, 48, 50, 55, 66, 68, 69, 79, 80, 83, 84, 85, 86, 87, 88, 89, 93, 94, 95, 96, 97, 98, 99, 100, 105, 106, 107, 108, 109, 110, 112, 113, 114, 115, 117, 118, 120, 122, 123, 124, 125, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 148, 149, 151, 152, 153, 154, 155, 156, 157, 158, 160, 163, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182, 191, 192, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211],
  socket_filter: [1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 26, 35, 37, 42, 46, 47, 55, 68, 80, 87, 88, 89, 93, 94, 105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 122, 123, 125, 130, 131, 132, 133, 134, 136, 137, 138, 139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211],
  cgroup_skb: [1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 26, 35, 37, 42, 46, 47, 55, 68, 79, 80, 81, 83, 84, 85, 86, 87, 88, 89, 93, 94, 95, 96, 97, 98, 99, 105, 106, 107, 108, 109, 112, 113, 114, 115, 117, 118, 120, 122, 123, 125, 128, 129, 130, 131, 132, 133, 134, 136, 137, 138, 139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211],
};

/** The helper ids a program type may call, with or without privileges. */
export function allowedHelpers(progType: string, privileged: boolean): Set<number> {
  const all = ALLOWED_BY_TYPE[progType === 'sched_act' ? 'sched_cls' : progType] ?? [];
  if (privileged) return new Set(all);
  return new Set(all.filter((id) => !PRIV_ONLY.has(id) || BASE_UNPRIV.has(id)));
}
