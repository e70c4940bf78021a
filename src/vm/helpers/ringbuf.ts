// Ringbuf helpers. output copies a record; reserve hands the program a fresh region that
// submit turns into an event and discard drops. Either way the record's region dies.
import type { Machine } from '../machine.js';
import { RingbufMap } from '../maps/ringbuf.js';
import { EAGAIN, EINVAL } from './errno.js';

const BPF_RB_NO_WAKEUP = 1, BPF_RB_FORCE_WAKEUP = 2;

function ringbuf(m: Machine): RingbufMap {
  const map = m.mapArg(1);
  if (!(map instanceof RingbufMap)) throw m.fault('helper-arg', `ringbuf helper on ${map.type} map ${map.name}`);
  return map;
}

export function ringbufOutput(m: Machine): void {
  const map = ringbuf(m);
  const size = m.lo[3]! >>> 0;
  const flags = m.lo[4]! >>> 0;
  if (m.hi[3] !== 0 || m.hi[4] !== 0 || (flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) !== 0) {
    m.setR0Int(EINVAL);
    return;
  }
  const data = m.ptrArg(2, size, false);
  if (!map.reserve(size)) {
    m.setR0Int(EAGAIN);
    return;
  }
  m.state.events.push({ map: map.name, data: data.slice() });
  m.setR0(0, 0);
}

export function ringbufReserve(m: Machine): void {
  const map = ringbuf(m);
  const size = m.lo[2]! >>> 0;
  if (m.hi[2] !== 0 || m.lo[3] !== 0 || m.hi[3] !== 0 || !map.reserve(size)) {
    m.setR0(0, 0);
    return;
  }
  const record = new Uint8Array(size);
  const [hi, lo] = m.expose(record, 'ringbuf-record', `${map.name} record`);
  m.state.reservations.set(m.mem.regionOf(hi)!.id, { map, size });
  m.setR0(hi, lo);
}

function finish(m: Machine, submit: boolean): void {
  const at = m.regionArg(1);
  const rec = at === undefined ? undefined : m.state.reservations.get(at.region.id);
  if (at === undefined || rec === undefined || at.offset !== 0) {
    throw m.fault('helper-arg', `bpf_ringbuf_${submit ? 'submit' : 'discard'}: r1 is not a reserved ringbuf record`);
  }
  m.state.reservations.delete(at.region.id);
  if (submit) m.state.events.push({ map: rec.map.name, data: at.region.bytes.slice() });
  m.unexpose(at.region.id);
  m.setR0(0, 0);
}

export const ringbufSubmit = (m: Machine): void => finish(m, true);
export const ringbufDiscard = (m: Machine): void => finish(m, false);
