// Type compatibility rules of CO-RE (libbpf relo_core.c): which target types can stand in for a
// local one. Names compare by their "essential" part: everything before a "___flavor" suffix.

import type { Btf } from '../btf.js';
import type { BtfType } from '../btf-types.js';

/** Depth limit for recursive compatibility checks (libbpf uses 32). */
const MAX_LEVEL = 32;

/** "task_struct___old" → "task_struct". */
export function essentialName(name: string): string {
  const i = name.indexOf('___');
  return i < 0 ? name : name.slice(0, i);
}

export const isAnyEnum = (t: BtfType): boolean => t.kind === 'enum' || t.kind === 'enum64';
export const isComposite = (t: BtfType): boolean => t.kind === 'struct' || t.kind === 'union';

/** Same kind, or both enums of either width (btf_kind_core_compat). */
export function kindsCompatible(a: BtfType, b: BtfType): boolean {
  return a.kind === b.kind || (isAnyEnum(a) && isAnyEnum(b));
}

function skip(btf: Btf, id: number): { id: number; t: BtfType } {
  const r = btf.resolve(id);
  return { id: r, t: btf.type(r) };
}

/** bpf_core_types_are_compat: for TYPE_EXISTS / TYPE_SIZE / TYPE_ID_TARGET. */
export function typesAreCompat(local: Btf, localId: number, targ: Btf, targId: number, level = MAX_LEVEL): boolean {
  for (let depth = 0; depth < MAX_LEVEL; depth++) {
    const l = skip(local, localId);
    const t = skip(targ, targId);
    if (!kindsCompatible(l.t, t.t)) return false;
    switch (l.t.kind) {
      case 'void': case 'struct': case 'union': case 'enum': case 'enum64': case 'fwd':
        return true;
      case 'int':
        return l.t.bitOffset === 0 && (t.t as typeof l.t).bitOffset === 0;
      case 'ptr':
        localId = l.t.type;
        targId = (t.t as typeof l.t).type;
        continue;
      case 'array':
        localId = l.t.type;
        targId = (t.t as typeof l.t).type;
        continue;
      case 'func_proto': {
        const tp = t.t as typeof l.t;
        if (l.t.params.length !== tp.params.length || level <= 0) return false;
        for (let i = 0; i < l.t.params.length; i++) {
          if (!typesAreCompat(local, l.t.params[i]!.type, targ, tp.params[i]!.type, level - 1)) return false;
        }
        localId = l.t.returnType;
        targId = tp.returnType;
        continue;
      }
      default:
        return false;
    }
  }
  return false;
}

/** bpf_core_fields_are_compat: a matched member's types. */
export function fieldsAreCompat(local: Btf, localId: number, targ: Btf, targId: number): boolean {
  let l = skip(local, localId);
  let t = skip(targ, targId);
  for (let depth = 0; depth < MAX_LEVEL; depth++) {
    if (isComposite(l.t) && isComposite(t.t)) return true;
    if (!kindsCompatible(l.t, t.t)) return false;
    switch (l.t.kind) {
      case 'ptr': case 'float':
        return true;
      case 'fwd': case 'enum': case 'enum64': {
        const ln = essentialName(l.t.name);
        const tn = essentialName(t.t.name);
        return ln === '' || tn === '' || ln === tn;
      }
      case 'int':
        return l.t.bitOffset === 0 && (t.t as typeof l.t).bitOffset === 0;
      case 'array':
        l = skip(local, l.t.type);
        t = skip(targ, (t.t as typeof l.t & { type: number }).type);
        continue;
      default:
        return false;
    }
  }
  return false;
}

function enumNames(t: BtfType): string[] {
  return t.kind === 'enum' || t.kind === 'enum64' ? t.values.map((v) => essentialName(v.name)) : [];
}

/** bpf_core_types_match: TYPE_MATCHES, the stricter "same shape" relation. */
export function typesMatch(local: Btf, localId: number, targ: Btf, targId: number, behindPtr = false, level = MAX_LEVEL): boolean {
  for (let depth = 0; depth < MAX_LEVEL; depth++) {
    if (level <= 0) return false;
    const l = skip(local, localId).t;
    const t = skip(targ, targId).t;
    if (essentialName(l.name) !== essentialName(t.name)) return false;
    switch (l.kind) {
      case 'void':
        return t.kind === 'void';
      case 'fwd':
        if (behindPtr) {
          if (t.kind === 'fwd') return l.union === t.union;
          return (t.kind === 'struct' && !l.union) || (t.kind === 'union' && l.union);
        }
        return t.kind === 'fwd' && l.union === t.union;
      case 'enum': case 'enum64': {
        if (!isAnyEnum(t)) return false;
        if ((t as { size: number }).size !== l.size) return false;
        const names = new Set(enumNames(t));
        return enumNames(l).every((n) => names.has(n));
      }
      case 'struct': case 'union': {
        if (behindPtr) {
          if (t.kind === l.kind) return true;
          return t.kind === 'fwd' && (l.kind === 'union') === t.union;
        }
        if (t.kind !== l.kind) return false;
        if (l.members.length > t.members.length) return false;
        for (const m of l.members) {
          const tm = t.members.find((x) => essentialName(x.name) === essentialName(m.name));
          if (!tm || !typesMatch(local, m.type, targ, tm.type, behindPtr, level - 1)) return false;
        }
        return true;
      }
      case 'int':
        return t.kind === 'int' && t.size === l.size && (t.encoding & 1) === (l.encoding & 1);
      case 'ptr':
        if (t.kind !== 'ptr') return false;
        behindPtr = true;
        localId = l.type;
        targId = t.type;
        continue;
      case 'array':
        if (t.kind !== 'array' || t.nelems !== l.nelems) return false;
        localId = l.type;
        targId = t.type;
        continue;
      case 'func_proto': {
        if (t.kind !== 'func_proto' || t.params.length !== l.params.length) return false;
        for (let i = 0; i < l.params.length; i++) {
          if (!typesMatch(local, l.params[i]!.type, targ, t.params[i]!.type, behindPtr, level - 1)) return false;
        }
        localId = l.returnType;
        targId = t.returnType;
        continue;
      }
      default:
        return false;
    }
  }
  return false;
}
