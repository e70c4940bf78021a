// A BPF map: create, element operations with preallocated attr/key/value buffers (no
// allocation per call on the hot paths except the returned copy), iteration, batch
// operations, per-CPU values, freeze, pin.
import { ATTR_SIZE, bpf, BpfCmd, BpfError, bpfRaw, closeFd, commandName, GetIdAttr, MapBatchAttr, MapCreateAttr, MapElemAttr, NativeBuffer, sanitizeObjName, scratchAttr, UpdateFlags, writeObjName } from '../sys/index.js';
import { MapType } from '../elf/bpf-enums.js';
import { perCpuSlot, possibleCpus } from './cpus.js';
import { FdObject } from './fd-object.js';
import { expectObjectKind, mapInfo, type MapInfo } from './info.js';
import { mapTypeName, mapTypeOf } from './names.js';
import { openPinnedFdOf, pinFd } from './pin.js';

/** A key or value of the wrong size, caught before the syscall. */
export class MapSizeError extends Error {
  override readonly name = 'MapSizeError';
  readonly exitCode = 2;
}

export interface MapCreateOptions {
  /** "hash", "array", "percpu_array", "lpm_trie", … or the number. */
  readonly type: string | number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** map_flags: MapFlag bits (src/elf/bpf-enums.ts). */
  readonly flags?: number;
  readonly name?: string;
  /** Template inner map for array_of_maps / hash_of_maps. */
  readonly innerMapFd?: number;
  readonly numaNode?: number;
  readonly ifindex?: number;
  readonly btfFd?: number;
  readonly btfKeyTypeId?: number;
  readonly btfValueTypeId?: number;
  readonly btfVmlinuxValueTypeId?: number;
  /** map_extra (bloom filter: number of hash functions). */
  readonly mapExtra?: bigint;
}

export type UpdateMode = 'any' | 'noexist' | 'exist';

const UPDATE_FLAG: Record<UpdateMode, number> = { any: UpdateFlags.ANY, noexist: UpdateFlags.NOEXIST, exist: UpdateFlags.EXIST };

const PER_CPU = new Set<number>([MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH, MapType.PERCPU_CGROUP_STORAGE]);
const NO_KEY = new Set<number>([MapType.QUEUE, MapType.STACK, MapType.BLOOM_FILTER]);
const ENOENT = 2;
const ENOSPC = 28;

export interface MapBatchResult {
  readonly keys: Uint8Array[];
  readonly values: Uint8Array[];
}

export class BpfMap extends FdObject {
  readonly type: number;
  readonly keySize: number;
  /** Size of one value as the map was created. */
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;
  /** Per-CPU map: values hold one 8-byte-aligned slot per possible CPU. */
  readonly perCpu: boolean;
  /** Bytes a lookup returns (valueSize, or possibleCpus × round8(valueSize) when per-CPU). */
  readonly valueBytes: number;
  readonly #elem: NativeBuffer;
  readonly #next: NativeBuffer;
  readonly #del: NativeBuffer;
  readonly #key: NativeBuffer;
  readonly #nextKey: NativeBuffer;
  readonly #value: NativeBuffer;

  protected constructor(fd: number, info: { type: number; keySize: number; valueSize: number; maxEntries: number; flags: number; name: string }) {
    super(fd);
    this.type = info.type;
    this.keySize = info.keySize;
    this.valueSize = info.valueSize;
    this.maxEntries = info.maxEntries;
    this.flags = info.flags;
    this.name = info.name;
    this.perCpu = PER_CPU.has(info.type);
    this.valueBytes = this.perCpu ? possibleCpus() * perCpuSlot(info.valueSize) : info.valueSize;
    this.#key = new NativeBuffer(Math.max(this.keySize, 8));
    this.#nextKey = new NativeBuffer(Math.max(this.keySize, 8));
    this.#value = new NativeBuffer(Math.max(this.valueBytes, 8));
    // Two prefilled attrs: element ops (key, value) and get-next-key (key, next_key).
    this.#elem = new NativeBuffer(ATTR_SIZE);
    this.#elem.view.setUint32(MapElemAttr.off.map_fd, fd, true);
    this.#elem.view.setBigUint64(MapElemAttr.off.key, this.keySize > 0 ? this.#key.address : 0n, true);
    this.#elem.view.setBigUint64(MapElemAttr.off.value, this.#value.address, true);
    // BPF_MAP_DELETE_ELEM's last field is `key`: value and flags must stay zero.
    this.#del = new NativeBuffer(ATTR_SIZE);
    this.#del.view.setUint32(MapElemAttr.off.map_fd, fd, true);
    this.#del.view.setBigUint64(MapElemAttr.off.key, this.keySize > 0 ? this.#key.address : 0n, true);
    this.#next = new NativeBuffer(ATTR_SIZE);
    this.#next.view.setUint32(MapElemAttr.off.map_fd, fd, true);
    this.#next.view.setBigUint64(MapElemAttr.off.next_key, this.#nextKey.address, true);
  }

  get typeName(): string {
    return mapTypeName(this.type);
  }

  static create(opts: MapCreateOptions): BpfMap {
    const type = mapTypeOf(opts.type);
    const name = sanitizeObjName(opts.name ?? '');
    for (const [k, n] of [['keySize', opts.keySize], ['valueSize', opts.valueSize], ['maxEntries', opts.maxEntries], ['flags', opts.flags ?? 0]] as const) {
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new MapSizeError(`map ${name || '(unnamed)'}: ${k} ${n} is not a 32-bit unsigned integer`);
    }
    const attr = scratchAttr();
    const v = attr.view;
    const o = MapCreateAttr.off;
    v.setUint32(o.map_type, type, true);
    v.setUint32(o.key_size, opts.keySize, true);
    v.setUint32(o.value_size, opts.valueSize, true);
    v.setUint32(o.max_entries, opts.maxEntries, true);
    v.setUint32(o.map_flags, opts.flags ?? 0, true);
    v.setUint32(o.inner_map_fd, opts.innerMapFd ?? 0, true);
    v.setUint32(o.numa_node, opts.numaNode ?? 0, true);
    writeObjName(v, o.map_name, name);
    v.setUint32(o.map_ifindex, opts.ifindex ?? 0, true);
    v.setUint32(o.btf_fd, opts.btfFd ?? 0, true);
    v.setUint32(o.btf_key_type_id, opts.btfKeyTypeId ?? 0, true);
    v.setUint32(o.btf_value_type_id, opts.btfValueTypeId ?? 0, true);
    v.setUint32(o.btf_vmlinux_value_type_id, opts.btfVmlinuxValueTypeId ?? 0, true);
    v.setBigUint64(o.map_extra, opts.mapExtra ?? 0n, true);
    const fd = bpf(BpfCmd.MAP_CREATE, attr, `${mapTypeName(type)} map${name ? ` ${name}` : ''}`);
    return new BpfMap(fd, { type, keySize: opts.keySize, valueSize: opts.valueSize, maxEntries: opts.maxEntries, flags: opts.flags ?? 0, name });
  }

  /**
   * Wrap an fd (the map owns it once this returns; on a throw the caller still does); sizes
   * come from the kernel. ObjectKindError when the fd is not a map.
   */
  static fromFd(fd: number): BpfMap {
    expectObjectKind(fd, 'map');
    return BpfMap.#wrap(fd);
  }

  /** Open a map pinned on bpffs; ObjectKindError ("PATH is a program, not a map") when the pin is not a map. */
  static fromPinned(path: string): BpfMap {
    const fd = openPinnedFdOf(path, 'map');
    try {
      return BpfMap.#wrap(fd);
    } catch (e) {
      closeFd(fd);
      throw e;
    }
  }

  static fromId(id: number): BpfMap {
    const attr = scratchAttr();
    attr.view.setUint32(GetIdAttr.off.start_id, id, true);
    const fd = bpf(BpfCmd.MAP_GET_FD_BY_ID, attr, `map id ${id}`);
    try {
      return BpfMap.#wrap(fd);
    } catch (e) {
      closeFd(fd);
      throw e;
    }
  }

  /** An fd known to be a map (checked, or from MAP_GET_FD_BY_ID). */
  static #wrap(fd: number): BpfMap {
    const i = mapInfo(fd);
    return new BpfMap(fd, { type: i.type, keySize: i.keySize, valueSize: i.valueSize, maxEntries: i.maxEntries, flags: i.flags, name: i.name });
  }

  pin(path: string): void {
    pinFd(this.fd, path);
  }

  info(): MapInfo {
    return mapInfo(this.fd);
  }

  /**
   * The element operations run on buffers prepared at creation (with the fd in them) and freed
   * by close(): after close they must not run at all (ClosedError), or they would write freed
   * memory and reach whatever object now has that fd number.
   */
  #open(): void {
    if (this.closed) void this.fd; // the getter throws ClosedError
  }

  #checkKey(key: Uint8Array | undefined, op: string): void {
    this.#open();
    if (this.keySize === 0) {
      if (key !== undefined && key.length !== 0) throw new MapSizeError(`${this.#label()}: ${op}: this map has no keys, got a ${key.length}-byte key`);
      return;
    }
    if (key === undefined || key.length !== this.keySize) throw new MapSizeError(`${this.#label()}: ${op}: key is ${key?.length ?? 0} bytes, the map's key size is ${this.keySize}`);
    this.#key.bytes.set(key);
  }

  #checkValue(value: Uint8Array, op: string): void {
    if (value.length !== this.valueBytes) {
      const per = this.perCpu ? ` (${possibleCpus()} CPUs × ${perCpuSlot(this.valueSize)} bytes)` : '';
      throw new MapSizeError(`${this.#label()}: ${op}: value is ${value.length} bytes, the map's value size is ${this.valueBytes}${per}`);
    }
    this.#value.bytes.set(value);
  }

  #label(): string {
    return `${this.typeName} map${this.name ? ` ${this.name}` : ''}`;
  }

  #fail(cmd: number, err: number): never {
    throw new BpfError(commandName(cmd), err, this.#label());
  }

  /** The value for `key`, or undefined when absent. Queue/stack: peek (no key). */
  lookup(key?: Uint8Array): Uint8Array | undefined {
    this.#checkKey(key, 'lookup');
    return this.#lookupLoaded(BpfCmd.MAP_LOOKUP_ELEM);
  }

  /** Lookup into `out` (valueBytes long); returns false when absent. Allocation-free. */
  lookupInto(key: Uint8Array | undefined, out: Uint8Array): boolean {
    this.#checkKey(key, 'lookup');
    const v = this.#elem.view;
    v.setUint32(MapElemAttr.off.flags, 0, true);
    const r = bpfRaw(BpfCmd.MAP_LOOKUP_ELEM, this.#elem.addr);
    if (r < 0) {
      if (-r === ENOENT) return false;
      this.#fail(BpfCmd.MAP_LOOKUP_ELEM, -r);
    }
    out.set(this.#value.bytes.subarray(0, Math.min(out.length, this.valueBytes)));
    return true;
  }

  #lookupLoaded(cmd: number): Uint8Array | undefined {
    this.#elem.view.setUint32(MapElemAttr.off.flags, 0, true);
    const r = bpfRaw(cmd, this.#elem.addr);
    if (r < 0) {
      if (-r === ENOENT) return undefined;
      this.#fail(cmd, -r);
    }
    return this.#value.bytes.slice(0, this.valueBytes);
  }

  /** Per-CPU lookup split into one value per possible CPU. */
  lookupPerCpu(key: Uint8Array): Uint8Array[] | undefined {
    const all = this.lookup(key);
    if (!all) return undefined;
    const slot = perCpuSlot(this.valueSize);
    const out: Uint8Array[] = [];
    for (let i = 0; i < possibleCpus(); i++) out.push(all.slice(i * slot, i * slot + this.valueSize));
    return out;
  }

  /** Insert or replace. Queue/stack: push (no key). */
  update(key: Uint8Array | undefined, value: Uint8Array, mode: UpdateMode | number = 'any'): void {
    this.#checkKey(key, 'update');
    this.#checkValue(value, 'update');
    const flags = typeof mode === 'number' ? mode : UPDATE_FLAG[mode];
    // flags is a u64; writing the low word keeps the hot path free of BigInt allocation.
    this.#elem.view.setUint32(MapElemAttr.off.flags, flags >>> 0, true);
    const r = bpfRaw(BpfCmd.MAP_UPDATE_ELEM, this.#elem.addr);
    if (r < 0) this.#fail(BpfCmd.MAP_UPDATE_ELEM, -r);
  }

  /** Update a per-CPU map from one value per possible CPU. */
  updatePerCpu(key: Uint8Array, values: readonly Uint8Array[], mode: UpdateMode | number = 'any'): void {
    const cpus = possibleCpus();
    if (values.length !== cpus) throw new MapSizeError(`${this.#label()}: update: ${values.length} per-CPU values given, ${cpus} CPUs are possible`);
    const slot = perCpuSlot(this.valueSize);
    const all = new Uint8Array(cpus * slot);
    values.forEach((v, i) => {
      if (v.length !== this.valueSize) throw new MapSizeError(`${this.#label()}: update: CPU ${i} value is ${v.length} bytes, the map's value size is ${this.valueSize}`);
      all.set(v, i * slot);
    });
    this.update(key, all, mode);
  }

  /** Delete `key`; returns false when it was not there. */
  delete(key: Uint8Array): boolean {
    this.#checkKey(key, 'delete');
    const r = bpfRaw(BpfCmd.MAP_DELETE_ELEM, this.#del.addr);
    if (r < 0) {
      if (-r === ENOENT) return false;
      this.#fail(BpfCmd.MAP_DELETE_ELEM, -r);
    }
    return true;
  }

  /** Look up and delete in one step (queue/stack: pop). */
  lookupAndDelete(key?: Uint8Array): Uint8Array | undefined {
    this.#checkKey(key, 'lookup-and-delete');
    return this.#lookupLoaded(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM);
  }

  /** The key after `key` (the first key when undefined), or undefined at the end. */
  nextKey(key?: Uint8Array): Uint8Array | undefined {
    this.#open();
    if (NO_KEY.has(this.type)) return undefined;
    const v = this.#next.view;
    if (key === undefined) {
      v.setBigUint64(MapElemAttr.off.key, 0n, true);
    } else {
      this.#checkKey(key, 'next-key');
      v.setBigUint64(MapElemAttr.off.key, this.#key.address, true);
    }
    const r = bpfRaw(BpfCmd.MAP_GET_NEXT_KEY, this.#next.addr);
    if (r < 0) {
      if (-r === ENOENT) return undefined;
      this.#fail(BpfCmd.MAP_GET_NEXT_KEY, -r);
    }
    return this.#nextKey.bytes.slice(0, this.keySize);
  }

  /** Every key, following get-next-key (at most maxEntries + 1 steps, so it always ends). */
  *keys(): Generator<Uint8Array> {
    let key = this.nextKey();
    for (let n = 0; key !== undefined && n <= this.maxEntries; n++) {
      yield key;
      key = this.nextKey(key);
    }
  }

  /** Every [key, value]; keys deleted while iterating are skipped. */
  *entries(): Generator<[Uint8Array, Uint8Array]> {
    for (const k of this.keys()) {
      const v = this.lookup(k);
      if (v !== undefined) yield [k, v];
    }
  }

  /** BPF_MAP_FREEZE: from now on user space cannot change the map (programs still read it). */
  freeze(): void {
    const attr = scratchAttr();
    attr.view.setUint32(MapElemAttr.off.map_fd, this.fd, true);
    bpf(BpfCmd.MAP_FREEZE, attr, this.#label());
  }

  /** BPF_MAP_UPDATE_BATCH: returns the number of elements written. */
  updateBatch(keys: readonly Uint8Array[], values: readonly Uint8Array[], mode: UpdateMode | number = 'any'): number {
    this.#open();
    if (keys.length !== values.length) throw new MapSizeError(`${this.#label()}: update batch: ${keys.length} keys but ${values.length} values`);
    if (keys.length === 0) return 0;
    const kb = new NativeBuffer(keys.length * this.keySize);
    const vb = new NativeBuffer(values.length * this.valueBytes);
    try {
      keys.forEach((k, i) => {
        if (k.length !== this.keySize) throw new MapSizeError(`${this.#label()}: update batch: key ${i} is ${k.length} bytes, the map's key size is ${this.keySize}`);
        kb.bytes.set(k, i * this.keySize);
      });
      values.forEach((v, i) => {
        if (v.length !== this.valueBytes) throw new MapSizeError(`${this.#label()}: update batch: value ${i} is ${v.length} bytes, the map's value size is ${this.valueBytes}`);
        vb.bytes.set(v, i * this.valueBytes);
      });
      return this.updateBatchRaw(kb.address, vb.address, keys.length, typeof mode === 'number' ? mode : UPDATE_FLAG[mode]);
    } finally {
      kb.free();
      vb.free();
    }
  }

  /** Batch update from native key/value arrays already laid out (for callers that reuse buffers). */
  updateBatchRaw(keys: bigint, values: bigint, count: number, elemFlags = 0): number {
    this.#open();
    const attr = scratchAttr();
    const v = attr.view;
    const o = MapBatchAttr.off;
    v.setUint32(o.map_fd, this.fd, true);
    v.setBigUint64(o.keys, keys, true);
    v.setBigUint64(o.values, values, true);
    v.setUint32(o.count, count, true);
    v.setBigUint64(o.elem_flags, BigInt(elemFlags), true);
    const r = bpfRaw(BpfCmd.MAP_UPDATE_BATCH, attr.addr);
    if (r < 0) this.#fail(BpfCmd.MAP_UPDATE_BATCH, -r);
    return v.getUint32(o.count, true);
  }

  /** BPF_MAP_DELETE_BATCH: returns the number deleted. */
  deleteBatch(keys: readonly Uint8Array[]): number {
    this.#open();
    if (keys.length === 0) return 0;
    const kb = new NativeBuffer(keys.length * this.keySize);
    try {
      keys.forEach((k, i) => {
        if (k.length !== this.keySize) throw new MapSizeError(`${this.#label()}: delete batch: key ${i} is ${k.length} bytes, the map's key size is ${this.keySize}`);
        kb.bytes.set(k, i * this.keySize);
      });
      const attr = scratchAttr();
      const v = attr.view;
      const o = MapBatchAttr.off;
      v.setUint32(o.map_fd, this.fd, true);
      v.setBigUint64(o.keys, kb.address, true);
      v.setUint32(o.count, keys.length, true);
      const r = bpfRaw(BpfCmd.MAP_DELETE_BATCH, attr.addr);
      if (r < 0 && -r !== ENOENT) this.#fail(BpfCmd.MAP_DELETE_BATCH, -r);
      return v.getUint32(o.count, true);
    } finally {
      kb.free();
    }
  }

  /**
   * BPF_MAP_LOOKUP_BATCH (or LOOKUP_AND_DELETE_BATCH): every element, `chunk` at a time.
   * Ends when the kernel says ENOENT; bounded by maxEntries.
   */
  lookupBatch(opts: { chunk?: number; andDelete?: boolean } = {}): MapBatchResult {
    this.#open();
    if (opts.chunk !== undefined && !(Number.isInteger(opts.chunk) && opts.chunk >= 1)) {
      throw new MapSizeError(`${this.#label()}: lookup batch: chunk ${opts.chunk} is not a positive integer`);
    }
    let chunk = Math.min(opts.chunk ?? 256, Math.max(this.maxEntries, 1));
    const cmd = opts.andDelete ? BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH : BpfCmd.MAP_LOOKUP_BATCH;
    const tokenSize = Math.max(this.keySize, 8);
    const inTok = new NativeBuffer(tokenSize);
    const outTok = new NativeBuffer(tokenSize);
    let kb = new NativeBuffer(chunk * this.keySize);
    let vb = new NativeBuffer(chunk * this.valueBytes);
    const attr = new NativeBuffer(ATTR_SIZE);
    const keys: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    try {
      const v = attr.view;
      const o = MapBatchAttr.off;
      let first = true;
      for (let guard = 0; guard <= this.maxEntries + 1; guard++) {
        attr.bytes.fill(0);
        v.setUint32(o.map_fd, this.fd, true);
        v.setBigUint64(o.in_batch, first ? 0n : inTok.address, true);
        v.setBigUint64(o.out_batch, outTok.address, true);
        v.setBigUint64(o.keys, kb.address, true);
        v.setBigUint64(o.values, vb.address, true);
        v.setUint32(o.count, chunk, true);
        const r = bpfRaw(cmd, attr.addr);
        const n = v.getUint32(o.count, true);
        for (let i = 0; i < n; i++) {
          keys.push(kb.bytes.slice(i * this.keySize, (i + 1) * this.keySize));
          values.push(vb.bytes.slice(i * this.valueBytes, (i + 1) * this.valueBytes));
        }
        if (r < 0) {
          if (-r === ENOENT) break;
          // A hash bucket holds more elements than `chunk`: the kernel returns none of them
          // (ENOSPC). Ask again from the same place with room for twice as many.
          if (-r === ENOSPC && n === 0 && chunk < this.maxEntries) {
            chunk = Math.min(chunk * 2, this.maxEntries);
            kb.free(); vb.free();
            kb = new NativeBuffer(chunk * this.keySize);
            vb = new NativeBuffer(chunk * this.valueBytes);
            continue;
          }
          this.#fail(cmd, -r);
        }
        inTok.bytes.set(outTok.bytes);
        first = false;
      }
      return { keys, values };
    } finally {
      for (const b of [inTok, outTok, kb, vb, attr]) b.free();
    }
  }

  protected override onClose(): void {
    for (const b of [this.#elem, this.#next, this.#del, this.#key, this.#nextKey, this.#value]) b.free();
  }
}

export { BpfMap as Map };
