// What `disasm` shows beside the instructions: each function's line info keyed by section and
// byte offset (as `bpftool prog dump ... linum` shows it), and the object's maps.
import { slotOffsets } from '../asm/instruction.js';
import { MapType } from './bpf-enums.js';
import type { BpfFunction, BpfMap, BpfObject } from './object-model.js';

export interface SourceLineNote {
  readonly fileName: string;
  readonly lineNum: number;
  readonly column: number;
  /** The source line's text, as .BTF.ext carries it. */
  readonly line: string;
}

/** Section name → byte offset of an instruction → the source line that starts there. */
export function sourceLinesBySection(obj: BpfObject): Map<string, Map<number, SourceLineNote>> {
  const out = new Map<string, Map<number, SourceLineNote>>();
  const functions: readonly BpfFunction[] = [...obj.programs, ...obj.subprograms];
  for (const fn of functions) {
    if (fn.lineInfo.length === 0) continue;
    const slots = slotOffsets(fn.insns);
    let bySection = out.get(fn.section);
    if (bySection === undefined) out.set(fn.section, (bySection = new Map()));
    for (const li of fn.lineInfo) {
      const slot = slots[li.insn];
      if (slot === undefined) continue;
      bySection.set(fn.offset + slot * 8, { fileName: li.fileName, lineNum: li.lineNum, column: li.column, line: li.line });
    }
  }
  return out;
}

/** `; text @ file:line:col`, the comment form bpftool and the verifier log use. */
export function formatSourceLineNote(n: SourceLineNote): string {
  return `; ${n.line.trim()} @ ${n.fileName}:${n.lineNum}${n.column > 0 ? `:${n.column}` : ''}`;
}

const MAP_TYPE_NAMES = new Map<number, string>(Object.entries(MapType).map(([k, v]) => [v, k.toLowerCase()]));

export function mapTypeName(type: number): string {
  return MAP_TYPE_NAMES.get(type) ?? `type ${type}`;
}

export interface MapListing {
  readonly name: string;
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly pinning: number;
  readonly section: string;
  readonly origin: BpfMap['origin'];
  readonly inner?: MapListing;
}

export function listMaps(obj: BpfObject): MapListing[] {
  const one = (m: BpfMap): MapListing => ({
    name: m.name, type: mapTypeName(m.type), keySize: m.keySize, valueSize: m.valueSize,
    maxEntries: m.maxEntries, flags: m.flags, pinning: m.pinning, section: m.section, origin: m.origin,
    ...(m.inner !== undefined ? { inner: one(m.inner) } : {}),
  });
  return obj.maps.map(one);
}

/** One line per map: `name  type  key K  value V  max_entries N  flags 0x..  (section)`. */
export function formatMapListing(m: MapListing): string {
  const inner = m.inner !== undefined ? `  inner ${m.inner.type} key ${m.inner.keySize} value ${m.inner.valueSize}` : '';
  const pin = m.pinning === 1 ? '  pinned by name' : '';
  return `${m.name}  ${m.type}  key ${m.keySize}  value ${m.valueSize}  max_entries ${m.maxEntries}  flags 0x${m.flags.toString(16)}${inner}${pin}  (${m.section})`;
}
