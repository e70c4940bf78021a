// Run the same XDP program on the same packet and map state in the VM and through
// BPF_PROG_TEST_RUN, and collect what each produced: retval, output packet, map contents.
import type { Instruction } from '../../../src/asm/instruction.js';
import { BpfMap, Program } from '../../../src/loader/index.js';
import { ATTR_SIZE, bpfRaw } from '../../../src/sys/bpf.js';
import { MapElemAttr } from '../../../src/sys/bpf-layouts.js';
import { errnoName } from '../../../src/sys/errno.js';
import { NativeBuffer } from '../../../src/sys/native-buffer.js';
import { createMap, hex, runXdp, type MapSpec, type VmEngine, type VmMap } from '../../../src/vm/index.js';

export interface MapSetup extends MapSpec {
  readonly init?: ReadonlyArray<readonly [Uint8Array, Uint8Array]>;
}

export interface Outcome {
  readonly retval: number;
  readonly packet: string;
  /** map name -> sorted "key=value" hex lines */
  readonly maps: Record<string, string[]>;
}

function dumpSorted(entries: { key: Uint8Array; value: Uint8Array }[]): string[] {
  return entries.map((e) => `${hex(e.key)}=${hex(e.value)}`).sort();
}

export function makeVmMaps(setup: Readonly<Record<string, MapSetup>>): Record<string, VmMap> {
  const maps: Record<string, VmMap> = {};
  for (const [name, s] of Object.entries(setup)) {
    const m = createMap({ ...s, name });
    for (const [k, v] of s.init ?? []) m.set(k, v);
    maps[name] = m;
  }
  return maps;
}

export function runVm(insns: readonly Instruction[], packet: Uint8Array, setup: Readonly<Record<string, MapSetup>> = {}, engine: VmEngine = 'auto'): Outcome {
  const maps = makeVmMaps(setup);
  const r = runXdp(insns, packet, { maps, engine });
  const out: Record<string, string[]> = {};
  for (const [name, m] of Object.entries(maps)) out[name] = dumpSorted(m.entries());
  return { retval: r.retval, packet: hex(r.dataOut), maps: out };
}

function kernelEntries(m: BpfMap): { key: Uint8Array; value: Uint8Array }[] {
  const out: { key: Uint8Array; value: Uint8Array }[] = [];
  let key: Uint8Array | undefined;
  for (let i = 0; i < 100_000; i++) {
    const next = m.nextKey(key);
    if (next === undefined) break;
    const v = m.lookup(next);
    if (v !== undefined) out.push({ key: next.slice(), value: v.slice() });
    key = next;
  }
  return out;
}

/** Load into the kernel and test-run once. Throws VerifierError when the kernel refuses. */
export function runKernel(insns: readonly Instruction[], packet: Uint8Array, setup: Readonly<Record<string, MapSetup>> = {}): Outcome {
  const maps: Record<string, BpfMap> = {};
  let prog: Program | undefined;
  try {
    for (const [name, s] of Object.entries(setup)) {
      const m = BpfMap.create({ type: s.type, keySize: s.keySize, valueSize: s.valueSize, maxEntries: s.maxEntries, flags: s.flags ?? 0, name });
      maps[name] = m;
      for (const [k, v] of s.init ?? []) m.update(k, v);
    }
    prog = Program.load({ type: 'xdp', insns, maps, name: 'vm_diff' });
    const r = prog.testRun({ data: packet });
    const out: Record<string, string[]> = {};
    for (const [name, m] of Object.entries(maps)) out[name] = dumpSorted(kernelEntries(m));
    return { retval: r.retval, packet: hex(r.data), maps: out };
  } finally {
    prog?.close();
    for (const m of Object.values(maps)) m.close();
  }
}

/**
 * BPF_MAP_DELETE_ELEM with only map_fd and key set. (BpfMap.delete currently leaves its
 * prefilled value pointer in the attr, which the kernel's CHECK_ATTR refuses with EINVAL.)
 */
export function kernelDelete(map: BpfMap, key: Uint8Array): 'true' | 'false' | string {
  const attr = new NativeBuffer(ATTR_SIZE);
  const k = NativeBuffer.from(key);
  try {
    attr.view.setUint32(MapElemAttr.off.map_fd, map.fd, true);
    attr.view.setBigUint64(MapElemAttr.off.key, k.address, true);
    const r = bpfRaw(3 /* BPF_MAP_DELETE_ELEM */, attr.addr);
    if (r === 0) return 'true';
    if (r === -2) return 'false';
    return errnoName(-r);
  } finally {
    attr.free();
    k.free();
  }
}
