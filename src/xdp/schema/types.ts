// Key and value schemas: a small struct codec with C layout.
//
// Why our own codec and not zod: a map key is a byte string whose layout the kernel, the BPF
// program and BTF must agree on (sizes, C alignment, padding, network-order fields). zod
// validates JavaScript values but has no notion of offsets or sizes, so it cannot drive the
// BPF side. One declaration here yields the layout (offsets for the program), the BTF types
// for the map definition, and encode/decode for userspace. zod stays useful on the userspace
// edge, to validate what a person types before it reaches `encode`.
import { SchemaError } from '../errors.js';

export type ScalarKind = 'u8' | 'u16' | 'u32' | 'u64' | 'i8' | 'i16' | 'i32' | 'i64' | 'be16' | 'be32' | 'be64';

export interface ScalarSchema {
  readonly kind: 'scalar';
  readonly type: ScalarKind;
  readonly size: 1 | 2 | 4 | 8;
  readonly align: number;
  readonly signed: boolean;
  /** Stored in network byte order (big-endian). */
  readonly bigEndian: boolean;
}

export interface ArraySchema {
  readonly kind: 'array';
  readonly element: Schema;
  readonly length: number;
  readonly size: number;
  readonly align: number;
}

export interface FieldLayout {
  readonly name: string;
  readonly schema: Schema;
  /** Byte offset from the start of the struct. */
  readonly offset: number;
}

export interface StructSchema<F extends Record<string, Schema> = Record<string, Schema>> {
  readonly kind: 'struct';
  /** C name used in BTF; generated when not given. */
  readonly name: string;
  readonly fields: F;
  readonly layout: readonly FieldLayout[];
  readonly size: number;
  readonly align: number;
}

export type Schema = ScalarSchema | ArraySchema | StructSchema;

/** The JavaScript value of a schema: bigint for 64-bit scalars, number for the others. */
export type ValueOf<S extends Schema> = S extends ScalarSchema
  ? S['size'] extends 8 ? bigint : number
  : S extends ArraySchema
    ? S['element'] extends ScalarSchema
      ? S['element']['size'] extends 1 ? Uint8Array : ValueOf<S['element']>[]
      : unknown[]
    : S extends StructSchema<infer F>
      ? { [K in keyof F]: ValueOf<F[K]> }
      : never;

function scalar<T extends ScalarKind, N extends 1 | 2 | 4 | 8>(type: T, size: N, signed: boolean, bigEndian = false) {
  return Object.freeze({ kind: 'scalar', type, size, align: size, signed, bigEndian }) as ScalarSchema & { readonly type: T; readonly size: N };
}

export const u8 = scalar('u8', 1, false);
export const u16 = scalar('u16', 2, false);
export const u32 = scalar('u32', 4, false);
export const u64 = scalar('u64', 8, false);
export const i8 = scalar('i8', 1, true);
export const i16 = scalar('i16', 2, true);
export const i32 = scalar('i32', 4, true);
export const i64 = scalar('i64', 8, true);
/** Network-order fields: stored big-endian, read and written as host numbers. */
export const be16 = scalar('be16', 2, false, true);
export const be32 = scalar('be32', 4, false, true);
export const be64 = scalar('be64', 8, false, true);

/** Keep schemas small: they live on the 512-byte BPF stack. */
export const MAX_SCHEMA_SIZE = 4096;

/** A fixed-length array, e.g. `array(u8, 16)` for an IPv6 address. */
export function array<E extends Schema, N extends number>(element: E, length: N): ArraySchema & { readonly element: E } {
  if (!Number.isInteger(length) || length < 1 || length * element.size > MAX_SCHEMA_SIZE) {
    throw new SchemaError(`array length ${length} must be an integer ≥ 1 with at most ${MAX_SCHEMA_SIZE} bytes in all`);
  }
  return Object.freeze({ kind: 'array', element, length, size: element.size * length, align: element.align });
}

let anonymous = 0;

/** A struct laid out as C lays it out: each field at its alignment, size padded to the largest. */
export function struct<F extends Record<string, Schema>>(fields: F, name?: string): StructSchema<F> {
  const layout: FieldLayout[] = [];
  let offset = 0;
  let align = 1;
  for (const [fname, schema] of Object.entries(fields)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(fname)) throw new SchemaError(`field name '${fname}' is not a C identifier`);
    offset = alignUp(offset, schema.align);
    layout.push({ name: fname, schema, offset });
    offset += schema.size;
    align = Math.max(align, schema.align);
  }
  if (layout.length === 0) throw new SchemaError('a struct needs at least one field');
  const size = alignUp(offset, align);
  if (size > MAX_SCHEMA_SIZE) throw new SchemaError(`struct of ${size} bytes is larger than ${MAX_SCHEMA_SIZE}`);
  return Object.freeze({ kind: 'struct', name: name ?? `anon_struct_${++anonymous}`, fields, layout, size, align });
}

export const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Where a (possibly nested, dotted) field lives: `fieldAt(s, 'addr.hi')`. */
export function fieldAt(schema: StructSchema, path: string): { offset: number; schema: Schema } {
  let offset = 0;
  let cur: Schema = schema;
  for (const part of path.split('.')) {
    if (cur.kind !== 'struct') throw new SchemaError(`'${path}': '${part}' is not inside a struct`);
    const f: FieldLayout | undefined = cur.layout.find((l) => l.name === part);
    if (f === undefined) throw new SchemaError(`no field '${part}' in struct ${cur.name} (fields: ${cur.layout.map((l) => l.name).join(', ')})`);
    offset += f.offset;
    cur = f.schema;
  }
  return { offset, schema: cur };
}

export function isSchema(x: unknown): x is Schema {
  if (typeof x !== 'object' || x === null) return false;
  const k = (x as { kind?: unknown }).kind;
  return k === 'scalar' || k === 'array' || k === 'struct';
}
