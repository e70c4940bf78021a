// bpffs pins: BPF_OBJ_PIN gives an object a path that keeps it alive after every fd closes;
// BPF_OBJ_GET opens it again. Unpinning is unlink(2).
import { existsSync, mkdirSync, readlinkSync, statfsSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { bpf, BpfCmd, BpfError, closeFd, mount, NativeBuffer, ObjAttr, scratchAttr } from '../sys/index.js';
import { expectObjectKind, type ObjectKind } from './info.js';

/** Default bpffs mount, as libbpf. */
export const DEFAULT_PIN_ROOT = '/sys/fs/bpf';
const BPF_FS_MAGIC = 0xcafe4a11;

function withPath<T>(path: string, fn: (p: NativeBuffer) => T): T {
  const p = NativeBuffer.from(new TextEncoder().encode(`${path}\0`));
  try {
    return fn(p);
  } finally {
    p.free();
  }
}

/** A pin path that is not on bpffs (bad input: nothing was created). */
export class PinPathError extends Error {
  override readonly name = 'PinPathError';
  readonly exitCode = 2;
}

/** The deepest directory of `dir` and its parents that exists. */
function existingAncestor(dir: string): string {
  let d = dir;
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  return d;
}

/**
 * Pin `fd` at `path` (on bpffs), creating missing parent directories, which must be on bpffs:
 * a path elsewhere is a PinPathError before anything is created.
 */
export function pinFd(fd: number, path: string): void {
  if (path === DEFAULT_PIN_ROOT || path.startsWith(`${DEFAULT_PIN_ROOT}/`)) ensureBpffs(DEFAULT_PIN_ROOT);
  if (!isBpffs(existingAncestor(dirname(path)))) {
    throw new PinPathError(`${path}: not on a bpffs mount (pins live on bpffs, e.g. under ${DEFAULT_PIN_ROOT})`);
  }
  mkdirSync(dirname(path), { recursive: true });
  withPath(path, (p) => {
    const attr = scratchAttr();
    attr.view.setBigUint64(ObjAttr.off.pathname, p.address, true);
    attr.view.setUint32(ObjAttr.off.bpf_fd, fd, true);
    bpf(BpfCmd.OBJ_PIN, attr, path);
  });
}

/** Open the object pinned at `path`; returns a new fd. */
export function openPinnedFd(path: string, fileFlags = 0): number {
  return withPath(path, (p) => {
    const attr = scratchAttr();
    attr.view.setBigUint64(ObjAttr.off.pathname, p.address, true);
    attr.view.setUint32(ObjAttr.off.file_flags, fileFlags, true);
    try {
      return bpf(BpfCmd.OBJ_GET, attr, path);
    } catch (e) {
      if (e instanceof BpfError && e.errnoName === 'ENOENT') throw new BpfError('BPF_OBJ_GET', e.errno, path, 'nothing is pinned at this path');
      throw e;
    }
  });
}

/**
 * Open the object pinned at `path` and check it is a `kind` (map, prog, link): a program pin
 * opened as a map would otherwise be read as one. Throws ObjectKindError ("PATH is a program,
 * not a map") and closes the fd when it is not. Returns a new fd.
 */
export function openPinnedFdOf(path: string, kind: ObjectKind, fileFlags = 0): number {
  const fd = openPinnedFd(path, fileFlags);
  try {
    expectObjectKind(fd, kind, path);
  } catch (e) {
    closeFd(fd);
    throw e;
  }
  return fd;
}

/**
 * Remove a pin (the object goes away once nothing else references it). Only on bpffs: any
 * other path is a PinPathError, and so is a path where nothing is pinned.
 */
export function unpin(path: string): void {
  if (!isBpffs(existingAncestor(dirname(path)))) throw new PinPathError(`${path}: not on a bpffs mount, so not a pin`);
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') throw new PinPathError(`${path}: nothing is pinned there`);
    throw e;
  }
}

/** Whether `dir` is on a bpffs mount. */
export function isBpffs(dir: string): boolean {
  try {
    return Number(statfsSync(dir).type) === BPF_FS_MAGIC;
  } catch {
    return false;
  }
}

/**
 * Whether this process shares PID 1's mount namespace: false inside `ip netns exec` or
 * `unshare -m`, where a bpffs mounted now (and everything pinned in it) goes away with the
 * namespace. Undefined when /proc cannot tell.
 */
export function inInitialMountNamespace(): boolean | undefined {
  let self: string;
  try {
    self = readlinkSync('/proc/self/ns/mnt');
  } catch {
    return undefined;
  }
  // PID 1 is in the initial namespace, and so is kthreadd (PID 2, a kernel thread), whose
  // links stay readable where PID 1's are not (a root without CAP_SYS_PTRACE over it).
  for (const pid of [1, 2]) {
    try {
      return self === readlinkSync(`/proc/${pid}/ns/mnt`);
    } catch {
      // try the next
    }
  }
  return undefined;
}

/** Mount bpffs at `dir` when nothing is mounted there yet (what bpftool does before pinning). */
export function ensureBpffs(dir: string = DEFAULT_PIN_ROOT): void {
  if (isBpffs(dir)) return;
  mkdirSync(dir, { recursive: true });
  mount('bpf', dir, 'bpf');
}
