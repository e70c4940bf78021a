// The BTF type model: one plain object per type, discriminated by `kind`. Type references are
// type ids (numbers) into the same Btf (0 is void). Names are strings; '' means anonymous.

export type BtfKindName =
  | 'void' | 'int' | 'ptr' | 'array' | 'struct' | 'union' | 'enum' | 'fwd' | 'typedef' | 'volatile' | 'const'
  | 'restrict' | 'func' | 'func_proto' | 'var' | 'datasec' | 'float' | 'decl_tag' | 'type_tag' | 'enum64';

/** Type id 0. Never stored in a type section. */
export interface BtfVoid {
  readonly kind: 'void';
  readonly name: '';
}

export interface BtfInt {
  readonly kind: 'int';
  readonly name: string;
  /** Size in bytes. */
  readonly size: number;
  /** BtfIntEncoding bits: SIGNED 1, CHAR 2, BOOL 4. */
  readonly encoding: number;
  readonly bitOffset: number;
  readonly bits: number;
}

/** Kinds that only point at another type. */
export interface BtfRef {
  readonly kind: 'ptr' | 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag';
  readonly name: string;
  readonly type: number;
}

export interface BtfArray {
  readonly kind: 'array';
  readonly name: string;
  /** Element type. */
  readonly type: number;
  readonly indexType: number;
  readonly nelems: number;
}

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  /** Offset of the member from the start of the struct, in bits. */
  readonly bitOffset: number;
  /** Bitfield width in bits (only with kindFlag set), 0 for a plain member. */
  readonly bitfieldSize: number;
}

export interface BtfComposite {
  readonly kind: 'struct' | 'union';
  readonly name: string;
  readonly size: number;
  /** Members' offsets encode bitfield sizes (BTF kind_flag). The encoder sets it when a member has a bitfieldSize. */
  readonly kindFlag: boolean;
  readonly members: readonly BtfMember[];
}

export interface BtfEnumValue {
  readonly name: string;
  /** Signed when the enum is signed, else unsigned 32-bit. */
  readonly value: number;
}

export interface BtfEnum {
  readonly kind: 'enum';
  readonly name: string;
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly BtfEnumValue[];
}

export interface BtfEnum64Value {
  readonly name: string;
  /** Signed when the enum is signed, else unsigned 64-bit. */
  readonly value: bigint;
}

export interface BtfEnum64 {
  readonly kind: 'enum64';
  readonly name: string;
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly BtfEnum64Value[];
}

export interface BtfFwd {
  readonly kind: 'fwd';
  readonly name: string;
  /** Forward declaration of a union (else a struct). */
  readonly union: boolean;
}

export interface BtfFunc {
  readonly kind: 'func';
  readonly name: string;
  /** The FUNC_PROTO. */
  readonly type: number;
  /** BtfFuncLinkage: 0 static, 1 global, 2 extern. */
  readonly linkage: number;
}

export interface BtfParam {
  readonly name: string;
  readonly type: number;
}

export interface BtfFuncProto {
  readonly kind: 'func_proto';
  readonly name: string;
  readonly returnType: number;
  /** A trailing {name: '', type: 0} marks a variadic function. */
  readonly params: readonly BtfParam[];
}

export interface BtfVar {
  readonly kind: 'var';
  readonly name: string;
  readonly type: number;
  /** BtfVarLinkage: 0 static, 1 global, 2 extern. */
  readonly linkage: number;
}

export interface BtfVarSecinfo {
  /** The VAR (or FUNC, for .ksyms). */
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

export interface BtfDatasec {
  readonly kind: 'datasec';
  readonly name: string;
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}

export interface BtfFloat {
  readonly kind: 'float';
  readonly name: string;
  readonly size: number;
}

export interface BtfDeclTag {
  readonly kind: 'decl_tag';
  readonly name: string;
  readonly type: number;
  /** -1 for the type itself, else the member/parameter index. */
  readonly componentIdx: number;
}

export type BtfType =
  | BtfVoid | BtfInt | BtfRef | BtfArray | BtfComposite | BtfEnum | BtfEnum64 | BtfFwd | BtfFunc | BtfFuncProto
  | BtfVar | BtfDatasec | BtfFloat | BtfDeclTag;

/** A type as stored in a type section (anything but void). */
export type BtfStoredType = Exclude<BtfType, BtfVoid>;

export const VOID: BtfVoid = Object.freeze({ kind: 'void', name: '' });
