// BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH. A JS Map keeps insertion
// order, which doubles as the LRU order (a lookup moves the entry to the end; eviction takes
// the first). The kernel's LRU is approximate (per-CPU lists, batch eviction): the VM evicts
// exactly the least recently used entry.
import { Errno, existFlagError, keyBytes, keyString, roundUp8, VmMap, type MapSpec, type MapTypeName } from './map.js';

interface Entry {
  /** One value per CPU (a single one for non-per-CPU maps). */
  values: Uint8Array[];
}

export class HashMap extends VmMap {
  private readonly items = new Map<string, Entry>();
  readonly percpu: boolean;
  readonly lru: boolean;

  constructor(type: MapTypeName, spec: MapSpec) {
    super(type, spec);
    this.percpu = type === 'percpu_hash' || type === 'lru_percpu_hash';
    this.lru = type === 'lru_hash' || type === 'lru_percpu_hash';
  }

  get size(): number {
    return this.items.size;
  }

  lookup(key: Uint8Array, cpu: number): Uint8Array | undefined {
    const ks = keyString(key);
    const e = this.items.get(ks);
    if (e === undefined) return undefined;
    if (this.lru) {
      this.items.delete(ks);
      this.items.set(ks, e);
    }
    return e.values[this.percpu ? cpu : 0];
  }

  /**
   * A value buffer: per-CPU values live in 8-byte-rounded slots (the kernel copies the
   * padding from userspace too), the program sees the first valueSize bytes.
   */
  private fresh(from?: Uint8Array): Uint8Array {
    const full = new Uint8Array(this.percpu ? roundUp8(this.valueSize) : this.valueSize);
    if (from !== undefined) full.set(from.subarray(0, full.length));
    return full.subarray(0, this.valueSize);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number {
    return this.put(key, (i) => (i === (this.percpu ? cpu : 0) ? this.fresh(value.subarray(0, this.valueSize)) : this.fresh()), flags, this.percpu ? cpu : -1);
  }

  protected override userUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (!this.percpu) return super.userUpdate(key, value, flags);
    const stride = roundUp8(this.valueSize);
    const all = value.length === stride * this.cpus;
    if (!all && value.length !== this.valueSize) return -Errno.EINVAL;
    return this.put(key, (i) => this.fresh(all ? value.subarray(i * stride, (i + 1) * stride) : value.subarray(0, this.valueSize)), flags, -1);
  }

  /** Insert or replace. A per-CPU update from a program replaces only that CPU's value of an existing entry. */
  private put(key: Uint8Array, make: (cpu: number) => Uint8Array, flags: number, onlyCpu: number): number {
    const ks = keyString(key);
    const old = this.items.get(ks);
    const bad = existFlagError(flags, old !== undefined);
    if (bad !== 0) return bad;
    const n = this.percpu ? this.cpus : 1;
    if (old === undefined && this.items.size >= this.maxEntries) {
      if (!this.lru) return -Errno.E2BIG;
      const victim = this.items.keys().next();
      if (!victim.done) this.items.delete(victim.value);
    }
    // A new element, as the kernel allocates one: pointers to the old value keep the old bytes.
    const values: Uint8Array[] = [];
    for (let i = 0; i < n; i++) values.push(old !== undefined && onlyCpu >= 0 && i !== onlyCpu ? old.values[i]! : make(i));
    if (old !== undefined) this.items.delete(ks);
    this.items.set(ks, { values });
    return 0;
  }

  delete(key: Uint8Array): number {
    return this.items.delete(keyString(key)) ? 0 : -Errno.ENOENT;
  }

  entries(): { key: Uint8Array; value: Uint8Array }[] {
    const out: { key: Uint8Array; value: Uint8Array }[] = [];
    for (const [ks, e] of this.items) out.push({ key: keyBytes(ks), value: this.userValue(e.values) });
    return out;
  }

  override get(key: Uint8Array): Uint8Array | undefined {
    this.checkKey(key);
    const e = this.items.get(keyString(key));
    return e === undefined ? undefined : this.userValue(e.values);
  }

  private userValue(values: Uint8Array[]): Uint8Array {
    if (!this.percpu) return values[0]!.slice();
    const stride = roundUp8(this.valueSize);
    const out = new Uint8Array(stride * values.length);
    values.forEach((v, i) => out.set(new Uint8Array(v.buffer, v.byteOffset, stride), i * stride));
    return out;
  }
}
