// Map helpers: lookup/update/delete, bpf_tail_call through a prog_array, bpf_redirect_map.
import type { Machine } from '../machine.js';
import { ArrayMap } from '../maps/array.js';
import type { VmMap } from '../maps/map.js';
import { ProgArrayMap, RedirectMap } from '../maps/redirect.js';
import type { VmProgram } from '../program.js';
import { MAX_TAIL_CALLS } from '../machine.js';
import { EINVAL, XdpAction } from './errno.js';

/** BPF_F_RDONLY_PROG: the program may read but not write values. */
const BPF_F_RDONLY_PROG = 1 << 7;

export function mapLookupElem(m: Machine): void {
  const map = m.mapArg(1);
  // Array maps: read the u32 index in place (the common case, no key copy).
  const value = map instanceof ArrayMap ? map.element(m.u32Arg(2), m.state.cpu) : lookupGeneric(m, map);
  if (value === undefined) {
    m.setR0(0, 0);
    return;
  }
  const writable = (map.flags & BPF_F_RDONLY_PROG) === 0 && !(map instanceof RedirectMap);
  m.exposeToR0(value, 'map-value', `${map.name} value`, writable);
}

function lookupGeneric(m: Machine, map: VmMap): Uint8Array | undefined {
  if (map.type === 'ringbuf' || map.type === 'prog_array') {
    throw m.fault('helper-arg', `bpf_map_lookup_elem on ${map.type} map ${map.name} is not allowed`);
  }
  return map.lookup(m.ptrArg(2, map.keySize, false), m.state.cpu);
}

export function mapUpdateElem(m: Machine): void {
  const map = m.mapArg(1);
  const key = m.ptrArg(2, map.keySize, false);
  const value = m.ptrArg(3, map.valueSize, false);
  if (m.hi[4] !== 0) {
    m.setR0Int(EINVAL);
    return;
  }
  m.setR0Int(map.update(key, value, m.lo[4]! >>> 0, m.state.cpu));
}

export function mapDeleteElem(m: Machine): void {
  const map = m.mapArg(1);
  const key = m.ptrArg(2, map.keySize, false);
  m.setR0Int(map.delete(key));
}

/** bpf_tail_call(ctx, prog_array, index): on success the next instruction is the target's first. */
export function tailCall(m: Machine): void {
  const map = m.mapArg(2);
  if (!(map instanceof ProgArrayMap)) throw m.fault('helper-arg', `bpf_tail_call needs a prog_array, got ${map.type} map ${map.name}`);
  const index = m.lo[3]! >>> 0;
  const target = map.program(index) as VmProgram | undefined;
  // On failure the program goes on with the next instruction (r0 untouched, as the JIT does).
  if (target === undefined || m.state.tailCalls >= MAX_TAIL_CALLS) return;
  if (m.depth !== 0) throw m.fault('helper-arg', 'tail calls from a bpf-to-bpf function are not supported by the VM');
  m.state.tailCalls++;
  m.tailCall(target);
}

const BPF_F_BROADCAST = 1 << 3;
const BPF_F_EXCLUDE_INGRESS = 1 << 4;

/** bpf_redirect_map(map, key, flags): XDP_REDIRECT with the target recorded, or the fallback action in flags' low bits. */
export function redirectMap(m: Machine): void {
  const map = m.mapArg(1);
  const flagsLo = m.lo[3]! >>> 0;
  if (m.hi[3] !== 0 || (flagsLo & ~(3 | BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS)) !== 0) {
    m.setR0Int(XdpAction.ABORTED);
    return;
  }
  if (!(map instanceof RedirectMap)) throw m.fault('helper-arg', `bpf_redirect_map needs a devmap, cpumap or xskmap, got ${map.type} map ${map.name}`);
  const key = m.lo[2]! >>> 0;
  const keyBytes = new Uint8Array(4);
  new DataView(keyBytes.buffer).setUint32(0, key, true);
  const value = map.target(keyBytes);
  if (value === undefined) {
    m.setR0Int(flagsLo & 3);
    return;
  }
  m.state.redirect = { kind: 'map', map: map.name, mapType: map.type, key, value };
  m.setR0Int(XdpAction.REDIRECT);
}

/** bpf_redirect(ifindex, flags): XDP_REDIRECT to an interface (flags must be 0 for XDP). */
export function redirect(m: Machine): void {
  if (m.lo[2] !== 0 || m.hi[2] !== 0) {
    m.setR0Int(XdpAction.ABORTED);
    return;
  }
  m.state.redirect = { kind: 'ifindex', ifindex: m.lo[1]! >>> 0, flags: 0 };
  m.setR0Int(XdpAction.REDIRECT);
}
