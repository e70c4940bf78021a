// The kernel's bpf() enums, from <linux/bpf.h> (linux 6.1 uapi; later additions marked).
// test/sys/layout.test.ts checks every value against the header with gcc.

export const BpfCmd = {
  MAP_CREATE: 0,
  MAP_LOOKUP_ELEM: 1,
  MAP_UPDATE_ELEM: 2,
  MAP_DELETE_ELEM: 3,
  MAP_GET_NEXT_KEY: 4,
  PROG_LOAD: 5,
  OBJ_PIN: 6,
  OBJ_GET: 7,
  PROG_ATTACH: 8,
  PROG_DETACH: 9,
  PROG_TEST_RUN: 10,
  PROG_RUN: 10,
  PROG_GET_NEXT_ID: 11,
  MAP_GET_NEXT_ID: 12,
  PROG_GET_FD_BY_ID: 13,
  MAP_GET_FD_BY_ID: 14,
  OBJ_GET_INFO_BY_FD: 15,
  PROG_QUERY: 16,
  RAW_TRACEPOINT_OPEN: 17,
  BTF_LOAD: 18,
  BTF_GET_FD_BY_ID: 19,
  TASK_FD_QUERY: 20,
  MAP_LOOKUP_AND_DELETE_ELEM: 21,
  MAP_FREEZE: 22,
  BTF_GET_NEXT_ID: 23,
  MAP_LOOKUP_BATCH: 24,
  MAP_LOOKUP_AND_DELETE_BATCH: 25,
  MAP_UPDATE_BATCH: 26,
  MAP_DELETE_BATCH: 27,
  LINK_CREATE: 28,
  LINK_UPDATE: 29,
  LINK_GET_FD_BY_ID: 30,
  LINK_GET_NEXT_ID: 31,
  ENABLE_STATS: 32,
  ITER_CREATE: 33,
  LINK_DETACH: 34,
  PROG_BIND_MAP: 35,
} as const;




export const LinkType = {
  UNSPEC: 0,
  RAW_TRACEPOINT: 1,
  TRACING: 2,
  CGROUP: 3,
  ITER: 4,
  NETNS: 5,
  XDP: 6,
  PERF_EVENT: 7,
  KPROBE_MULTI: 8,
  STRUCT_OPS: 9,
} as const;


/** BPF_MAP_UPDATE_ELEM flags. */
export const UpdateFlags = {
  /** create a new element or update an existing one */
  ANY: 0,
  /** create a new element only if it did not exist */
  NOEXIST: 1,
  /** update an existing element */
  EXIST: 2,
  /** spin_lock-ed map_lookup/map_update */
  F_LOCK: 4,
} as const;

/** BPF_PROG_LOAD prog_flags. */
export const ProgFlags = {
  STRICT_ALIGNMENT: 1 << 0,
  ANY_ALIGNMENT: 1 << 1,
  TEST_RND_HI32: 1 << 2,
  TEST_STATE_FREQ: 1 << 3,
  SLEEPABLE: 1 << 4,
  XDP_HAS_FRAGS: 1 << 5,
} as const;

/** BPF_PROG_TEST_RUN flags. */
export const TestRunFlags = {
  /** run the program on the given CPU (raw tracepoints only) */
  RUN_ON_CPU: 1 << 0,
  /** XDP: send the frames out for real (XDP_TX/XDP_REDIRECT take effect) */
  XDP_LIVE_FRAMES: 1 << 1,
} as const;

/** XDP attach flags (netlink IFLA_XDP_FLAGS and BPF_LINK_CREATE flags). */
export const XdpFlags = {
  UPDATE_IF_NOEXIST: 1 << 0,
  SKB_MODE: 1 << 1,
  DRV_MODE: 1 << 2,
  HW_MODE: 1 << 3,
  REPLACE: 1 << 4,
} as const;

/** IFLA_XDP_ATTACHED values. */
export const XdpAttached = { NONE: 0, DRV: 1, SKB: 2, HW: 3, MULTI: 4 } as const;

/** BPF_OBJ_GET file_flags / GET_FD_BY_ID open_flags. */
export const FileFlags = { RDONLY: 1 << 3, WRONLY: 1 << 4 } as const;

/** Name of an enum value, or `unknown(N)`. */
export function enumName(table: Readonly<Record<string, number>>, value: number): string {
  for (const [k, v] of Object.entries(table)) if (v === value) return k;
  return `unknown(${value})`;
}

/** Length of the kernel's object names (BPF_OBJ_NAME_LEN), NUL included. */
export const OBJ_NAME_LEN = 16;
/** Length of a program tag (BPF_TAG_SIZE). */
export const TAG_SIZE = 8;
