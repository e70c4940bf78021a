// A decoded (or built) BTF: types by id, names, and the lookups CO-RE, the loader and the
// object model need. Pure data plus lazily built indexes.

import { BtfStrings } from './btf-strings.js';
import { VOID, type BtfKindName, type BtfStoredType, type BtfType } from './btf-types.js';
import { BtfError } from './errors.js';

/** Where a Btf gets its stored types: an array, or a lazy decoder (see decode-btf.ts). */
export interface BtfTypeSource {
  readonly length: number;
  /** The type at index i (id firstId + i). */
  get(i: number): BtfStoredType;
  /** Its name only (cheaper than get for lazy sources). */
  nameOf(i: number): string;
  /** Its name's string offset, when the source was decoded from bytes (enables fast lookups). */
  nameOffsetOf?(i: number): number;
}

class ArraySource implements BtfTypeSource {
  constructor(readonly types: readonly BtfStoredType[]) {}
  get length(): number {
    return this.types.length;
  }
  get(i: number): BtfStoredType {
    return this.types[i]!;
  }
  nameOf(i: number): string {
    return this.types[i]!.name;
  }
}

export interface BtfOptions {
  /** For split BTF (kernel modules): the base it extends. Ids continue after the base's. */
  readonly base?: Btf;
  readonly bigEndian?: boolean;
  /** The string section the types were decoded from (needed to read .BTF.ext names). */
  readonly strings?: BtfStrings;
}

/** Type indices fit 21 bits (the kernel allows 1M types); name offsets 32: keys stay below 2^53. */
const INDEX_SCALE = 2 ** 21;

/** Longest typedef/modifier chain followed before giving up (guards against loops). */
const MAX_CHAIN = 64;

export class Btf {
  readonly base: Btf | undefined;
  readonly bigEndian: boolean;
  /** Id of the first type stored here: 1, or the base's typeCount for split BTF. */
  readonly firstId: number;
  readonly strings: BtfStrings | undefined;
  private readonly source: BtfTypeSource;
  private all: readonly BtfStoredType[] | undefined;
  private nameIndex: Map<string, number[]> | undefined;
  /** (name offset × 2^21 + type index), sorted: a compact index for decoded BTF. */
  private offsetIndex: Float64Array | undefined;

  constructor(types: readonly BtfStoredType[] | BtfTypeSource, options: BtfOptions = {}) {
    this.base = options.base;
    this.bigEndian = options.bigEndian ?? false;
    this.firstId = options.base ? options.base.typeCount : 1;
    this.source = Array.isArray(types) ? new ArraySource(types as readonly BtfStoredType[]) : (types as BtfTypeSource);
    this.strings = options.strings;
  }

  /** The types stored here, ids firstId, firstId+1, … (materializes every type of a lazy source). */
  get ownTypes(): readonly BtfStoredType[] {
    if (this.all === undefined) {
      const out = new Array<BtfStoredType>(this.source.length);
      for (let i = 0; i < out.length; i++) out[i] = this.source.get(i);
      this.all = out;
    }
    return this.all;
  }

  /** Number of type ids, void included (like libbpf's btf__type_cnt): valid ids are 0 … typeCount-1. */
  get typeCount(): number {
    return this.firstId + this.source.length;
  }

  /** The type with this id; BtfError when there is none. */
  type(id: number): BtfType {
    const t = this.typeOrUndefined(id);
    if (t === undefined) throw new BtfError(`no type with id ${id} (have ${this.typeCount})`);
    return t;
  }

  typeOrUndefined(id: number): BtfType | undefined {
    if (id === 0) return VOID;
    if (id < this.firstId) return this.base?.typeOrUndefined(id);
    const i = id - this.firstId;
    return i < this.source.length && Number.isInteger(i) ? this.source.get(i) : undefined;
  }

  /** The name of type `id` without decoding the rest of it ('' for void and unknown ids). */
  nameOf(id: number): string {
    if (id === 0) return '';
    if (id < this.firstId) return this.base?.nameOf(id) ?? '';
    const i = id - this.firstId;
    return i < this.source.length ? this.source.nameOf(i) : '';
  }

  /** Ids of all types (base included) with this name, optionally of one kind. */
  findByName(name: string, kind?: BtfKindName): number[] {
    if (name === '') return [];
    const own = this.ownByName(name, false);
    const all = this.base ? [...this.base.findByName(name), ...own] : own;
    return kind === undefined ? all : all.filter((id) => this.type(id).kind === kind);
  }

  /** Ids of all types (base included) whose name starts with `prefix` (non-empty). */
  findByNamePrefix(prefix: string): number[] {
    if (prefix === '') return [];
    const own = this.ownByName(prefix, true);
    return this.base ? [...this.base.findByNamePrefix(prefix), ...own] : own;
  }

  private ownByName(name: string, prefix: boolean): number[] {
    const src = this.source;
    if (src.nameOffsetOf && this.strings) {
      // decoded BTF: look the string up in the table, then the types by name offset
      if (!this.offsetIndex) {
        const keys = new Float64Array(src.length);
        for (let i = 0; i < src.length; i++) keys[i] = src.nameOffsetOf(i) * INDEX_SCALE + i;
        keys.sort();
        this.offsetIndex = keys;
      }
      const keys = this.offsetIndex;
      const ids: number[] = [];
      for (const off of this.strings.offsetsOf(name, prefix)) {
        // type name offsets are absolute (split BTF: they count the base's strings too)
        const local = off;
        if (local === 0) continue;
        // first key >= local * scale
        let lo = 0;
        let hi = keys.length;
        const want = local * INDEX_SCALE;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (keys[mid]! < want) lo = mid + 1;
          else hi = mid;
        }
        for (let k = lo; k < keys.length && Math.floor(keys[k]! / INDEX_SCALE) === local; k++) ids.push(this.firstId + (keys[k]! % INDEX_SCALE));
      }
      return ids.length > 1 ? ids.sort((a, b) => a - b) : ids;
    }
    const index = (this.nameIndex ??= this.buildNameIndex());
    if (!prefix) return index.get(name) ?? [];
    const out: number[] = [];
    for (const [n, ids] of index) if (n.startsWith(name)) for (const id of ids) out.push(id);
    return out.sort((a, b) => a - b);
  }

  /** The first type id with this name and kind, or undefined. */
  findOne(name: string, kind?: BtfKindName): number | undefined {
    return this.findByName(name, kind)[0];
  }

  private buildNameIndex(): Map<string, number[]> {
    const index = new Map<string, number[]>();
    const n = this.source.length;
    for (let i = 0; i < n; i++) {
      const name = this.source.nameOf(i);
      if (name === '') continue;
      const list = index.get(name);
      if (list) list.push(this.firstId + i);
      else index.set(name, [this.firstId + i]);
    }
    return index;
  }

  /** Follow const/volatile/restrict/type_tag (not typedefs). */
  skipQualifiers(id: number): number {
    for (let n = 0; n < MAX_CHAIN; n++) {
      const t = this.type(id);
      if (t.kind !== 'const' && t.kind !== 'volatile' && t.kind !== 'restrict' && t.kind !== 'type_tag') return id;
      id = t.type;
    }
    throw new BtfError(`type ${id}: qualifier chain too long`);
  }

  /** Follow typedefs and qualifiers down to the underlying type. */
  resolve(id: number): number {
    for (let n = 0; n < MAX_CHAIN; n++) {
      const t = this.type(id);
      if (t.kind !== 'const' && t.kind !== 'volatile' && t.kind !== 'restrict' && t.kind !== 'type_tag' && t.kind !== 'typedef') return id;
      id = t.type;
    }
    throw new BtfError(`type ${id}: typedef/qualifier chain too long`);
  }

  /** Byte size of a type, following typedefs, qualifiers and arrays (libbpf btf__resolve_size). */
  sizeOf(id: number): number {
    let mult = 1;
    for (let n = 0; n < MAX_CHAIN; n++) {
      const t = this.type(id);
      switch (t.kind) {
        case 'int': case 'struct': case 'union': case 'enum': case 'enum64': case 'datasec': case 'float':
          return mult * t.size;
        case 'ptr':
          return mult * 8;
        case 'typedef': case 'volatile': case 'const': case 'restrict': case 'type_tag': case 'var':
          id = t.type;
          break;
        case 'array':
          mult *= t.nelems;
          id = t.type;
          break;
        default:
          throw new BtfError(`type ${id} (${t.kind}) has no size`);
      }
    }
    throw new BtfError(`type ${id}: chain too long to size`);
  }

  /** Alignment of a type in bytes (libbpf btf__align_of, simplified for packed structs). */
  alignOf(id: number, depth = 0): number {
    // Malformed BTF can make a struct contain itself: bound the walk like every other chain.
    if (depth > MAX_CHAIN) throw new BtfError(`type ${id}: nesting too deep to align`);
    const t = this.type(this.resolve(id));
    switch (t.kind) {
      case 'int': case 'enum': case 'enum64': case 'float':
        return Math.min(8, Math.max(1, t.size));
      case 'ptr':
        return 8;
      case 'array':
        return this.alignOf(t.type, depth + 1);
      case 'struct': case 'union': {
        let a = 1;
        for (const m of t.members) a = Math.max(a, this.alignOf(m.type, depth + 1));
        return a;
      }
      default:
        throw new BtfError(`type ${id} (${t.kind}) has no alignment`);
    }
  }

  /** A short C-like name for messages: `struct foo`, `int`, `(anon)`. */
  describe(id: number, depth = 0): string {
    if (depth > MAX_CHAIN) return '…';
    const t = this.type(id);
    const name = t.name === '' ? '(anon)' : t.name;
    switch (t.kind) {
      case 'struct': case 'union': case 'enum': case 'enum64':
        return `${t.kind === 'enum64' ? 'enum' : t.kind} ${name}`;
      case 'fwd':
        return `${t.union ? 'union' : 'struct'} ${name}`;
      case 'ptr':
        return `${this.describe(t.type, depth + 1)} *`;
      case 'void':
        return 'void';
      default:
        return name;
    }
  }
}
