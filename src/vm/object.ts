// Objects in the VM: the same parsed object the loader uses (src/elf parseObject), linked by
// the shared linkProgram, with VM maps made from the object's map definitions (global data
// sections become array maps holding their initial bytes; .rodata is read-only to programs)
// and prog_array slots filled from the object's initial values.
import type { BpfObject } from '../elf/object-model.js';
import { linkProgram } from '../elf/link.js';
import { VmError } from './errors.js';
import { createMap, mapTypeName } from './maps/create.js';
import type { VmMap } from './maps/map.js';
import { ProgArrayMap } from './maps/redirect.js';
import { prepareProgram, type VmProgram } from './program.js';

const BPF_F_RDONLY_PROG = 1 << 7;

export interface VmObject {
  /** Maps by name (the object's names; internal maps as libbpf names them, e.g. "obj.rodata"). */
  readonly maps: Record<string, VmMap>;
  /** Map definitions the VM cannot emulate, with why (programs using them fail to prepare). */
  readonly unsupportedMaps: Record<string, string>;
  /** Programs by name, linked and prepared, sharing `maps`. */
  program(name: string): VmProgram;
  readonly programNames: readonly string[];
}

export interface VmObjectOptions {
  /** CPUs for per-CPU maps (default 1). */
  readonly cpus?: number;
}

/** Make the VM's maps for an object and a way to get its programs. */
export function loadObjectVm(obj: BpfObject, opts: VmObjectOptions = {}): VmObject {
  const maps: Record<string, VmMap> = {};
  const unsupportedMaps: Record<string, string> = {};
  for (const m of obj.maps) {
    try {
      mapTypeName(m.type);
      const map = createMap({
        type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries,
        flags: m.flags | (m.readonly ? BPF_F_RDONLY_PROG : 0), name: m.name, ...(opts.cpus !== undefined ? { cpus: opts.cpus } : {}),
      });
      if (m.data !== undefined && m.data.length > 0) map.set(new Uint8Array(4), m.data);
      maps[m.name] = map;
    } catch (e) {
      unsupportedMaps[m.name] = (e as Error).message;
    }
  }
  const prepared = new Map<string, VmProgram>();
  const program = (name: string): VmProgram => {
    let p = prepared.get(name);
    if (p !== undefined) return p;
    const linked = linkProgram(obj, name);
    if (linked.ksyms.length > 0) throw new VmError(`${name}: kernel symbols (${linked.ksyms.map((k) => k.name).join(', ')}) are not available in the VM`);
    const insns = [...linked.insns];
    for (const r of linked.mapRefs) {
      if (maps[r.map] === undefined) {
        throw new VmError(`${name}: map ${r.map} ${unsupportedMaps[r.map] !== undefined ? `cannot be emulated: ${unsupportedMaps[r.map]}` : 'is not in the object'}`);
      }
      insns[r.insn] = { ...insns[r.insn]!, ref: r.map };
    }
    // CO-RE relocations stay as compiled: the VM's layouts are the object's own types.
    p = prepareProgram(insns, { maps, name });
    prepared.set(name, p);
    return p;
  };
  // prog_array initial values (`.values = { [i] = &prog }`), linked lazily on first use.
  for (const m of obj.maps) {
    const pa = maps[m.name];
    if (!(pa instanceof ProgArrayMap) || m.initialValues.length === 0) continue;
    for (const v of m.initialValues) pa.setProgram(v.index, program(v.target));
  }
  return { maps, unsupportedMaps, program, programNames: obj.programs.map((p) => p.name) };
}
