// Building BTF type by type (for objects bpf-ts writes). Ids are assigned in order of addition;
// simple types (int, pointer, array, float, modifiers) are deduplicated so the same description
// always gives the same ids and bytes.

import { Btf } from './btf.js';
import { BtfIntEncoding } from './btf-kind.js';
import type { BtfMember, BtfParam, BtfStoredType, BtfVarSecinfo } from './btf-types.js';
import { BtfError } from './errors.js';

export class BtfBuilder {
  private readonly types: BtfStoredType[] = [];
  private readonly dedupe = new Map<string, number>();

  /** Add any type; returns its id. */
  add(t: BtfStoredType): number {
    this.types.push(t);
    return this.types.length;
  }

  /** Replace the type with this id (for two-step construction of self-referencing types). */
  replace(id: number, t: BtfStoredType): void {
    if (id < 1 || id > this.types.length) throw new BtfError(`no type ${id} to replace`);
    this.types[id - 1] = t;
  }

  private once(key: string, make: () => BtfStoredType): number {
    const known = this.dedupe.get(key);
    if (known !== undefined) return known;
    const id = this.add(make());
    this.dedupe.set(key, id);
    return id;
  }

  /** An integer type: int(name, size, signed). */
  int(name: string, size: number, signed = false): number {
    return this.once(`int:${name}:${size}:${signed}`, () => ({
      kind: 'int', name, size, encoding: signed ? BtfIntEncoding.SIGNED : 0, bitOffset: 0, bits: size * 8,
    }));
  }

  ptr(type: number): number {
    return this.once(`ptr:${type}`, () => ({ kind: 'ptr', name: '', type }));
  }

  /** The index type libbpf and clang use for arrays. */
  arrayIndexType(): number {
    return this.int('__ARRAY_SIZE_TYPE__', 4);
  }

  array(elem: number, nelems: number): number {
    const index = this.arrayIndexType();
    return this.once(`array:${elem}:${nelems}`, () => ({ kind: 'array', name: '', type: elem, indexType: index, nelems }));
  }

  struct(name: string, size: number, members: readonly BtfMember[]): number {
    return this.add({ kind: 'struct', name, size, kindFlag: members.some((m) => m.bitfieldSize !== 0), members });
  }

  funcProto(returnType: number, params: readonly BtfParam[]): number {
    return this.add({ kind: 'func_proto', name: '', returnType, params });
  }

  /** linkage: 0 static, 1 global, 2 extern. */
  func(name: string, proto: number, linkage: number): number {
    if (name === '') throw new BtfError('a FUNC needs a name');
    return this.add({ kind: 'func', name, type: proto, linkage });
  }

  /** linkage: 0 static, 1 global allocated, 2 extern. */
  variable(name: string, type: number, linkage = 1): number {
    return this.add({ kind: 'var', name, type, linkage });
  }

  datasec(name: string, size: number, vars: readonly BtfVarSecinfo[]): number {
    return this.add({ kind: 'datasec', name, size, vars });
  }

  /** Number of ids so far, void included. */
  get typeCount(): number {
    return this.types.length + 1;
  }

  build(options: { bigEndian?: boolean } = {}): Btf {
    return new Btf([...this.types], { bigEndian: options.bigEndian ?? false });
  }
}
