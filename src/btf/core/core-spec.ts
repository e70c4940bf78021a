// CO-RE access specs (libbpf relo_core.c bpf_core_parse_spec / bpf_core_spec_match): the
// local relocation "0:1:2" turned into a path of accessors, and the same path found in a
// target BTF by member name.

import type { Btf } from '../btf.js';
import type { BtfArray, BtfType } from '../btf-types.js';
import { BtfError } from '../errors.js';
import { CoreReloKind } from '../btf-ext.js';
import { essentialName, fieldsAreCompat, isAnyEnum, isComposite, typesAreCompat, typesMatch } from './core-compat.js';

/** Longest access path (BPF_CORE_SPEC_MAX_LEN). */
const SPEC_MAX_LEN = 64;

export interface CoreAccessor {
  /** Type id of the composite (named member), array element type, or enum. */
  readonly typeId: number;
  readonly idx: number;
  /** Member or enumerator name; undefined for an array index. */
  readonly name: string | undefined;
}

export interface CoreSpec {
  readonly btf: Btf;
  readonly rootTypeId: number;
  readonly kind: number;
  /** Named accessors only (anonymous members are folded into the offset). */
  readonly access: CoreAccessor[];
  /** Every index of the path, anonymous members included. */
  readonly raw: number[];
  bitOffset: number;
}

export const isFieldKind = (k: number): boolean => k <= CoreReloKind.FIELD_RSHIFT_U64;
export const isTypeKind = (k: number): boolean =>
  k === CoreReloKind.TYPE_ID_LOCAL || k === CoreReloKind.TYPE_ID_TARGET || k === CoreReloKind.TYPE_EXISTS ||
  k === CoreReloKind.TYPE_SIZE || k === CoreReloKind.TYPE_MATCHES;
export const isEnumvalKind = (k: number): boolean => k === CoreReloKind.ENUMVAL_EXISTS || k === CoreReloKind.ENUMVAL_VALUE;

function skip(btf: Btf, id: number): { id: number; t: BtfType } {
  const r = btf.resolve(id);
  return { id: r, t: btf.type(r) };
}

/** A flexible array member: the last member of its struct with 0 elements. */
function isFlexArray(btf: Btf, owner: CoreAccessor | undefined, arr: BtfArray): boolean {
  if (!owner || owner.name === undefined || arr.nelems > 0) return false;
  const t = btf.type(owner.typeId);
  return (t.kind === 'struct' || t.kind === 'union') && owner.idx === t.members.length - 1;
}

/** bpf_core_parse_spec. Throws BtfError for a malformed access string. */
export function parseSpec(btf: Btf, typeId: number, accessStr: string, kind: number): CoreSpec {
  const spec: CoreSpec = { btf, rootTypeId: typeId, kind, access: [], raw: [], bitOffset: 0 };
  if (isTypeKind(kind)) {
    if (accessStr !== '0') throw new BtfError(`CO-RE type relocation with access string "${accessStr}" (want "0")`);
    return spec;
  }
  if (!/^\d+(:\d+)*$/.test(accessStr)) throw new BtfError(`bad CO-RE access string "${accessStr}"`);
  for (const part of accessStr.split(':')) spec.raw.push(Number(part));
  if (spec.raw.length > SPEC_MAX_LEN) throw new BtfError(`CO-RE access string "${accessStr}" is too long`);
  let { id, t } = skip(btf, typeId);
  const first = spec.raw[0]!;
  if (isEnumvalKind(kind)) {
    if (!isAnyEnum(t) || spec.raw.length > 1) throw new BtfError(`CO-RE enum relocation on ${t.kind} with access "${accessStr}"`);
    const values = (t as { values: readonly { name: string }[] }).values;
    if (first >= values.length) throw new BtfError(`CO-RE enumerator index ${first} out of range`);
    spec.access.push({ typeId: id, idx: first, name: values[first]!.name });
    return spec;
  }
  if (!isFieldKind(kind)) throw new BtfError(`unknown CO-RE relocation kind ${kind}`);
  spec.access.push({ typeId: id, idx: first, name: undefined });
  spec.bitOffset = first * btf.sizeOf(id) * 8;
  for (let i = 1; i < spec.raw.length; i++) {
    ({ id, t } = skip(btf, id));
    const idx = spec.raw[i]!;
    if (t.kind === 'struct' || t.kind === 'union') {
      const m = t.members[idx];
      if (!m) throw new BtfError(`CO-RE access index ${idx} beyond the ${t.members.length} members of ${btf.describe(id)}`);
      spec.bitOffset += m.bitOffset;
      if (m.name !== '') spec.access.push({ typeId: id, idx, name: m.name });
      id = m.type;
    } else if (t.kind === 'array') {
      const elem = skip(btf, t.type);
      if (!isFlexArray(btf, spec.access[spec.access.length - 1], t) && idx >= t.nelems) {
        throw new BtfError(`CO-RE array index ${idx} beyond ${t.nelems} elements`);
      }
      id = elem.id;
      spec.access.push({ typeId: id, idx, name: undefined });
      spec.bitOffset += idx * btf.sizeOf(id) * 8;
    } else {
      throw new BtfError(`CO-RE access "${accessStr}" steps into ${t.kind} ${btf.describe(id)}`);
    }
  }
  return spec;
}

/** bpf_core_match_member: find local accessor's member by name in target composite `targId`. */
function matchMember(local: CoreSpec, acc: CoreAccessor, targ: Btf, targId: number, spec: CoreSpec): { found: boolean; next: number } {
  const lt = local.btf.type(acc.typeId);
  const lm = (lt as { members: readonly { name: string; type: number }[] }).members[acc.idx]!;
  const t = skip(targ, targId);
  if (!isComposite(t.t)) return { found: false, next: 0 };
  const members = (t.t as { members: readonly { name: string; type: number; bitOffset: number }[] }).members;
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    if (spec.raw.length >= SPEC_MAX_LEN) throw new BtfError('CO-RE target access path too deep');
    spec.bitOffset += m.bitOffset;
    spec.raw.push(i);
    if (m.name === '') {
      const r = matchMember(local, acc, targ, m.type, spec);
      if (r.found) return r;
    } else if (m.name === lm.name) {
      spec.access.push({ typeId: t.id, idx: i, name: m.name });
      const ok = fieldsAreCompat(local.btf, lm.type, targ, m.type);
      if (!ok) spec.access.pop();
      return { found: ok, next: m.type };
    }
    spec.bitOffset -= m.bitOffset;
    spec.raw.pop();
  }
  return { found: false, next: 0 };
}

/** bpf_core_spec_match: the target spec for candidate `targId`, or undefined when it does not match. */
export function matchSpec(local: CoreSpec, targ: Btf, targId: number): CoreSpec | undefined {
  const spec: CoreSpec = { btf: targ, rootTypeId: targId, kind: local.kind, access: [], raw: [], bitOffset: 0 };
  if (isTypeKind(local.kind)) {
    const ok = local.kind === CoreReloKind.TYPE_MATCHES
      ? typesMatch(local.btf, local.rootTypeId, targ, targId)
      : typesAreCompat(local.btf, local.rootTypeId, targ, targId);
    return ok ? spec : undefined;
  }
  const lacc = local.access[0]!;
  if (isEnumvalKind(local.kind)) {
    const t = skip(targ, targId);
    if (!isAnyEnum(t.t)) return undefined;
    const want = essentialName(lacc.name ?? '');
    const values = (t.t as { values: readonly { name: string }[] }).values;
    for (let i = 0; i < values.length; i++) {
      if (essentialName(values[i]!.name) === want) {
        spec.access.push({ typeId: t.id, idx: i, name: values[i]!.name });
        spec.raw.push(i);
        return spec;
      }
    }
    return undefined;
  }
  let id = targId;
  for (let i = 0; i < local.access.length; i++) {
    const acc = local.access[i]!;
    const t = skip(targ, id);
    id = t.id;
    if (acc.name !== undefined) {
      const r = matchMember(local, acc, targ, id, spec);
      if (!r.found) return undefined;
      id = r.next;
    } else {
      if (i > 0) {
        if (t.t.kind !== 'array') return undefined;
        if (!isFlexArray(targ, spec.access[spec.access.length - 1], t.t) && acc.idx >= t.t.nelems) return undefined;
        id = skip(targ, t.t.type).id;
      }
      if (spec.raw.length >= SPEC_MAX_LEN) throw new BtfError('CO-RE target access path too deep');
      spec.access.push({ typeId: id, idx: acc.idx, name: undefined });
      spec.raw.push(acc.idx);
      spec.bitOffset += acc.idx * targ.sizeOf(id) * 8;
    }
  }
  return spec;
}
