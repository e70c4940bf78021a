// Types → .BTF bytes. Strings are deduplicated in order of first use (types in id order, then a
// type's members/params/values in order), so the output depends only on the input.

import type { Btf } from './btf.js';
import { BTF_HEADER_SIZE, BTF_MAGIC, BTF_MAX_VLEN, BTF_VERSION, BtfKind } from './btf-kind.js';
import { BtfStringBuilder } from './btf-strings.js';
import type { BtfStoredType } from './btf-types.js';
import { BtfError } from './errors.js';

export interface EncodeBtfOptions {
  readonly bigEndian?: boolean;
  /**
   * A string builder to add to (for example one that .BTF.ext strings were already added to, as
   * they live in the .BTF string section). A fresh one by default.
   */
  readonly strings?: BtfStringBuilder;
  /** Number of ids before the first type (1 for base BTF, the base's typeCount for split BTF). */
  readonly firstId?: number;
}

const U32_MAX = 0xffffffff;

/** Words a stored type takes (3-word header plus its extra data). */
function wordsOf(t: BtfStoredType): number {
  switch (t.kind) {
    case 'int': case 'var': case 'decl_tag': return 4;
    case 'array': return 6;
    case 'struct': case 'union': return 3 + 3 * t.members.length;
    case 'enum': return 3 + 2 * t.values.length;
    case 'enum64': return 3 + 3 * t.values.length;
    case 'func_proto': return 3 + 2 * t.params.length;
    case 'datasec': return 3 + 3 * t.vars.length;
    default: return 3;
  }
}

/** Encode a Btf's own types (or a list of types, ids from 1) into a .BTF blob. */
export function encodeBtf(input: Btf | readonly BtfStoredType[], options: EncodeBtfOptions = {}): Uint8Array {
  const types = Array.isArray(input) ? (input as readonly BtfStoredType[]) : (input as Btf).ownTypes;
  const firstId = options.firstId ?? (Array.isArray(input) ? 1 : (input as Btf).firstId);
  const le = !(options.bigEndian ?? (Array.isArray(input) ? false : (input as Btf).bigEndian));
  const strings = options.strings ?? new BtfStringBuilder();
  const count = firstId + types.length;

  let words = 0;
  for (const t of types) words += wordsOf(t);
  const typeBytes = new Uint8Array(words * 4);
  const dv = new DataView(typeBytes.buffer);
  let p = 0;
  const put = (v: number): void => {
    dv.setUint32(p, v >>> 0, le);
    p += 4;
  };
  types.forEach((t, i) => {
    const id = firstId + i;
    const where = `type ${id} (${t.kind} ${t.name || '(anon)'})`;
    const u32 = (v: number, what: string): number => {
      if (!Number.isInteger(v) || v < 0 || v > U32_MAX) throw new BtfError(`${where}: ${what} ${v} is not a u32`);
      return v;
    };
    const ref = (v: number, what: string): number => {
      if (!Number.isInteger(v) || v < 0 || v >= count) throw new BtfError(`${where}: ${what} refers to type ${v}, but ids stop at ${count - 1}`);
      return v;
    };
    const vlen = (n: number): number => {
      if (n > BTF_MAX_VLEN) throw new BtfError(`${where}: ${n} entries is more than ${BTF_MAX_VLEN}`);
      return n;
    };
    const header = (kind: number, kflag: boolean, vl: number, sizeOrType: number): void => {
      put(strings.add(t.name));
      put(((kflag ? 1 : 0) << 31) | (kind << 24) | vl);
      put(sizeOrType);
    };
    switch (t.kind) {
      case 'int':
        if (t.bits > 128 || t.bitOffset > 255 || t.encoding > 15) throw new BtfError(`${where}: bad int encoding`);
        header(BtfKind.INT, false, 0, u32(t.size, 'size'));
        put((t.encoding << 24) | (t.bitOffset << 16) | t.bits);
        break;
      case 'ptr': header(BtfKind.PTR, false, 0, ref(t.type, 'type')); break;
      case 'typedef': header(BtfKind.TYPEDEF, false, 0, ref(t.type, 'type')); break;
      case 'volatile': header(BtfKind.VOLATILE, false, 0, ref(t.type, 'type')); break;
      case 'const': header(BtfKind.CONST, false, 0, ref(t.type, 'type')); break;
      case 'restrict': header(BtfKind.RESTRICT, false, 0, ref(t.type, 'type')); break;
      case 'type_tag': header(BtfKind.TYPE_TAG, false, 0, ref(t.type, 'type')); break;
      case 'array':
        header(BtfKind.ARRAY, false, 0, 0);
        put(ref(t.type, 'element type'));
        put(ref(t.indexType, 'index type'));
        put(u32(t.nelems, 'nelems'));
        break;
      case 'struct': case 'union': {
        const kflag = t.kindFlag || t.members.some((m) => m.bitfieldSize !== 0);
        header(t.kind === 'struct' ? BtfKind.STRUCT : BtfKind.UNION, kflag, vlen(t.members.length), u32(t.size, 'size'));
        for (const m of t.members) {
          put(strings.add(m.name));
          put(ref(m.type, `member ${m.name}`));
          if (kflag) {
            if (m.bitOffset > 0xffffff || m.bitfieldSize > 255) throw new BtfError(`${where}: member ${m.name} offset/bitfield too large`);
            put((m.bitfieldSize << 24) | m.bitOffset);
          } else {
            put(u32(m.bitOffset, `member ${m.name} offset`));
          }
        }
        break;
      }
      case 'enum':
        header(BtfKind.ENUM, t.signed, vlen(t.values.length), u32(t.size, 'size'));
        for (const v of t.values) {
          if (!Number.isInteger(v.value) || v.value < -0x80000000 || v.value > U32_MAX) throw new BtfError(`${where}: value ${v.name} does not fit 32 bits`);
          put(strings.add(v.name));
          put(v.value);
        }
        break;
      case 'enum64':
        header(BtfKind.ENUM64, t.signed, vlen(t.values.length), u32(t.size, 'size'));
        for (const v of t.values) {
          const u = BigInt.asUintN(64, v.value);
          put(strings.add(v.name));
          put(Number(u & 0xffffffffn));
          put(Number(u >> 32n));
        }
        break;
      case 'fwd': header(BtfKind.FWD, t.union, 0, 0); break;
      case 'func':
        if (t.linkage < 0 || t.linkage > 2) throw new BtfError(`${where}: bad linkage ${t.linkage}`);
        header(BtfKind.FUNC, false, t.linkage, ref(t.type, 'type'));
        break;
      case 'func_proto':
        header(BtfKind.FUNC_PROTO, false, vlen(t.params.length), ref(t.returnType, 'return type'));
        for (const prm of t.params) {
          put(strings.add(prm.name));
          put(ref(prm.type, `parameter ${prm.name}`));
        }
        break;
      case 'var':
        header(BtfKind.VAR, false, 0, ref(t.type, 'type'));
        put(u32(t.linkage, 'linkage'));
        break;
      case 'datasec':
        header(BtfKind.DATASEC, false, vlen(t.vars.length), u32(t.size, 'size'));
        for (const v of t.vars) {
          put(ref(v.type, 'var'));
          put(u32(v.offset, 'var offset'));
          put(u32(v.size, 'var size'));
        }
        break;
      case 'float': header(BtfKind.FLOAT, false, 0, u32(t.size, 'size')); break;
      case 'decl_tag':
        header(BtfKind.DECL_TAG, false, 0, ref(t.type, 'type'));
        if (!Number.isInteger(t.componentIdx) || t.componentIdx < -1) throw new BtfError(`${where}: bad component index ${t.componentIdx}`);
        put(t.componentIdx);
        break;
      default: {
        const never: never = t;
        throw new BtfError(`cannot encode ${JSON.stringify(never)}`);
      }
    }
  });
  return assembleBtf(typeBytes, strings.bytes(), le);
}

/** Header + type section + string section. */
export function assembleBtf(typeBytes: Uint8Array, strBytes: Uint8Array, le: boolean): Uint8Array {
  const out = new Uint8Array(BTF_HEADER_SIZE + typeBytes.length + strBytes.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, BTF_MAGIC, le);
  out[2] = BTF_VERSION;
  out[3] = 0;
  dv.setUint32(4, BTF_HEADER_SIZE, le);
  dv.setUint32(8, 0, le);
  dv.setUint32(12, typeBytes.length, le);
  dv.setUint32(16, typeBytes.length, le);
  dv.setUint32(20, strBytes.length, le);
  out.set(typeBytes, BTF_HEADER_SIZE);
  out.set(strBytes, BTF_HEADER_SIZE + typeBytes.length);
  return out;
}
