// BTF kind numbers and flags (include/uapi/linux/btf.h).

export const BtfKind = {
  UNKN: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

/** The model's kind names, indexed by kind number. */
export const KIND_NAMES = [
  'void', 'int', 'ptr', 'array', 'struct', 'union', 'enum', 'fwd', 'typedef', 'volatile', 'const', 'restrict',
  'func', 'func_proto', 'var', 'datasec', 'float', 'decl_tag', 'type_tag', 'enum64',
] as const;

/** BTF_INT_ENCODING bits. */
export const BtfIntEncoding = {
  SIGNED: 1,
  CHAR: 2,
  BOOL: 4,
} as const;

/** BTF_FUNC_* linkage of a FUNC (stored in vlen). */
export const BtfFuncLinkage = {
  STATIC: 0,
  GLOBAL: 1,
  EXTERN: 2,
} as const;

/** BTF_VAR_* linkage of a VAR. */
export const BtfVarLinkage = {
  STATIC: 0,
  GLOBAL_ALLOCATED: 1,
  GLOBAL_EXTERN: 2,
} as const;

export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;
export const BTF_HEADER_SIZE = 24;
/** Largest vlen a type can have (16 bits). */
export const BTF_MAX_VLEN = 0xffff;
