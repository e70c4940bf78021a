// Program, map and attach types by name ("xdp", "XDP", "sched_cls", "percpu_array") or number.
import { AttachType, MapType, ProgType } from '../elf/bpf-enums.js';

export class TypeNameError extends Error {
  override readonly name = 'TypeNameError';
  readonly exitCode = 2;
}

function lookup(table: Readonly<Record<string, number>>, what: string, v: string | number): number {
  if (typeof v === 'number') return v;
  const key = v.trim().toUpperCase().replace(/-/g, '_');
  const n = table[key];
  if (n === undefined) throw new TypeNameError(`unknown ${what} "${v}" (known: ${Object.keys(table).map((k) => k.toLowerCase()).join(', ')})`);
  return n;
}

export const progTypeOf = (v: string | number): number => lookup(ProgType, 'program type', v);
export const mapTypeOf = (v: string | number): number => lookup(MapType, 'map type', v);
export const attachTypeOf = (v: string | number): number => lookup(AttachType, 'attach type', v);

function nameOf(table: Readonly<Record<string, number>>, v: number): string {
  for (const [k, n] of Object.entries(table)) if (n === v) return k.toLowerCase();
  return `unknown(${v})`;
}

export const progTypeName = (v: number): string => nameOf(ProgType, v);
export const mapTypeName = (v: number): string => nameOf(MapType, v);
export const attachTypeName = (v: number): string => nameOf(AttachType, v);
