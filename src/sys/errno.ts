// errno numbers → names, and what each usually means for a bpf() command.
import { errnoNames } from './libc.js';

let names: ReadonlyMap<number, string> | undefined;

/** The symbolic name of an errno value (EPERM…), or `errno N`. */
export function errnoName(errno: number): string {
  names ??= errnoNames();
  return names.get(errno) ?? `errno ${errno}`;
}

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

/** A hint a person can act on for `errno` from `command` (e.g. BPF_MAP_CREATE). */
export function errnoHint(command: string, errno: number): string {
  const name = errnoName(errno);
  return COMMAND_HINTS[command]?.[name] ?? GENERIC_HINTS[name] ?? '';
}
