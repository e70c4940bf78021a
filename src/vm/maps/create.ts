// Make a VM map from a spec (the same fields as a BTF/ELF map definition).
import { VmError } from '../errors.js';
import { ArrayMap } from './array.js';
import { HashMap } from './hash.js';
import { LpmTrieMap } from './lpm.js';
import { MAP_TYPE_IDS, type MapSpec, type MapTypeName, type VmMap } from './map.js';
import { ProgArrayMap, RedirectMap } from './redirect.js';
import { RingbufMap } from './ringbuf.js';

export function mapTypeName(type: MapTypeName | number): MapTypeName {
  if (typeof type === 'string') {
    if (!(type in MAP_TYPE_IDS)) throw new VmError(`map type '${type}' is not supported by the VM`);
    return type;
  }
  const hit = (Object.entries(MAP_TYPE_IDS) as [MapTypeName, number][]).find(([, v]) => v === type);
  if (!hit) throw new VmError(`map type ${type} is not supported by the VM`);
  return hit[0];
}

/** Create a map. Throws VmError for an unsupported type or bad sizes. */
export function createMap(spec: MapSpec): VmMap {
  const type = mapTypeName(spec.type);
  switch (type) {
    case 'hash': case 'percpu_hash': case 'lru_hash': case 'lru_percpu_hash':
      return new HashMap(type, spec);
    case 'array': case 'percpu_array':
      return new ArrayMap(type, spec);
    case 'lpm_trie':
      return new LpmTrieMap(type, spec);
    case 'prog_array':
      return new ProgArrayMap<unknown>(type, spec);
    case 'devmap': case 'devmap_hash': case 'cpumap': case 'xskmap':
      return new RedirectMap(type, spec);
    case 'ringbuf':
      return new RingbufMap(type, spec);
  }
}
