// A C struct layout as data: each field's byte offset and size, plus the C member path the
// layout test uses to check it against the system header with gcc's offsetof.

/** [offset, size in bytes, C member path inside `cType`]. */
export type FieldSpec = readonly [offset: number, size: number, cPath: string];

export interface Layout<F extends string> {
  /** The C type this layout mirrors, e.g. `union bpf_attr`. */
  readonly cType: string;
  /** sizeof(cType) in the header the table was taken from. */
  readonly size: number;
  /** Field offsets by name (what the hot paths use). */
  readonly off: { readonly [K in F]: number };
  /** Full field specs (for the layout test and for generic readers). */
  readonly fields: { readonly [K in F]: FieldSpec };
}

export function layout<F extends string>(cType: string, size: number, fields: { readonly [K in F]: FieldSpec }): Layout<F> {
  const off = {} as { [K in F]: number };
  for (const key of Object.keys(fields) as F[]) off[key] = fields[key][0];
  return { cType, size, off, fields };
}
