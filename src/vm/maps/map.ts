// The VM's maps: the semantics a program sees through the map helpers (lookup returns the
// live value buffer, update/delete return 0 or -errno) and a userspace view (get/set/entries)
// that mirrors what `bpf(BPF_MAP_*_ELEM)` gives from outside.
import { VmError } from '../errors.js';

export const Errno = {
  EPERM: 1, ENOENT: 2, E2BIG: 7, ENOMEM: 12, EBUSY: 16, EEXIST: 17, EINVAL: 22, ENOSPC: 28,
} as const;

/** bpf_map_update_elem flags. */
export const UpdateFlag = { ANY: 0, NOEXIST: 1, EXIST: 2 } as const;

/** uapi enum bpf_map_type values of the map types the VM implements. */
export const MAP_TYPE_IDS = {
  hash: 1, array: 2, prog_array: 3, percpu_hash: 5, percpu_array: 6, lru_hash: 9,
  lru_percpu_hash: 10, lpm_trie: 11, devmap: 14, cpumap: 16, xskmap: 17, devmap_hash: 25, ringbuf: 27,
} as const;
export type MapTypeName = keyof typeof MAP_TYPE_IDS;

export interface MapSpec {
  /** A map type name or its uapi number. */
  readonly type: MapTypeName | number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
  readonly name?: string;
  /** CPUs to emulate for per-CPU maps (default 1). */
  readonly cpus?: number;
}

/** A latin1 string of the key bytes: a JS Map key. */
export function keyString(key: Uint8Array): string {
  let s = '';
  for (let i = 0; i < key.length; i++) s += String.fromCharCode(key[i]!);
  return s;
}

/** Bytes back from keyString. */
export function keyBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export const roundUp8 = (n: number): number => (n + 7) & ~7;

export abstract class VmMap {
  readonly type: MapTypeName;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;
  readonly cpus: number;

  constructor(type: MapTypeName, spec: MapSpec) {
    this.type = type;
    this.keySize = spec.keySize;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.flags = spec.flags ?? 0;
    this.name = spec.name ?? type;
    this.cpus = spec.cpus ?? 1;
    for (const [k, v] of [['keySize', this.keySize], ['valueSize', this.valueSize], ['maxEntries', this.maxEntries], ['cpus', this.cpus]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new VmError(`map ${this.name}: ${k} ${v} is not a valid size`);
    }
    if (this.cpus < 1 || this.cpus > 1024) throw new VmError(`map ${this.name}: cpus must be 1..1024`);
  }

  /** Program side: the live value for `key` on `cpu`, or undefined (NULL). */
  abstract lookup(key: Uint8Array, cpu: number): Uint8Array | undefined;
  /** Program side: 0 or -errno. */
  abstract update(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number;
  /** Program side: 0 or -errno. */
  abstract delete(key: Uint8Array): number;
  /** Userspace view of every entry (per-CPU values concatenated, each rounded up to 8 bytes). */
  abstract entries(): { key: Uint8Array; value: Uint8Array }[];

  /** Userspace lookup (per-CPU maps: all CPUs' values, each rounded up to 8 bytes). */
  get(key: Uint8Array): Uint8Array | undefined {
    this.checkKey(key);
    const ks = keyString(key);
    for (const e of this.entries()) if (keyString(e.key) === ks) return e.value;
    return undefined;
  }

  /** Userspace update; throws VmError with the errno name on failure. */
  set(key: Uint8Array, value: Uint8Array, flags = 0): void {
    this.checkKey(key);
    const rc = this.userUpdate(key, value, flags);
    if (rc !== 0) throw new VmError(`map ${this.name}: update failed: ${errnoName(-rc)}`);
  }

  /** Userspace delete: false when the key was absent; other failures throw VmError (array maps: EINVAL). */
  remove(key: Uint8Array): boolean {
    this.checkKey(key);
    const rc = this.delete(key);
    if (rc === -Errno.ENOENT) return false;
    if (rc !== 0) throw new VmError(`map ${this.name}: delete failed: ${errnoName(-rc)}`);
    return true;
  }

  protected userUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (value.length !== this.valueSize) throw new VmError(`map ${this.name}: value is ${value.length} bytes, expected ${this.valueSize}`);
    return this.update(key, value, flags, 0);
  }

  protected checkKey(key: Uint8Array): void {
    if (key.length !== this.keySize) throw new VmError(`map ${this.name}: key is ${key.length} bytes, expected ${this.keySize}`);
  }
}

export function errnoName(errno: number): string {
  const hit = Object.entries(Errno).find(([, v]) => v === errno);
  return hit ? hit[0] : `errno ${errno}`;
}

/** Checks shared by hash-like maps for BPF_NOEXIST / BPF_EXIST. */
export function existFlagError(flags: number, exists: boolean): number {
  if (flags > UpdateFlag.EXIST) return -Errno.EINVAL;
  if (flags === UpdateFlag.NOEXIST && exists) return -Errno.EEXIST;
  if (flags === UpdateFlag.EXIST && !exists) return -Errno.ENOENT;
  return 0;
}
