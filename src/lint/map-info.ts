// What the lint needs to know about a map: from the object's map definitions, a caller, or a profile.

/** Map type numbers (uapi enum bpf_map_type) the lint knows by name. */
export const MapType = {
  HASH: 1, ARRAY: 2, PROG_ARRAY: 3, PERF_EVENT_ARRAY: 4, PERCPU_HASH: 5, PERCPU_ARRAY: 6,
  STACK_TRACE: 7, CGROUP_ARRAY: 8, LRU_HASH: 9, LRU_PERCPU_HASH: 10, LPM_TRIE: 11,
  ARRAY_OF_MAPS: 12, HASH_OF_MAPS: 13, DEVMAP: 14, SOCKMAP: 15, CPUMAP: 16, XSKMAP: 17,
  SOCKHASH: 18, QUEUE: 22, STACK: 23, DEVMAP_HASH: 25, RINGBUF: 27, BLOOM_FILTER: 30,
} as const;

export interface MapInfo {
  readonly name: string;
  /** uapi map type number */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** BPF_F_RDONLY_PROG and friends */
  readonly flags?: number;
  /** array/hash of maps: the inner map template */
  readonly inner?: MapInfo;
}

export const isHashLike = (t: number): boolean => t === MapType.HASH || t === MapType.PERCPU_HASH
  || t === MapType.LRU_HASH || t === MapType.LRU_PERCPU_HASH || t === MapType.LPM_TRIE;
export const isArrayLike = (t: number): boolean => t === MapType.ARRAY || t === MapType.PERCPU_ARRAY;
