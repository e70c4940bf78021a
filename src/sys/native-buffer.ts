// Native memory with a fixed address, seen from JS as a Uint8Array and a DataView. bpf_attr
// fields hold addresses (keys, values, instructions, log buffers), so everything the kernel
// reads or writes through a pointer lives in one of these.
import { nativeAlloc, nativeFree } from './libc.js';

const registry = new FinalizationRegistry<bigint>((address) => nativeFree(address));

export class NativeBuffer {
  /** Address of the first byte. */
  readonly address: bigint;
  /** The same address as a Number: exact (user-space addresses are below 2^47) and cheaper to pass. */
  readonly addr: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly size: number;
  #freed = false;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 0 || size > 2 ** 31) throw new RangeError(`bad native buffer size ${size}`);
    const { address, buffer } = nativeAlloc(size);
    this.address = address;
    this.addr = Number(address);
    this.size = size;
    this.bytes = new Uint8Array(buffer, 0, size);
    this.view = new DataView(buffer, 0, size);
    registry.register(this, address, this);
  }

  /** A buffer holding a copy of `data`. */
  static from(data: Uint8Array): NativeBuffer {
    const b = new NativeBuffer(data.length);
    b.bytes.set(data);
    return b;
  }

  /** Address of byte `offset`. */
  at(offset: number): bigint {
    return this.address + BigInt(offset);
  }

  /** Zero the whole buffer (or the first `n` bytes). */
  clear(n: number = this.size): void {
    this.bytes.fill(0, 0, n);
  }

  /** Release the memory now; later use of bytes/view is a bug. Idempotent. */
  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    registry.unregister(this);
    nativeFree(this.address);
  }

  [Symbol.dispose](): void {
    this.free();
  }
}
