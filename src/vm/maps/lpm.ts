// BPF_MAP_TYPE_LPM_TRIE: keys are struct bpf_lpm_trie_key { u32 prefixlen (host order);
// u8 data[] (network order) }. Lookup finds the entry with the longest prefix that matches
// the first key.prefixlen bits of the key's data. Entries are stored by their masked prefix.
import { VmError } from '../errors.js';
import { Errno, existFlagError, keyBytes, keyString, VmMap, type MapSpec, type MapTypeName } from './map.js';

interface Entry {
  readonly prefixlen: number;
  readonly data: Uint8Array;
  value: Uint8Array;
}

export class LpmTrieMap extends VmMap {
  private readonly items = new Map<string, Entry>();
  private readonly dataBytes: number;

  constructor(type: MapTypeName, spec: MapSpec) {
    super(type, spec);
    this.dataBytes = this.keySize - 4;
    if (this.dataBytes < 1 || this.dataBytes > 256) throw new VmError(`map ${this.name}: lpm_trie keySize must be 5..260`);
  }

  private split(key: Uint8Array): { prefixlen: number; data: Uint8Array } {
    const prefixlen = (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
    return { prefixlen, data: key.subarray(4, this.keySize) };
  }

  private masked(data: Uint8Array, prefixlen: number): Uint8Array {
    const out = new Uint8Array(this.dataBytes);
    for (let i = 0; i < this.dataBytes; i++) {
      const bits = prefixlen - i * 8;
      if (bits >= 8) out[i] = data[i]!;
      else if (bits > 0) out[i] = data[i]! & (0xff << (8 - bits));
    }
    return out;
  }

  private id(prefixlen: number, data: Uint8Array): string {
    return `${prefixlen}/${keyString(this.masked(data, prefixlen))}`;
  }

  private matches(e: Entry, data: Uint8Array): boolean {
    const full = e.prefixlen >> 3;
    for (let i = 0; i < full; i++) if (e.data[i] !== data[i]) return false;
    const rest = e.prefixlen & 7;
    if (rest === 0) return true;
    const mask = 0xff << (8 - rest) & 0xff;
    return (e.data[full]! & mask) === (data[full]! & mask);
  }

  lookup(key: Uint8Array, _cpu: number): Uint8Array | undefined {
    const { prefixlen, data } = this.split(key);
    if (prefixlen > this.dataBytes * 8) return undefined;
    const limit = prefixlen;
    let best: Entry | undefined;
    for (const e of this.items.values()) {
      if (e.prefixlen <= limit && (best === undefined || e.prefixlen > best.prefixlen) && this.matches(e, data)) best = e;
    }
    return best?.value;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number, _cpu: number): number {
    const { prefixlen, data } = this.split(key);
    if (prefixlen > this.dataBytes * 8) return -Errno.EINVAL;
    const id = this.id(prefixlen, data);
    const old = this.items.get(id);
    const bad = existFlagError(flags, old !== undefined);
    if (bad !== 0) return bad;
    if (old === undefined && this.items.size >= this.maxEntries) return -Errno.ENOSPC;
    this.items.set(id, { prefixlen, data: this.masked(data, prefixlen), value: value.slice(0, this.valueSize) });
    return 0;
  }

  delete(key: Uint8Array): number {
    const { prefixlen, data } = this.split(key);
    if (prefixlen > this.dataBytes * 8) return -Errno.EINVAL;
    return this.items.delete(this.id(prefixlen, data)) ? 0 : -Errno.ENOENT;
  }

  entries(): { key: Uint8Array; value: Uint8Array }[] {
    return [...this.items.values()].map((e) => {
      const key = new Uint8Array(this.keySize);
      new DataView(key.buffer).setUint32(0, e.prefixlen, true);
      key.set(e.data, 4);
      return { key, value: e.value.slice() };
    });
  }

  /** Userspace lookup is a longest-prefix match too (trie_lookup_elem serves both). */
  override get(key: Uint8Array): Uint8Array | undefined {
    this.checkKey(key);
    return this.lookup(key, 0)?.slice();
  }
}

export { keyBytes };
