// Resolving one CO-RE relocation against a target BTF and patching its instruction, as libbpf's
// relo_core.c does (bpf_core_calc_relo_insn + bpf_core_patch_insn). Pure: both BTFs are inputs.
//
// A relocation that cannot be resolved is "poisoned" the way libbpf does it: the instruction
// becomes `call 0xbad2310`, so the verifier rejects the program only if that code is reachable
// ("invalid func unknown#195896080").

import type { Instruction } from '../../asm/instruction.js';
import { CALL, Class, LD_IMM64, classOf, sizeBytes, sizeForBytes, sourceOf, Source } from '../../asm/opcode.js';
import type { Btf } from '../btf.js';
import { CoreReloKind } from '../btf-ext.js';
import type { BtfType } from '../btf-types.js';
import { BtfError } from '../errors.js';
import { essentialName, isAnyEnum, kindsCompatible } from './core-compat.js';
import { isEnumvalKind, isFieldKind, matchSpec, parseSpec, type CoreSpec } from './core-spec.js';

/** The imm of a poisoned instruction: "bad relo". */
export const CORE_POISON_IMM = 0xbad2310;

export interface CoreRelocation {
  /** Root type id in the local (program) BTF. */
  readonly typeId: number;
  readonly accessStr: string;
  /** CoreReloKind value. */
  readonly kind: number;
}

export interface CoreResult {
  /** Value the compiler assumed (from the local BTF). */
  readonly origVal: bigint;
  /** Value for the target. */
  readonly newVal: bigint;
  /** Replace the instruction with a poison call. */
  readonly poison: boolean;
  /** Check the instruction holds origVal before patching (off for bitfields and target type ids). */
  readonly validate: boolean;
  /** Field sizes for memory-access size adjustment (0 when not applicable). */
  readonly origSize: number;
  readonly newSize: number;
  /** The size changed in a way a load cannot follow: poison instead of patching a LDX/ST/STX. */
  readonly failMemszAdjust: boolean;
  /** The matched target type id (0 when none). */
  readonly targetTypeId: number;
}

const candidateCache = new WeakMap<Btf, Map<string, readonly number[]>>();

/** Target types whose essential name equals `name`: "name" itself and any "name___flavor". */
function candidatesByName(targ: Btf, name: string): readonly number[] {
  let cache = candidateCache.get(targ);
  if (!cache) candidateCache.set(targ, (cache = new Map()));
  const known = cache.get(name);
  if (known) return known;
  const exact = targ.findByName(name);
  const flavored = targ.findByNamePrefix(`${name}___`);
  const ids = flavored.length ? [...new Set([...exact, ...flavored])].sort((a, b) => a - b) : exact;
  cache.set(name, ids);
  return ids;
}

interface FieldCalc { val: bigint; size: number; typeId: number; validate: boolean }

/** bpf_core_calc_field_relo. `spec` undefined means "no target": poison (undefined result). */
function calcField(kind: number, spec: CoreSpec | undefined, bigEndian: boolean): FieldCalc | 'poison' {
  if (kind === CoreReloKind.FIELD_EXISTS) return { val: spec ? 1n : 0n, size: 0, typeId: 0, validate: true };
  if (!spec) return 'poison';
  const btf = spec.btf;
  const acc = spec.access[spec.access.length - 1]!;
  if (acc.name === undefined) {
    if (kind === CoreReloKind.FIELD_BYTE_OFFSET) return { val: BigInt(spec.bitOffset / 8), size: btf.sizeOf(acc.typeId), typeId: acc.typeId, validate: true };
    if (kind === CoreReloKind.FIELD_BYTE_SIZE) return { val: BigInt(btf.sizeOf(acc.typeId)), size: 0, typeId: 0, validate: true };
    throw new BtfError(`CO-RE relocation kind ${kind} cannot apply to an array element access`);
  }
  const owner = btf.type(acc.typeId);
  if (owner.kind !== 'struct' && owner.kind !== 'union') throw new BtfError('CO-RE field accessor is not in a struct or union');
  const m = owner.members[acc.idx]!;
  const fieldTypeId = btf.resolve(m.type);
  const mt = btf.type(fieldTypeId);
  const bitOff = spec.bitOffset;
  let bitSz = m.bitfieldSize;
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    byteSz = (mt as { size: number }).size;
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) throw new BtfError('CO-RE bitfield cannot be read with a 64-bit load');
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    byteSz = btf.sizeOf(fieldTypeId);
    byteOff = Math.floor(bitOff / 8);
    bitSz = byteSz * 8;
  }
  switch (kind) {
    case CoreReloKind.FIELD_BYTE_OFFSET:
      return { val: BigInt(byteOff), size: bitfield ? 0 : byteSz, typeId: bitfield ? 0 : fieldTypeId, validate: !bitfield };
    case CoreReloKind.FIELD_BYTE_SIZE:
      return { val: BigInt(byteSz), size: 0, typeId: 0, validate: !bitfield };
    case CoreReloKind.FIELD_SIGNED: {
      const signed = (isAnyEnum(mt) && (mt as { signed: boolean }).signed) || (mt.kind === 'int' && (mt.encoding & 1) !== 0);
      return { val: signed ? 1n : 0n, size: 0, typeId: 0, validate: true };
    }
    case CoreReloKind.FIELD_LSHIFT_U64:
      return {
        val: BigInt(bigEndian ? (8 - byteSz) * 8 + (bitOff - byteOff * 8) : 64 - (bitOff + bitSz - byteOff * 8)),
        size: 0, typeId: 0, validate: !bitfield,
      };
    case CoreReloKind.FIELD_RSHIFT_U64:
      return { val: BigInt(64 - bitSz), size: 0, typeId: 0, validate: true };
    default:
      throw new BtfError(`unsupported CO-RE field relocation kind ${kind}`);
  }
}

function calcType(kind: number, spec: CoreSpec | undefined): { val: bigint; validate: boolean } {
  if (!spec) return { val: 0n, validate: true }; // type-based relocations resolve to 0 when the type is missing
  switch (kind) {
    case CoreReloKind.TYPE_ID_TARGET: return { val: BigInt(spec.rootTypeId), validate: false };
    case CoreReloKind.TYPE_EXISTS: case CoreReloKind.TYPE_MATCHES: return { val: 1n, validate: true };
    case CoreReloKind.TYPE_SIZE: return { val: BigInt(spec.btf.sizeOf(spec.rootTypeId)), validate: true };
    default: throw new BtfError(`unsupported CO-RE type relocation kind ${kind}`);
  }
}

function calcEnumval(kind: number, spec: CoreSpec | undefined): bigint | 'poison' {
  if (kind === CoreReloKind.ENUMVAL_EXISTS) return spec ? 1n : 0n;
  if (!spec) return 'poison';
  const acc = spec.access[0]!;
  const t = spec.btf.type(acc.typeId);
  if (t.kind === 'enum') return BigInt(t.values[acc.idx]!.value);
  if (t.kind === 'enum64') return t.values[acc.idx]!.value;
  throw new BtfError('CO-RE enum relocation on a non-enum');
}

/** Whether a load/store may follow a field whose size changed (pointers, or same-signedness ints/enums). */
function sizeChangeAllowed(lt: BtfType, tt: BtfType): boolean {
  if (lt.kind === 'ptr' && tt.kind === 'ptr') return true;
  const signed = (t: BtfType): boolean | undefined =>
    t.kind === 'int' ? (t.encoding & 1) !== 0 : t.kind === 'enum' || t.kind === 'enum64' ? t.signed : undefined;
  const a = signed(lt);
  const b = signed(tt);
  return a !== undefined && b !== undefined && a === b;
}

function calcOne(local: CoreSpec, targ: CoreSpec | undefined, bigEndian: boolean): CoreResult {
  const kind = local.kind;
  const base = { origSize: 0, newSize: 0, failMemszAdjust: false, targetTypeId: targ?.rootTypeId ?? 0 };
  if (isFieldKind(kind)) {
    const o = calcField(kind, local, bigEndian);
    const n = calcField(kind, targ, bigEndian);
    if (o === 'poison') throw new BtfError('CO-RE local spec cannot be evaluated');
    if (n === 'poison') return { ...base, origVal: o.val, newVal: 0n, poison: true, validate: o.validate };
    let failMemszAdjust = false;
    if (kind === CoreReloKind.FIELD_BYTE_OFFSET && o.size !== n.size && o.typeId && n.typeId) {
      failMemszAdjust = !sizeChangeAllowed(local.btf.type(o.typeId), targ!.btf.type(n.typeId));
    }
    return { ...base, origVal: o.val, newVal: n.val, poison: false, validate: o.validate, origSize: o.size, newSize: n.size, failMemszAdjust };
  }
  if (isEnumvalKind(kind)) {
    const o = calcEnumval(kind, local);
    const n = calcEnumval(kind, targ);
    if (o === 'poison') throw new BtfError('CO-RE local enum spec cannot be evaluated');
    if (n === 'poison') return { ...base, origVal: o, newVal: 0n, poison: true, validate: true };
    return { ...base, origVal: o, newVal: n, poison: false, validate: true };
  }
  const o = calcType(kind, local);
  const n = calcType(kind, targ);
  return { ...base, origVal: o.val, newVal: n.val, poison: false, validate: o.validate };
}

/**
 * Resolve one relocation: parse the local spec, find candidates in the target with the same
 * essential name and a compatible kind, match each, and require every match to agree.
 */
export function resolveCoreRelocation(local: Btf, target: Btf, relo: CoreRelocation): CoreResult {
  const localSpec = parseSpec(local, relo.typeId, relo.accessStr, relo.kind);
  if (relo.kind === CoreReloKind.TYPE_ID_LOCAL) {
    const id = BigInt(relo.typeId);
    return { origVal: id, newVal: id, poison: false, validate: true, origSize: 0, newSize: 0, failMemszAdjust: false, targetTypeId: 0 };
  }
  const localType = local.type(relo.typeId);
  const name = essentialName(localType.name);
  if (name === '') throw new BtfError(`CO-RE relocation on an anonymous type (${local.describe(relo.typeId)})`);
  let chosen: CoreResult | undefined;
  for (const id of candidatesByName(target, name)) {
    const cand = target.type(id);
    if (!kindsCompatible(cand, localType)) continue;
    const targSpec = matchSpec(localSpec, target, id);
    if (!targSpec) continue;
    const res = calcOne(localSpec, targSpec, target.bigEndian);
    if (!chosen) {
      chosen = res;
    } else if (res.poison !== chosen.poison || res.newVal !== chosen.newVal) {
      throw new BtfError(`CO-RE relocation for ${local.describe(relo.typeId)} "${relo.accessStr}" is ambiguous between target types ${chosen.targetTypeId} and ${id}`);
    }
  }
  return chosen ?? calcOne(localSpec, undefined, target.bigEndian);
}

/** The poison instruction libbpf writes (bpf_core_poison_insn). */
export function poisonInstruction(): Instruction {
  return { code: CALL, dst: 0, src: 0, off: 0, imm: CORE_POISON_IMM };
}

const toS32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

/**
 * bpf_core_patch_insn for one instruction. Returns the replacement: one instruction, or two
 * poison calls for a poisoned LD_IMM64 (it occupies two slots, both are poisoned).
 */
export function patchCoreInstruction(insn: Instruction, res: CoreResult, where: string): Instruction[] {
  if (res.poison) return insn.code === LD_IMM64 ? [poisonInstruction(), poisonInstruction()] : [poisonInstruction()];
  const cls = classOf(insn.code);
  switch (cls) {
    case Class.ALU:
    case Class.ALU64: {
      if (sourceOf(insn.code) !== Source.K) throw new BtfError(`${where}: CO-RE relocation on an ALU instruction with a register source`);
      if (res.validate && BigInt(insn.imm >>> 0) !== BigInt.asUintN(32, res.origVal)) {
        throw new BtfError(`${where}: unexpected ALU immediate ${insn.imm}, expected ${res.origVal} (→ ${res.newVal})`);
      }
      return [{ ...insn, imm: toS32(res.newVal) }];
    }
    case Class.LDX:
    case Class.ST:
    case Class.STX: {
      if (res.validate && BigInt(insn.off) !== res.origVal) throw new BtfError(`${where}: unexpected memory offset ${insn.off}, expected ${res.origVal} (→ ${res.newVal})`);
      if (res.newVal > 0x7fffn) throw new BtfError(`${where}: field offset ${res.newVal} does not fit the 16-bit offset`);
      if (res.failMemszAdjust) return [poisonInstruction()];
      let code = insn.code;
      if (res.newSize !== res.origSize) {
        const have = sizeBytes(code & 0x18);
        if (have !== res.origSize) throw new BtfError(`${where}: memory access of ${have} bytes, expected ${res.origSize}`);
        if (![1, 2, 4, 8].includes(res.newSize)) throw new BtfError(`${where}: new field size ${res.newSize} is not a load size`);
        code = (code & ~0x18) | sizeForBytes(res.newSize);
      }
      return [{ ...insn, code, off: Number(res.newVal) }];
    }
    case Class.LD: {
      if (insn.code !== LD_IMM64 || insn.src !== 0 || insn.off !== 0) throw new BtfError(`${where}: CO-RE relocation on an unsupported LD instruction`);
      const cur = (BigInt((insn.imm2 ?? 0) >>> 0) << 32n) | BigInt(insn.imm >>> 0);
      if (res.validate && cur !== BigInt.asUintN(64, res.origVal)) throw new BtfError(`${where}: unexpected ld_imm64 value ${cur}, expected ${res.origVal}`);
      const v = BigInt.asUintN(64, res.newVal);
      return [{ ...insn, imm: toS32(v), imm2: toS32(v >> 32n) }];
    }
    default:
      throw new BtfError(`${where}: CO-RE relocation on an instruction of class ${cls}`);
  }
}
