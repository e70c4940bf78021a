// Maps whose values the program cannot write: PROG_ARRAY (tail-call targets) and the XDP
// redirect maps DEVMAP, DEVMAP_HASH, CPUMAP, XSKMAP. Userspace fills them; a program
// reads them through bpf_tail_call and bpf_redirect_map, which record the target.
import { VmError } from '../errors.js';
import { Errno, existFlagError, keyBytes, keyString, VmMap, type MapSpec, type MapTypeName } from './map.js';

/** Key-indexed slots holding opaque userspace values (u32 index keys unless devmap_hash). */
export class SlotMap<T> extends VmMap {
  protected readonly slots = new Map<string, { value: Uint8Array; target: T }>();

  constructor(type: MapTypeName, spec: MapSpec) {
    super(type, spec);
    if (this.keySize !== 4) throw new VmError(`map ${this.name}: ${type} needs keySize 4`);
  }

  protected indexed(): boolean {
    return this.type !== 'devmap_hash';
  }

  protected indexOf(key: Uint8Array): number {
    return (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
  }

  /** The target stored at `key`, if any. */
  target(key: Uint8Array): T | undefined {
    return this.slots.get(keyString(key))?.target;
  }

  /** Userspace: store a value (and the target object it stands for). */
  put(key: Uint8Array, value: Uint8Array, target: T, flags = 0): number {
    if (this.indexed() && this.indexOf(key) >= this.maxEntries) return -Errno.E2BIG;
    const ks = keyString(key);
    const bad = existFlagError(flags, this.slots.has(ks));
    if (bad !== 0) return bad;
    if (!this.slots.has(ks) && this.slots.size >= this.maxEntries) return -Errno.E2BIG;
    this.slots.set(ks, { value: value.slice(), target });
    return 0;
  }

  lookup(key: Uint8Array, _cpu: number): Uint8Array | undefined {
    return this.slots.get(keyString(key))?.value;
  }

  /** Programs cannot update these maps (the verifier refuses); the VM answers -EINVAL. */
  update(_key: Uint8Array, _value: Uint8Array, _flags: number, _cpu: number): number {
    return -Errno.EINVAL;
  }

  delete(key: Uint8Array): number {
    return this.slots.delete(keyString(key)) ? 0 : -Errno.ENOENT;
  }

  entries(): { key: Uint8Array; value: Uint8Array }[] {
    return [...this.slots].map(([k, v]) => ({ key: keyBytes(k), value: v.value.slice() }));
  }
}

/** A redirect target: the interface index, CPU or queue the map value names. */
export interface RedirectTarget {
  readonly map: string;
  readonly key: number;
  /** The u32 at the start of the value (ifindex for devmap, qsize for cpumap, queue id for xskmap). */
  readonly value: number;
}

/** DEVMAP, DEVMAP_HASH, CPUMAP, XSKMAP: the value's first u32 names the target. */
export class RedirectMap extends SlotMap<number> {
  protected override userUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (value.length < 4) return -Errno.EINVAL;
    return this.put(key, value, new DataView(value.buffer, value.byteOffset).getUint32(0, true), flags);
  }
}

/** PROG_ARRAY: slots hold programs (set them with setProgram). */
export class ProgArrayMap<P> extends SlotMap<P> {
  setProgram(index: number, program: P): void {
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, index, true);
    const rc = this.put(key, key, program);
    if (rc !== 0) throw new VmError(`map ${this.name}: cannot set index ${index}`);
  }

  program(index: number): P | undefined {
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, index >>> 0, true);
    return this.target(key);
  }

  /** Programs cannot look into a prog_array. */
  override lookup(_key: Uint8Array, _cpu: number): Uint8Array | undefined {
    return undefined;
  }

  protected override userUpdate(_key: Uint8Array, _value: Uint8Array, _flags: number): number {
    throw new VmError(`map ${this.name}: use setProgram(index, program) for a prog_array`);
  }
}
