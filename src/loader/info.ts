// Introspection: BPF_OBJ_GET_INFO_BY_FD for programs, maps, links and BTF, and walking the
// kernel's id spaces (GET_NEXT_ID / GET_FD_BY_ID).
import { decode } from '../asm/encoding.js';
import type { Instruction } from '../asm/instruction.js';
import {
  bpf,
  BpfCmd,
  bpfRaw,
  BtfInfo,
  closeFd,
  GetIdAttr,
  InfoAttr,
  LinkType,
  type Layout,
  LinkInfo,
  MapInfo,
  NativeBuffer,
  ProgInfo as ProgInfoLayout,
  readCString,
  scratchAttr,
} from '../sys/index.js';
import { bpfFdKind } from '../sys/fdinfo.js';
import { attachTypeName, mapTypeName, progTypeName } from './names.js';

/** Raw info struct of `fd`, with extra pointer fields set by `prepare`. */
function objInfo<F extends string>(fd: number, layout: Layout<F>, prepare?: (info: NativeBuffer) => void): NativeBuffer {
  const info = new NativeBuffer(layout.size);
  prepare?.(info);
  const attr = scratchAttr();
  attr.view.setUint32(InfoAttr.off.bpf_fd, fd, true);
  attr.view.setUint32(InfoAttr.off.info_len, layout.size, true);
  attr.view.setBigUint64(InfoAttr.off.info, info.address, true);
  try {
    bpf(BpfCmd.OBJ_GET_INFO_BY_FD, attr, `fd ${fd}`);
  } catch (e) {
    info.free();
    throw e;
  }
  return info;
}

export interface ProgInfo {
  readonly id: number;
  readonly type: number;
  readonly typeName: string;
  readonly name: string;
  /** 8-byte program tag as hex. */
  readonly tag: string;
  readonly loadTime: bigint;
  readonly createdByUid: number;
  readonly mapIds: readonly number[];
  readonly btfId: number;
  readonly xlatedLen: number;
  readonly jitedLen: number;
  readonly runTimeNs: bigint;
  readonly runCnt: bigint;
  readonly verifiedInsns: number;
  readonly ifindex: number;
}

export function progInfo(fd: number): ProgInfo {
  const L = ProgInfoLayout.off;
  const first = objInfo(fd, ProgInfoLayout);
  const nrMaps = first.view.getUint32(L.nr_map_ids, true);
  first.free();
  using ids = new NativeBuffer(Math.max(nrMaps, 1) * 4);
  using info = objInfo(fd, ProgInfoLayout, (b) => {
    b.view.setUint32(L.nr_map_ids, nrMaps, true);
    b.view.setBigUint64(L.map_ids, ids.address, true);
  });
  const v = info.view;
  const type = v.getUint32(L.type, true);
  const n = Math.min(v.getUint32(L.nr_map_ids, true), nrMaps);
  const mapIds: number[] = [];
  for (let i = 0; i < n; i++) mapIds.push(ids.view.getUint32(i * 4, true));
  return {
    id: v.getUint32(L.id, true),
    type,
    typeName: progTypeName(type),
    name: readCString(info.bytes, L.name, 16),
    tag: Buffer.from(info.bytes.subarray(L.tag, L.tag + 8)).toString('hex'),
    loadTime: v.getBigUint64(L.load_time, true),
    createdByUid: v.getUint32(L.created_by_uid, true),
    mapIds,
    btfId: v.getUint32(L.btf_id, true),
    xlatedLen: v.getUint32(L.xlated_prog_len, true),
    jitedLen: v.getUint32(L.jited_prog_len, true),
    runTimeNs: v.getBigUint64(L.run_time_ns, true),
    runCnt: v.getBigUint64(L.run_cnt, true),
    verifiedInsns: v.getUint32(L.verified_insns, true),
    ifindex: v.getUint32(L.ifindex, true),
  };
}

/** The program as the kernel rewrote it (xlated), decoded to instructions. */
export function progXlated(fd: number): Instruction[] {
  const L = ProgInfoLayout.off;
  const first = objInfo(fd, ProgInfoLayout);
  const len = first.view.getUint32(L.xlated_prog_len, true);
  first.free();
  if (len === 0) return [];
  const insns = new NativeBuffer(len);
  try {
    objInfo(fd, ProgInfoLayout, (b) => {
      b.view.setUint32(L.xlated_prog_len, len, true);
      b.view.setBigUint64(L.xlated_prog_insns, insns.address, true);
    }).free();
    return decode(insns.bytes.slice(0, len), { validate: false }); // xlated code holds kernel-internal forms
  } finally {
    insns.free();
  }
}

export interface MapInfo {
  readonly id: number;
  readonly type: number;
  readonly typeName: string;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly btfId: number;
  readonly ifindex: number;
  readonly mapExtra: bigint;
}

export function mapInfo(fd: number): MapInfo {
  const L = MapInfo.off;
  using info = objInfo(fd, MapInfo);
  const v = info.view;
  const type = v.getUint32(L.type, true);
  return {
    id: v.getUint32(L.id, true),
    type,
    typeName: mapTypeName(type),
    name: readCString(info.bytes, L.name, 16),
    keySize: v.getUint32(L.key_size, true),
    valueSize: v.getUint32(L.value_size, true),
    maxEntries: v.getUint32(L.max_entries, true),
    flags: v.getUint32(L.map_flags, true),
    btfId: v.getUint32(L.btf_id, true),
    ifindex: v.getUint32(L.ifindex, true),
    mapExtra: v.getBigUint64(L.map_extra, true),
  };
}

export interface LinkInfo {
  readonly id: number;
  readonly type: number;
  readonly progId: number;
  /** For XDP links: the interface. */
  readonly ifindex: number | undefined;
  /** For netns links: the attach type name. */
  readonly attachType: string | undefined;
}

export function linkInfo(fd: number): LinkInfo {
  const L = LinkInfo.off;
  using info = objInfo(fd, LinkInfo);
  const v = info.view;
  const type = v.getUint32(L.type, true);
  return {
    id: v.getUint32(L.id, true),
    type,
    progId: v.getUint32(L.prog_id, true),
    ifindex: type === LinkType.XDP ? v.getUint32(L.xdp_ifindex, true) : undefined,
    attachType: type === LinkType.NETNS ? attachTypeName(v.getUint32(L.netns_attach_type, true)) : undefined,
  };
}

export interface BtfInfo {
  readonly id: number;
  readonly size: number;
  readonly name: string;
  readonly kernel: boolean;
}

export function btfInfo(fd: number): BtfInfo {
  const L = BtfInfo.off;
  using name = new NativeBuffer(64);
  using info = objInfo(fd, BtfInfo, (b) => {
    b.view.setBigUint64(L.name, name.address, true);
    b.view.setUint32(L.name_len, 64, true);
  });
  const v = info.view;
  return {
    id: v.getUint32(L.id, true),
    size: v.getUint32(L.btf_size, true),
    name: readCString(name.bytes, 0, 64),
    kernel: v.getUint32(L.kernel_btf, true) !== 0,
  };
}

/** The kernel's object kinds that have id spaces. */
export type ObjectKind = 'prog' | 'map' | 'link' | 'btf';

const NEXT_ID: Record<ObjectKind, number> = {
  prog: BpfCmd.PROG_GET_NEXT_ID,
  map: BpfCmd.MAP_GET_NEXT_ID,
  link: BpfCmd.LINK_GET_NEXT_ID,
  btf: BpfCmd.BTF_GET_NEXT_ID,
};
const FD_BY_ID: Record<ObjectKind, number> = {
  prog: BpfCmd.PROG_GET_FD_BY_ID,
  map: BpfCmd.MAP_GET_FD_BY_ID,
  link: BpfCmd.LINK_GET_FD_BY_ID,
  btf: BpfCmd.BTF_GET_FD_BY_ID,
};

const KIND_NOUN: Record<ObjectKind, string> = { prog: 'a program', map: 'a map', link: 'a link', btf: 'a BTF object' };
const KIND_NAME: Record<ObjectKind, string> = { prog: 'program', map: 'map', link: 'link', btf: 'BTF object' };

/**
 * An fd or pin is a different kind of BPF object than the caller needs (a program pin opened
 * as a map, …): bad input, exit 2 on the command line.
 */
export class ObjectKindError extends Error {
  override readonly name = 'ObjectKindError';
  readonly exitCode = 2;
  /** The pin path, or `fd N`. */
  readonly what: string;
  readonly expected: ObjectKind;
  /** What it is instead; 'other' for an fd that is no BPF object at all. */
  readonly actual: ObjectKind | 'other';

  constructor(what: string, expected: ObjectKind, actual: ObjectKind | 'other') {
    super(actual === 'other' ? `${what} is not a BPF ${KIND_NAME[expected]}` : `${what} is ${KIND_NOUN[actual]}, not ${KIND_NOUN[expected]}`);
    this.what = what;
    this.expected = expected;
    this.actual = actual;
  }
}

/** What kind of BPF object `fd` is (from /proc/self/fdinfo); undefined when /proc cannot tell. */
export function objectKindOf(fd: number): ObjectKind | 'other' | undefined {
  return bpfFdKind(fd);
}

/**
 * Throw ObjectKindError unless `fd` is a BPF object of `expected` kind. `what` names it in the
 * message (a pin path or `fd N`). When /proc cannot tell, the check passes. The fd stays open.
 */
export function expectObjectKind(fd: number, expected: ObjectKind, what = `fd ${fd}`): void {
  const actual = bpfFdKind(fd);
  if (actual !== undefined && actual !== expected) throw new ObjectKindError(what, expected, actual);
}

/** Every id of `kind` in the system, ascending. */
export function listIds(kind: ObjectKind): number[] {
  const ids: number[] = [];
  let id = 0;
  // Bounded by the id space: each step strictly increases id.
  for (;;) {
    const attr = scratchAttr();
    attr.view.setUint32(GetIdAttr.off.start_id, id, true);
    const r = bpfRaw(NEXT_ID[kind], attr.addr);
    if (r < 0) {
      if (-r === 2) return ids; // ENOENT: no more
      bpf(NEXT_ID[kind], attr); // throws the BpfError
    }
    const next = attr.view.getUint32(GetIdAttr.off.next_id, true);
    if (next <= id) return ids;
    ids.push(next);
    id = next;
  }
}

/** A new fd for object `id` of `kind` (the caller closes it). */
export function fdById(kind: ObjectKind, id: number): number {
  const attr = scratchAttr();
  attr.view.setUint32(GetIdAttr.off.start_id, id, true);
  return bpf(FD_BY_ID[kind], attr, `${kind} id ${id}`);
}

/** Info about every object of `kind`; objects that vanish while listing are skipped. */
export function listInfo<T>(kind: ObjectKind, read: (fd: number) => T): T[] {
  const out: T[] = [];
  for (const id of listIds(kind)) {
    let fd: number;
    try {
      fd = fdById(kind, id);
    } catch {
      continue;
    }
    try {
      out.push(read(fd));
    } finally {
      closeFd(fd);
    }
  }
  return out;
}

export const listPrograms = (): ProgInfo[] => listInfo('prog', progInfo);
export const listMaps = (): MapInfo[] => listInfo('map', mapInfo);
export const listLinks = (): LinkInfo[] => listInfo('link', linkInfo);
export const listBtf = (): BtfInfo[] => listInfo('btf', btfInfo);
