// BPF_MAP_TYPE_RINGBUF: maxEntries is the data size in bytes (a power of two). Each record
// takes an 8-byte header plus its size rounded up to 8. The VM's consumer drains the buffer
// between runs; within a run, reservations that do not fit return NULL.
import { VmError } from '../errors.js';
import { Errno, roundUp8, VmMap, type MapSpec, type MapTypeName } from './map.js';

export const RINGBUF_HDR_SZ = 8;

export class RingbufMap extends VmMap {
  /** Bytes in use by records reserved or committed since the last drain. */
  used = 0;

  constructor(type: MapTypeName, spec: MapSpec) {
    super(type, spec);
    const n = this.maxEntries;
    if (n < 4096 || (n & (n - 1)) !== 0) throw new VmError(`map ${this.name}: ringbuf size must be a power of two >= 4096`);
    if (this.keySize !== 0 || this.valueSize !== 0) throw new VmError(`map ${this.name}: ringbuf keySize and valueSize must be 0`);
  }

  /** Reserve space for a record of `size` bytes: false when it does not fit. */
  reserve(size: number): boolean {
    const need = RINGBUF_HDR_SZ + roundUp8(size);
    if (size <= 0 || this.used + need > this.maxEntries) return false;
    this.used += need;
    return true;
  }

  /** Consumer side: empty the buffer. */
  drain(): void {
    this.used = 0;
  }

  lookup(): Uint8Array | undefined { return undefined; }
  update(): number { return -Errno.EINVAL; }
  delete(): number { return -Errno.EINVAL; }
  entries(): { key: Uint8Array; value: Uint8Array }[] { return []; }
}
