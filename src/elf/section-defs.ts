// Which program a section name holds: libbpf's section_defs table (libbpf.c), matched the way
// libbpf matches it — first entry wins; "x+" matches "x" or "x/…", "x/" needs "x/…", else exact.

import { AttachType, ProgFlag, ProgType } from './bpf-enums.js';

export interface SectionDef {
  /** The table entry, e.g. "kprobe+", "xdp.frags", "cgroup_skb/ingress". */
  readonly pattern: string;
  /** ProgType value. */
  readonly progType: number;
  /** AttachType value passed as expected_attach_type, or undefined (libbpf passes 0). */
  readonly expectedAttachType: number | undefined;
  /** ProgFlag bits for BPF_PROG_LOAD (sleepable, xdp frags). */
  readonly progFlags: number;
  /** The attach target is a BTF id resolved at load time (fentry, lsm, tp_btf, …). */
  readonly attachBtf: boolean;
}

type Row = readonly [pattern: string, prog: number, attach: number | undefined, flags?: number, btf?: boolean];

const S = ProgFlag.SLEEPABLE;
const F = ProgFlag.XDP_HAS_FRAGS;
const P = ProgType;
const A = AttachType;

const ROWS: readonly Row[] = [
  ['socket', P.SOCKET_FILTER, undefined],
  ['sk_reuseport/migrate', P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT_OR_MIGRATE],
  ['sk_reuseport', P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT],
  ['kprobe+', P.KPROBE, undefined],
  ['uprobe+', P.KPROBE, undefined],
  ['uprobe.s+', P.KPROBE, undefined, S],
  ['kretprobe+', P.KPROBE, undefined],
  ['uretprobe+', P.KPROBE, undefined],
  ['uretprobe.s+', P.KPROBE, undefined, S],
  ['kprobe.multi+', P.KPROBE, A.TRACE_KPROBE_MULTI],
  ['kretprobe.multi+', P.KPROBE, A.TRACE_KPROBE_MULTI],
  ['kprobe.session+', P.KPROBE, A.TRACE_KPROBE_SESSION],
  ['uprobe.multi+', P.KPROBE, A.TRACE_UPROBE_MULTI],
  ['uretprobe.multi+', P.KPROBE, A.TRACE_UPROBE_MULTI],
  ['uprobe.multi.s+', P.KPROBE, A.TRACE_UPROBE_MULTI, S],
  ['uretprobe.multi.s+', P.KPROBE, A.TRACE_UPROBE_MULTI, S],
  ['ksyscall+', P.KPROBE, undefined],
  ['kretsyscall+', P.KPROBE, undefined],
  ['usdt+', P.KPROBE, undefined],
  ['usdt.s+', P.KPROBE, undefined, S],
  ['tc/ingress', P.SCHED_CLS, A.TCX_INGRESS],
  ['tc/egress', P.SCHED_CLS, A.TCX_EGRESS],
  ['tcx/ingress', P.SCHED_CLS, A.TCX_INGRESS],
  ['tcx/egress', P.SCHED_CLS, A.TCX_EGRESS],
  ['tc', P.SCHED_CLS, undefined],
  ['classifier', P.SCHED_CLS, undefined],
  ['action', P.SCHED_ACT, undefined],
  ['netkit/primary', P.SCHED_CLS, A.NETKIT_PRIMARY],
  ['netkit/peer', P.SCHED_CLS, A.NETKIT_PEER],
  ['tracepoint+', P.TRACEPOINT, undefined],
  ['tp+', P.TRACEPOINT, undefined],
  ['raw_tracepoint+', P.RAW_TRACEPOINT, undefined],
  ['raw_tp+', P.RAW_TRACEPOINT, undefined],
  ['raw_tracepoint.w+', P.RAW_TRACEPOINT_WRITABLE, undefined],
  ['raw_tp.w+', P.RAW_TRACEPOINT_WRITABLE, undefined],
  ['tp_btf+', P.TRACING, A.TRACE_RAW_TP, 0, true],
  ['fentry+', P.TRACING, A.TRACE_FENTRY, 0, true],
  ['fmod_ret+', P.TRACING, A.MODIFY_RETURN, 0, true],
  ['fexit+', P.TRACING, A.TRACE_FEXIT, 0, true],
  ['fentry.s+', P.TRACING, A.TRACE_FENTRY, S, true],
  ['fmod_ret.s+', P.TRACING, A.MODIFY_RETURN, S, true],
  ['fexit.s+', P.TRACING, A.TRACE_FEXIT, S, true],
  ['freplace+', P.EXT, undefined, 0, true],
  ['lsm+', P.LSM, A.LSM_MAC, 0, true],
  ['lsm.s+', P.LSM, A.LSM_MAC, S, true],
  ['lsm_cgroup+', P.LSM, A.LSM_CGROUP, 0, true],
  ['iter+', P.TRACING, A.TRACE_ITER, 0, true],
  ['iter.s+', P.TRACING, A.TRACE_ITER, S, true],
  ['syscall', P.SYSCALL, undefined, S],
  ['xdp.frags/devmap', P.XDP, A.XDP_DEVMAP, F],
  ['xdp/devmap', P.XDP, A.XDP_DEVMAP],
  ['xdp.frags/cpumap', P.XDP, A.XDP_CPUMAP, F],
  ['xdp/cpumap', P.XDP, A.XDP_CPUMAP],
  ['xdp.frags', P.XDP, A.XDP, F],
  ['xdp', P.XDP, A.XDP],
  ['perf_event', P.PERF_EVENT, undefined],
  ['lwt_in', P.LWT_IN, undefined],
  ['lwt_out', P.LWT_OUT, undefined],
  ['lwt_xmit', P.LWT_XMIT, undefined],
  ['lwt_seg6local', P.LWT_SEG6LOCAL, undefined],
  ['sockops', P.SOCK_OPS, A.CGROUP_SOCK_OPS],
  ['sk_skb/stream_parser', P.SK_SKB, A.SK_SKB_STREAM_PARSER],
  ['sk_skb/stream_verdict', P.SK_SKB, A.SK_SKB_STREAM_VERDICT],
  ['sk_skb/verdict', P.SK_SKB, A.SK_SKB_VERDICT],
  ['sk_skb', P.SK_SKB, undefined],
  ['sk_msg', P.SK_MSG, A.SK_MSG_VERDICT],
  ['lirc_mode2', P.LIRC_MODE2, A.LIRC_MODE2],
  ['flow_dissector', P.FLOW_DISSECTOR, A.FLOW_DISSECTOR],
  ['cgroup_skb/ingress', P.CGROUP_SKB, A.CGROUP_INET_INGRESS],
  ['cgroup_skb/egress', P.CGROUP_SKB, A.CGROUP_INET_EGRESS],
  ['cgroup/skb', P.CGROUP_SKB, undefined],
  ['cgroup/sock_create', P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE],
  ['cgroup/sock_release', P.CGROUP_SOCK, A.CGROUP_INET_SOCK_RELEASE],
  ['cgroup/sock', P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE],
  ['cgroup/post_bind4', P.CGROUP_SOCK, A.CGROUP_INET4_POST_BIND],
  ['cgroup/post_bind6', P.CGROUP_SOCK, A.CGROUP_INET6_POST_BIND],
  ['cgroup/bind4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_BIND],
  ['cgroup/bind6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_BIND],
  ['cgroup/connect4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_CONNECT],
  ['cgroup/connect6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_CONNECT],
  ['cgroup/connect_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_CONNECT],
  ['cgroup/sendmsg4', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_SENDMSG],
  ['cgroup/sendmsg6', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_SENDMSG],
  ['cgroup/sendmsg_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_SENDMSG],
  ['cgroup/recvmsg4', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_RECVMSG],
  ['cgroup/recvmsg6', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_RECVMSG],
  ['cgroup/recvmsg_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_RECVMSG],
  ['cgroup/getpeername4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETPEERNAME],
  ['cgroup/getpeername6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETPEERNAME],
  ['cgroup/getpeername_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_GETPEERNAME],
  ['cgroup/getsockname4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETSOCKNAME],
  ['cgroup/getsockname6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETSOCKNAME],
  ['cgroup/getsockname_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_GETSOCKNAME],
  ['cgroup/sysctl', P.CGROUP_SYSCTL, A.CGROUP_SYSCTL],
  ['cgroup/getsockopt', P.CGROUP_SOCKOPT, A.CGROUP_GETSOCKOPT],
  ['cgroup/setsockopt', P.CGROUP_SOCKOPT, A.CGROUP_SETSOCKOPT],
  ['cgroup/dev', P.CGROUP_DEVICE, A.CGROUP_DEVICE],
  ['struct_ops+', P.STRUCT_OPS, undefined],
  ['struct_ops.s+', P.STRUCT_OPS, undefined, S],
  ['sk_lookup', P.SK_LOOKUP, A.SK_LOOKUP],
  ['netfilter', P.NETFILTER, A.NETFILTER],
];

export const SECTION_DEFS: readonly SectionDef[] = ROWS.map(([pattern, progType, expectedAttachType, flags, btf]) => ({
  pattern, progType, expectedAttachType, progFlags: flags ?? 0, attachBtf: btf ?? false,
}));

function matches(pattern: string, name: string): boolean {
  const last = pattern[pattern.length - 1];
  if (last === '/') return name.startsWith(pattern);
  if (last === '+') {
    const p = pattern.slice(0, -1);
    return name.startsWith(p) && (name.length === p.length || name[p.length] === '/');
  }
  return name === pattern;
}

/** The section definition libbpf would pick for a section name, or undefined. */
export function findSectionDef(sectionName: string): SectionDef | undefined {
  for (const def of SECTION_DEFS) if (matches(def.pattern, sectionName)) return def;
  return undefined;
}

/** The part after "prefix/" (kprobe/do_unlinkat → do_unlinkat), or undefined. */
export function attachTarget(def: SectionDef, sectionName: string): string | undefined {
  const base = def.pattern.replace(/[+/]$/, '');
  if (sectionName.length <= base.length + 1 || sectionName[base.length] !== '/') return undefined;
  return sectionName.slice(base.length + 1);
}
