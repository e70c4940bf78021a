// errno numbers → names, and what each usually means for a bpf() command. EPERM and EACCES
// mean different things for a process that already has the privileges bpf() asks for (root
// with its capabilities) and one that has not: the hint depends on which this process is.
import { readFileSync } from 'node:fs';
import { errnoNames } from './libc.js';

let names: ReadonlyMap<number, string> | undefined;

/** The symbolic name of an errno value (EPERM…), or `errno N`. */
export function errnoName(errno: number): string {
  names ??= errnoNames();
  return names.get(errno) ?? KERNEL_ONLY_NAMES[errno] ?? `errno ${errno}`;
}

/**
 * Errnos the kernel returns that libc has no name for (include/linux/errno.h: "should never be
 * seen by user programs", but bpf() returns them).
 */
const KERNEL_ONLY_NAMES: Readonly<Record<number, string>> = { 512: 'ERESTARTSYS', 524: 'ENOTSUPP', 525: 'ETOOSMALL' };

const GENERIC_HINTS: Readonly<Record<string, string>> = {
  EPERM: 'run as root or grant CAP_BPF and CAP_NET_ADMIN',
  EACCES: 'permission denied: run as root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN) or check bpffs permissions',
  E2BIG: 'an attribute or object is larger than this kernel accepts (program too long, map too large, or a newer bpf_attr field the kernel does not know)',
  ENOSPC: 'no room: the map is full, or the verifier log buffer was too small',
  EINVAL: 'the kernel rejected an argument: unsupported type or flag on this kernel, wrong key/value size, or a bad attach type',
  ENOENT: 'no such object: the key, id, pinned path or interface does not exist',
  EEXIST: 'already exists: the key is present (NOEXIST), the pin path is taken, or a program is already attached',
  EBUSY: 'busy: something is already attached here (detach it first, or use replace)',
  EBADF: 'bad file descriptor: the object was already closed, or the fd is not a BPF object of the right kind',
  ENOMEM: 'out of memory: raise RLIMIT_MEMLOCK (old kernels) or reduce map sizes',
  EOPNOTSUPP: 'not supported by this kernel, driver or interface (try generic/skb mode)',
  // glibc names errno 95 ENOTSUP (the same value as EOPNOTSUPP on Linux).
  ENOTSUP: 'not supported by this kernel, driver or interface (try generic/skb mode)',
  ENOTSUPP: 'not supported by this kernel, driver or interface (try generic/skb mode)',
  ENODEV: 'no such device: check the interface name',
  EFAULT: 'the kernel could not read or write a user buffer (a bpf-ts bug: please report it)',
  ENOTTY: 'not a BPF object, or the operation does not apply to it',
  ERANGE: 'a value is out of the range this object accepts',
  EMFILE: 'too many open files: raise RLIMIT_NOFILE or close objects',
};

/** Command-specific refinements of the generic hints. */
const COMMAND_HINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  BPF_MAP_CREATE: {
    EINVAL: 'the kernel refused the map definition: unsupported map type or flags, or key/value size not allowed for this type',
    E2BIG: 'the map is larger than the kernel allows (max_entries * value_size)',
  },
  BPF_MAP_UPDATE_ELEM: {
    E2BIG: 'the map is full (max_entries reached)',
    EEXIST: 'the key already exists (flag NOEXIST)',
    ENOENT: 'the key does not exist (flag EXIST)',
  },
  BPF_MAP_LOOKUP_ELEM: {
    ENOENT: 'no such key in the map',
    ENOTSUP: 'this map type cannot be read from userspace (XSKMAP, sockmap and similar: only update and delete)',
    EOPNOTSUPP: 'this map type cannot be read from userspace (XSKMAP, sockmap and similar: only update and delete)',
  },
  BPF_MAP_DELETE_ELEM: { ENOENT: 'no such key in the map', EINVAL: 'elements of this map type cannot be deleted' },
  BPF_PROG_LOAD: {
    EINVAL: 'the kernel refused the program: unknown program type or attach type, bad license, or malformed instructions',
    E2BIG: 'the program has more instructions than this kernel accepts',
  },
  BPF_OBJ_GET: { ENOENT: 'no such pinned object: check the path under /sys/fs/bpf' },
  BPF_OBJ_PIN: { EEXIST: 'the pin path already exists: unpin it first', ENOENT: 'the pin directory does not exist or is not on bpffs' },
  BPF_LINK_CREATE: {
    EBUSY: 'a program is already attached to this interface in this mode: detach it first',
    EEXIST: 'a program is already attached to this interface: detach it first',
    EINVAL: 'wrong program type or attach type for this hook, or the hook does not support links on this kernel',
  },
  BPF_PROG_TEST_RUN: {
    EINVAL: 'this program type cannot be test-run with this input (data too short for the program type, or bad ctx)',
    ENOSPC: 'the output buffer was too small for the packet',
  },
};

/**
 * What this process holds, as far as bpf() and netlink care:
 * - `unprivileged`: not root and without CAP_BPF/CAP_NET_ADMIN — EPERM means "needs privilege";
 * - `root`: effective uid 0 with its capabilities, in the initial user namespace;
 * - `capable`: not root but holding CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN;
 * - `limited`: uid 0 without those capabilities, or inside a user namespace (a container, a
 *   dropped capability set, `unshare -U`), where root is not root to bpf().
 * For `root` and `capable` an EPERM or EACCES is not about privilege, and the hint says so.
 */
export type Privilege = 'unprivileged' | 'root' | 'capable' | 'limited';

/** Inputs to {@link privilegeOf}: what /proc/self says about this process. */
export interface ProcessCredentials {
  readonly euid: number;
  /** CapEff from /proc/self/status; undefined when it could not be read. */
  readonly capEff?: bigint | undefined;
  /** Whether the process is in the initial user namespace; undefined when unknown. */
  readonly initialUserNs?: boolean | undefined;
}

const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;
const CAP_BPF = 39n;
const has = (caps: bigint, cap: bigint): boolean => ((caps >> cap) & 1n) === 1n;

/** The {@link Privilege} of a process with these credentials (pure: test it with any answers). */
export function privilegeOf(c: ProcessCredentials): Privilege {
  const caps = c.capEff;
  // Unknown capabilities: trust the uid, as before capabilities were looked at.
  const capable = caps === undefined ? c.euid === 0 : (has(caps, CAP_BPF) || has(caps, CAP_SYS_ADMIN)) && has(caps, CAP_NET_ADMIN);
  if (capable && c.initialUserNs !== false) return c.euid === 0 ? 'root' : 'capable';
  return c.euid === 0 || capable ? 'limited' : 'unprivileged';
}

/** CapEff of a /proc/<pid>/status text, or undefined. */
export function capEffOf(status: string): bigint | undefined {
  const m = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  return m ? BigInt(`0x${m[1]!}`) : undefined;
}

/** Whether a /proc/<pid>/uid_map text is the initial user namespace's identity map. */
export function isInitialUidMap(uidMap: string): boolean {
  return /^\s*0\s+0\s+4294967295\s*$/.test(uidMap);
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** This process's credentials, read now (privileges can be dropped while a process runs). */
export function currentCredentials(): ProcessCredentials {
  const status = readProc('/proc/self/status');
  const uidMap = readProc('/proc/self/uid_map');
  return {
    euid: typeof process.geteuid === 'function' ? process.geteuid() : -1,
    capEff: status === undefined ? undefined : capEffOf(status),
    initialUserNs: uidMap === undefined ? undefined : isInitialUidMap(uidMap),
  };
}

/** This process's {@link Privilege}. */
export function currentPrivilege(): Privilege {
  return privilegeOf(currentCredentials());
}

let privilegeOverride: Privilege | undefined;

/**
 * Run `fn` with hints chosen as if this process had `privilege` (for tests: both answers
 * without changing users). Errors built inside `fn` keep the hint they were given.
 */
export function withPrivilege<T>(privilege: Privilege, fn: () => T): T {
  const before = privilegeOverride;
  privilegeOverride = privilege;
  try {
    return fn();
  } finally {
    privilegeOverride = before;
  }
}

/** What EPERM/EACCES mean when privilege is not the reason (`root` and `capable`). */
const PRIVILEGED_GENERIC_HINTS: Readonly<Record<string, (who: string) => string>> = {
  EPERM: (who) => `refused even with ${who}: the kernel does not allow this (a program type or feature not enabled, lockdown, a frozen map, or an LSM)`,
  EACCES: () => 'permission denied: not a bpffs file, or the file\'s permissions',
};

const PRIVILEGED_COMMAND_HINTS: Readonly<Record<string, Readonly<Record<string, (who: string) => string>>>> = {
  BPF_PROG_LOAD: {
    EPERM: (who) => `refused even with ${who}: this program type is not enabled on this kernel (BPF LSM needs lsm=bpf at boot), or lockdown or an LSM forbids it`,
    EACCES: () => 'the verifier refused the program: load it with a log to see why',
  },
  BPF_MAP_CREATE: {
    EPERM: (who) => `refused even with ${who}: this map type or flag is not allowed on this kernel (a feature not enabled, lockdown, or an LSM)`,
  },
  BPF_MAP_UPDATE_ELEM: {
    EPERM: () => 'the map is read-only from userspace: frozen (.rodata, .kconfig), created with BPF_F_RDONLY, or opened read-only',
  },
  BPF_MAP_DELETE_ELEM: {
    EPERM: () => 'the map is read-only from userspace: frozen (.rodata, .kconfig), created with BPF_F_RDONLY, or opened read-only',
  },
};

/** What EPERM/EACCES mean for root that is not root to bpf() (`limited`). */
const LIMITED_HINTS: Readonly<Record<string, string>> = {
  EPERM: 'this process lacks CAP_BPF and CAP_NET_ADMIN in the initial user namespace (a container, a user namespace, or a dropped capability set): grant them, or run on the host',
  EACCES: 'permission denied: this process lacks CAP_BPF, CAP_NET_ADMIN or CAP_SYS_ADMIN in the initial user namespace (a container or a user namespace), or check bpffs permissions',
};

/**
 * A hint a person can act on for `errno` from `command` (e.g. BPF_MAP_CREATE). For EPERM and
 * EACCES it depends on `privilege` (by default this process's, looked up now).
 */
export function errnoHint(command: string, errno: number, privilege?: Privilege): string {
  const name = errnoName(errno);
  if (name === 'EPERM' || name === 'EACCES') {
    const p = privilege ?? privilegeOverride ?? currentPrivilege();
    if (p === 'root' || p === 'capable') {
      const who = p === 'root' ? 'root' : 'CAP_BPF and CAP_NET_ADMIN';
      const h = PRIVILEGED_COMMAND_HINTS[command]?.[name] ?? PRIVILEGED_GENERIC_HINTS[name];
      if (h) return h(who);
    }
    if (p === 'limited') return LIMITED_HINTS[name]!;
  }
  return COMMAND_HINTS[command]?.[name] ?? GENERIC_HINTS[name] ?? '';
}
