// .BTF bytes → Btf. Every offset, length and count is checked before use; malformed input gives
// a BtfError naming the byte offset. Used for object files and for /sys/kernel/btf/vmlinux (at
// every load), so the loop is written for speed: one DataView, names sliced from one string.

import { Btf, type BtfTypeSource } from './btf.js';
import { BTF_HEADER_SIZE, BTF_MAGIC, BTF_VERSION, BtfKind } from './btf-kind.js';
import { BtfStrings } from './btf-strings.js';
import type { BtfMember, BtfStoredType } from './btf-types.js';
import { BtfError } from './errors.js';

export interface DecodeBtfOptions {
  /** Base BTF for split BTF (a kernel module's /sys/kernel/btf/<module>). */
  readonly base?: Btf;
}

export interface BtfHeader {
  readonly bigEndian: boolean;
  readonly hdrLen: number;
  readonly typeOff: number;
  readonly typeLen: number;
  readonly strOff: number;
  readonly strLen: number;
}

/** Read and check the 24-byte BTF header. */
export function decodeBtfHeader(bytes: Uint8Array): BtfHeader {
  if (bytes.length < BTF_HEADER_SIZE) throw new BtfError(`${bytes.length} bytes is shorter than the BTF header`, 0);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le: boolean;
  if (dv.getUint16(0, true) === BTF_MAGIC) le = true;
  else if (dv.getUint16(0, false) === BTF_MAGIC) le = false;
  else throw new BtfError(`bad magic 0x${dv.getUint16(0, true).toString(16)}`, 0);
  if (bytes[2] !== BTF_VERSION) throw new BtfError(`unsupported BTF version ${bytes[2]}`, 2);
  const hdrLen = dv.getUint32(4, le);
  if (hdrLen < BTF_HEADER_SIZE || hdrLen > bytes.length) throw new BtfError(`header length ${hdrLen} is not in [${BTF_HEADER_SIZE}, ${bytes.length}]`, 4);
  // A longer header (from a newer kernel) must have only zeros in the part we do not know.
  for (let i = BTF_HEADER_SIZE; i < hdrLen; i++) if (bytes[i] !== 0) throw new BtfError('unknown non-zero header field', i);
  const typeOff = dv.getUint32(8, le);
  const typeLen = dv.getUint32(12, le);
  const strOff = dv.getUint32(16, le);
  const strLen = dv.getUint32(20, le);
  const dataLen = bytes.length - hdrLen;
  if (typeOff % 4 !== 0) throw new BtfError(`type section offset ${typeOff} is not 4-byte aligned`, 8);
  if (typeOff + typeLen > dataLen) throw new BtfError(`type section [${typeOff}, +${typeLen}) runs past the ${dataLen} data bytes`, 12);
  if (strOff + strLen > dataLen) throw new BtfError(`string section [${strOff}, +${strLen}) runs past the ${dataLen} data bytes`, 20);
  if (typeOff < strOff + strLen && strOff < typeOff + typeLen) throw new BtfError('type and string sections overlap', 16);
  return { bigEndian: !le, hdrLen, typeOff, typeLen, strOff, strLen };
}

/** Decode a .BTF blob (from an object's .BTF section or /sys/kernel/btf/*). */
export function decodeBtf(bytes: Uint8Array, options: DecodeBtfOptions = {}): Btf {
  const h = decodeBtfHeader(bytes);
  const le = !h.bigEndian;
  const base = options.base;
  const strStart = h.hdrLen + h.strOff;
  const strBytes = bytes.subarray(strStart, strStart + h.strLen);
  if (!base) {
    if (h.strLen === 0 || strBytes[0] !== 0) throw new BtfError('string section must start with an empty string', strStart);
  }
  if (h.strLen > 0 && strBytes[h.strLen - 1] !== 0) throw new BtfError('string section does not end with NUL', strStart + h.strLen - 1);
  const baseStrings = base?.strings;
  if (base && !baseStrings) throw new BtfError('base BTF has no string section');
  const strings = new BtfStrings(strBytes, baseStrings ? baseStrings.end : 0, baseStrings);
  const strEnd = strings.end;

  const start = h.hdrLen + h.typeOff;
  const w = typeWords(bytes, start, h.typeLen, le);
  const nwords = w.length;
  const firstId = base ? base.typeCount : 1;
  /** Byte offset (in `bytes`) of word i, for error messages. */
  const byteAt = (i: number): number => start + i * 4;

  // Pass 1: validate every type (bounds, kind, name offsets, referenced ids) and remember where
  // each starts. No objects are made here; types are decoded on first use.
  let offsets = new Uint32Array(Math.max(16, h.typeLen >>> 4));
  let count = 0;
  let maxRef = 0;
  let maxRefAt = 0;
  let maxName = 0;
  let maxNameAt = 0;
  let i = 0;
  while (i < nwords) {
    const at = i;
    const id = firstId + count;
    if (i + 3 > nwords) throw new BtfError(`type ${id} header runs past the type section`, byteAt(i));
    const info = w[i + 1]!;
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const extra = extraWords(kind, vlen);
    if (extra < 0) throw new BtfError(`type ${id}: unknown kind ${kind}`, byteAt(at + 1));
    if (i + 3 + extra > nwords) throw new BtfError(`type ${id} (${vlen} entries) runs past the type section`, byteAt(at));
    if (w[i]! > maxName) { maxName = w[i]!; maxNameAt = i; }
    const sizeOrType = w[i + 2]!;
    if (refersBySizeOrType(kind) && sizeOrType > maxRef) { maxRef = sizeOrType; maxRefAt = i + 2; }
    const q0 = i + 3;
    switch (kind) {
      case BtfKind.ARRAY: {
        const a = w[q0]!;
        const b = w[q0 + 1]!;
        if (a > maxRef) { maxRef = a; maxRefAt = q0; }
        if (b > maxRef) { maxRef = b; maxRefAt = q0 + 1; }
        break;
      }
      case BtfKind.STRUCT: case BtfKind.UNION:
        for (let k = 0, q = q0; k < vlen; k++, q += 3) {
          if (w[q]! > maxName) { maxName = w[q]!; maxNameAt = q; }
          if (w[q + 1]! > maxRef) { maxRef = w[q + 1]!; maxRefAt = q + 1; }
        }
        break;
      case BtfKind.ENUM:
        for (let k = 0, q = q0; k < vlen; k++, q += 2) if (w[q]! > maxName) { maxName = w[q]!; maxNameAt = q; }
        break;
      case BtfKind.ENUM64:
        for (let k = 0, q = q0; k < vlen; k++, q += 3) if (w[q]! > maxName) { maxName = w[q]!; maxNameAt = q; }
        break;
      case BtfKind.FUNC_PROTO:
        for (let k = 0, q = q0; k < vlen; k++, q += 2) {
          if (w[q]! > maxName) { maxName = w[q]!; maxNameAt = q; }
          if (w[q + 1]! > maxRef) { maxRef = w[q + 1]!; maxRefAt = q + 1; }
        }
        break;
      case BtfKind.DATASEC:
        for (let k = 0, q = q0; k < vlen; k++, q += 3) if (w[q]! > maxRef) { maxRef = w[q]!; maxRefAt = q; }
        break;
    }
    if (count === offsets.length) {
      const grown = new Uint32Array(offsets.length * 2);
      grown.set(offsets);
      offsets = grown;
    }
    offsets[count++] = at;
    i = q0 + extra;
  }
  if (maxName >= strEnd) throw new BtfError(`name offset ${maxName} is outside the ${strEnd}-byte string section`, byteAt(maxNameAt));
  const total = firstId + count;
  if (maxRef >= total) throw new BtfError(`type id ${maxRef} is referenced but only ${total} ids exist`, byteAt(maxRefAt));
  const source = new LazyTypes(w, offsets.subarray(0, count), strings);
  return new Btf(source, { ...(base ? { base } : {}), bigEndian: !le, strings });
}

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The type section as 32-bit words in host order: a view when possible, else an aligned (swapped) copy. */
function typeWords(bytes: Uint8Array, start: number, len: number, le: boolean): Uint32Array {
  const n = len >>> 2;
  if (len % 4 !== 0) throw new BtfError(`type section length ${len} is not a multiple of 4`, 12);
  if (le === HOST_LE && (bytes.byteOffset + start) % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset + start, n);
  const out = new Uint32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + start, len);
  for (let i = 0; i < n; i++) out[i] = dv.getUint32(i * 4, le);
  return out;
}

/** Kinds whose common header's third word is a type id (not a size). */
function refersBySizeOrType(kind: number): boolean {
  return kind === BtfKind.PTR || kind === BtfKind.TYPEDEF || kind === BtfKind.VOLATILE || kind === BtfKind.CONST ||
    kind === BtfKind.RESTRICT || kind === BtfKind.TYPE_TAG || kind === BtfKind.FUNC || kind === BtfKind.FUNC_PROTO ||
    kind === BtfKind.VAR || kind === BtfKind.DECL_TAG;
}

/** Decodes one validated type at a time, on first use, and keeps it. */
class LazyTypes implements BtfTypeSource {
  private readonly cache: (BtfStoredType | undefined)[];
  constructor(
    private readonly w: Uint32Array,
    private readonly offsets: Uint32Array,
    private readonly strings: BtfStrings,
  ) {
    this.cache = new Array<BtfStoredType | undefined>(offsets.length);
  }

  get length(): number {
    return this.offsets.length;
  }

  nameOf(i: number): string {
    const cached = this.cache[i];
    if (cached) return cached.name;
    return this.strings.at(this.w[this.offsets[i]!]!);
  }

  nameOffsetOf(i: number): number {
    return this.w[this.offsets[i]!]!;
  }

  get(i: number): BtfStoredType {
    return (this.cache[i] ??= this.decode(this.offsets[i]!));
  }

  private decode(at: number): BtfStoredType {
    const { w, strings } = this;
    const name = (off: number): string => strings.at(off);
    const n = name(w[at]!);
    const info = w[at + 1]!;
    const sizeOrType = w[at + 2]!;
    const kind = (info >>> 24) & 0x1f;
    const kflag = info >>> 31 === 1;
    const vlen = info & 0xffff;
    const p = at + 3;
    switch (kind) {
      case BtfKind.INT: {
        const v = w[p]!;
        return { kind: 'int', name: n, size: sizeOrType, encoding: (v >>> 24) & 0x0f, bitOffset: (v >>> 16) & 0xff, bits: v & 0xff };
      }
      case BtfKind.PTR:
        return { kind: 'ptr', name: n, type: sizeOrType };
      case BtfKind.TYPEDEF:
        return { kind: 'typedef', name: n, type: sizeOrType };
      case BtfKind.VOLATILE:
        return { kind: 'volatile', name: n, type: sizeOrType };
      case BtfKind.CONST:
        return { kind: 'const', name: n, type: sizeOrType };
      case BtfKind.RESTRICT:
        return { kind: 'restrict', name: n, type: sizeOrType };
      case BtfKind.TYPE_TAG:
        return { kind: 'type_tag', name: n, type: sizeOrType };
      case BtfKind.ARRAY:
        return { kind: 'array', name: n, type: w[p]!, indexType: w[p + 1]!, nelems: w[p + 2]! };
      case BtfKind.STRUCT:
      case BtfKind.UNION: {
        const members: BtfMember[] = new Array(vlen);
        for (let i = 0, q = p; i < vlen; i++, q += 3) {
          const off = w[q + 2]!;
          members[i] = {
            name: name(w[q]!),
            type: w[q + 1]!,
            bitOffset: kflag ? off & 0xffffff : off,
            bitfieldSize: kflag ? off >>> 24 : 0,
          };
        }
        return { kind: kind === BtfKind.STRUCT ? 'struct' : 'union', name: n, size: sizeOrType, kindFlag: kflag, members };
      }
      case BtfKind.ENUM: {
        const values = new Array<{ name: string; value: number }>(vlen);
        for (let i = 0, q = p; i < vlen; i++, q += 2) values[i] = { name: name(w[q]!), value: kflag ? w[q + 1]! | 0 : w[q + 1]! };
        return { kind: 'enum', name: n, size: sizeOrType, signed: kflag, values };
      }
      case BtfKind.ENUM64: {
        const values = new Array<{ name: string; value: bigint }>(vlen);
        for (let i = 0, q = p; i < vlen; i++, q += 3) {
          const v = (BigInt(w[q + 2]!) << 32n) | BigInt(w[q + 1]!);
          values[i] = { name: name(w[q]!), value: kflag ? BigInt.asIntN(64, v) : v };
        }
        return { kind: 'enum64', name: n, size: sizeOrType, signed: kflag, values };
      }
      case BtfKind.FWD:
        return { kind: 'fwd', name: n, union: kflag };
      case BtfKind.FUNC:
        return { kind: 'func', name: n, type: sizeOrType, linkage: vlen };
      case BtfKind.FUNC_PROTO: {
        const params = new Array<{ name: string; type: number }>(vlen);
        for (let i = 0, q = p; i < vlen; i++, q += 2) params[i] = { name: name(w[q]!), type: w[q + 1]! };
        return { kind: 'func_proto', name: n, returnType: sizeOrType, params };
      }
      case BtfKind.VAR:
        return { kind: 'var', name: n, type: sizeOrType, linkage: w[p]! };
      case BtfKind.DATASEC: {
        const vars = new Array<{ type: number; offset: number; size: number }>(vlen);
        for (let i = 0, q = p; i < vlen; i++, q += 3) vars[i] = { type: w[q]!, offset: w[q + 1]!, size: w[q + 2]! };
        return { kind: 'datasec', name: n, size: sizeOrType, vars };
      }
      case BtfKind.FLOAT:
        return { kind: 'float', name: n, size: sizeOrType };
      case BtfKind.DECL_TAG:
        return { kind: 'decl_tag', name: n, type: sizeOrType, componentIdx: w[p]! | 0 };
      default:
        // Pass 1 rejected unknown kinds.
        throw new BtfError(`unknown kind ${kind}`);
    }
  }
}

/** 32-bit words that follow the 3-word common header for a kind, or -1 for an unknown kind. */
function extraWords(kind: number, vlen: number): number {
  switch (kind) {
    case BtfKind.INT: case BtfKind.VAR: case BtfKind.DECL_TAG:
      return 1;
    case BtfKind.ARRAY:
      return 3;
    case BtfKind.STRUCT: case BtfKind.UNION: case BtfKind.DATASEC: case BtfKind.ENUM64:
      return 3 * vlen;
    case BtfKind.ENUM: case BtfKind.FUNC_PROTO:
      return 2 * vlen;
    case BtfKind.PTR: case BtfKind.FWD: case BtfKind.TYPEDEF: case BtfKind.VOLATILE: case BtfKind.CONST:
    case BtfKind.RESTRICT: case BtfKind.FUNC: case BtfKind.FLOAT: case BtfKind.TYPE_TAG:
      return 0;
    default:
      return -1;
  }
}
