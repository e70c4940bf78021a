// BPF_MAP_TYPE_ARRAY and PERCPU_ARRAY: u32 index keys, every element exists and starts zeroed,
// updates copy in place, delete is -EINVAL.
import { Errno, roundUp8, UpdateFlag, VmMap, type MapSpec, type MapTypeName } from './map.js';
import { VmError } from '../errors.js';

export class ArrayMap extends VmMap {
  /** values[cpu][index] */
  private readonly values: Uint8Array[][];
  readonly percpu: boolean;

  constructor(type: MapTypeName, spec: MapSpec) {
    super(type, spec);
    if (this.keySize !== 4) throw new VmError(`map ${this.name}: array maps need keySize 4`);
    this.percpu = type === 'percpu_array';
    const n = this.percpu ? this.cpus : 1;
    if (this.maxEntries * this.valueSize * n > 256 * 1024 * 1024) throw new VmError(`map ${this.name}: too large for the VM`);
    this.values = [];
    // Per-CPU slots are 8-byte rounded: the kernel stores the padding userspace writes.
    const stride = this.percpu ? roundUp8(this.valueSize) : this.valueSize;
    for (let c = 0; c < n; c++) {
      const backing = new Uint8Array(this.maxEntries * stride);
      const row: Uint8Array[] = [];
      for (let i = 0; i < this.maxEntries; i++) row.push(backing.subarray(i * stride, i * stride + this.valueSize));
      this.values.push(row);
    }
  }

  private index(key: Uint8Array): number {
    return (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
  }

  lookup(key: Uint8Array, cpu: number): Uint8Array | undefined {
    const i = this.index(key);
    return i < this.maxEntries ? this.values[this.percpu ? cpu : 0]![i] : undefined;
  }

  /** The element at `index` (global data: ld_imm64 src=2 points into element 0). */
  element(index: number, cpu = 0): Uint8Array | undefined {
    return index < this.maxEntries ? this.values[this.percpu ? cpu : 0]![index >>> 0] : undefined;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number {
    if (flags > UpdateFlag.EXIST) return -Errno.EINVAL;
    const i = this.index(key);
    if (i >= this.maxEntries) return -Errno.E2BIG;
    if (flags === UpdateFlag.NOEXIST) return -Errno.EEXIST;
    this.values[this.percpu ? cpu : 0]![i]!.set(value.subarray(0, this.valueSize));
    return 0;
  }

  protected override userUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (!this.percpu) return super.userUpdate(key, value, flags);
    const stride = roundUp8(this.valueSize);
    const all = value.length === stride * this.cpus;
    if (!all && value.length !== this.valueSize) return -Errno.EINVAL;
    if (flags > UpdateFlag.EXIST) return -Errno.EINVAL;
    const i = this.index(key);
    if (i >= this.maxEntries) return -Errno.E2BIG;
    if (flags === UpdateFlag.NOEXIST) return -Errno.EEXIST;
    for (let c = 0; c < this.cpus; c++) {
      const v = this.values[c]![i]!;
      new Uint8Array(v.buffer, v.byteOffset, stride).set(all ? value.subarray(c * stride, (c + 1) * stride) : padded(value, stride));
    }
    return 0;
  }

  delete(_key: Uint8Array): number {
    return -Errno.EINVAL;
  }

  entries(): { key: Uint8Array; value: Uint8Array }[] {
    const out: { key: Uint8Array; value: Uint8Array }[] = [];
    for (let i = 0; i < this.maxEntries; i++) {
      const key = new Uint8Array(4);
      new DataView(key.buffer).setUint32(0, i, true);
      out.push({ key, value: this.userValue(i) });
    }
    return out;
  }

  override get(key: Uint8Array): Uint8Array | undefined {
    this.checkKey(key);
    const i = this.index(key);
    return i < this.maxEntries ? this.userValue(i) : undefined;
  }

  private userValue(i: number): Uint8Array {
    if (!this.percpu) return this.values[0]![i]!.slice();
    const stride = roundUp8(this.valueSize);
    const out = new Uint8Array(stride * this.cpus);
    for (let c = 0; c < this.cpus; c++) {
      const v = this.values[c]![i]!;
      out.set(new Uint8Array(v.buffer, v.byteOffset, stride), c * stride);
    }
    return out;
  }
}

function padded(value: Uint8Array, stride: number): Uint8Array {
  const out = new Uint8Array(stride);
  out.set(value.subarray(0, stride));
  return out;
}
