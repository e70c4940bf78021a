// The low-level view of an ELF64 relocatable object: sections, symbols and REL relocations,
// with names instead of indices. The assembler produces it; the ELF writer turns it into bytes;
// the ELF reader produces it from bytes; the object model (programs, maps, BTF) sits above it.

/** ELF section types used by BPF objects. */
export const SectionType = {
  NULL: 0,
  PROGBITS: 1,
  SYMTAB: 2,
  STRTAB: 3,
  RELA: 4,
  NOBITS: 8,
  REL: 9,
  LLVM_ADDRSIG: 0x6fff4c03,
} as const;

/** ELF section flags. */
export const SectionFlag = {
  WRITE: 0x1,
  ALLOC: 0x2,
  EXECINSTR: 0x4,
  MERGE: 0x10,
  STRINGS: 0x20,
} as const;

/** BPF relocation types (llvm BPF backend, libbpf). */
export const RelocType = {
  NONE: 0,
  /** ld_imm64: maps, global data, function pointers */
  R_BPF_64_64: 1,
  /** 64-bit absolute data (e.g. in .BTF.ext, or pointers in data) */
  R_BPF_64_ABS64: 2,
  /** 32-bit absolute data (.BTF, .BTF.ext offsets) */
  R_BPF_64_ABS32: 3,
  /** 32-bit data, not resolved by the dynamic linker (.BTF.ext) */
  R_BPF_64_NODYLD32: 4,
  /** call imm: a bpf-to-bpf call into another section */
  R_BPF_64_32: 10,
} as const;

export type SymbolBinding = 'local' | 'global' | 'weak';
export type SymbolKind = 'notype' | 'object' | 'func' | 'section' | 'file';
export type SymbolVisibility = 'default' | 'internal' | 'hidden' | 'protected';

export interface ElfSection {
  readonly name: string;
  /** SectionType value. REL and symbol/string tables are derived by the writer: do not list them. */
  readonly type: number;
  /** SectionFlag bits. */
  readonly flags: number;
  /** Contents (for NOBITS, an empty array and `size` says how large). */
  readonly data: Uint8Array;
  /** Size for NOBITS sections; defaults to data.length. */
  readonly size?: number;
  /** Alignment in bytes (power of two; 0 or 1 means none). */
  readonly align: number;
  readonly entsize?: number;
}

export interface ElfSymbol {
  readonly name: string;
  /** Name of the section it is defined in; undefined for an undefined (extern) symbol, 'ABS' for absolute. */
  readonly section?: string;
  readonly value: number;
  /** The exact st_value when it is beyond 2^53 (an absolute `.set` constant): `value` is then only near it. */
  readonly bigValue?: bigint;
  readonly size: number;
  readonly kind: SymbolKind;
  readonly binding: SymbolBinding;
  readonly visibility?: SymbolVisibility;
}

export interface ElfRelocation {
  /** The section whose bytes are patched (the writer emits them in `.rel<section>`). */
  readonly section: string;
  /** Byte offset into that section. */
  readonly offset: number;
  /** Name of the symbol; for a section symbol, the section's name with `sectionSymbol: true`. */
  readonly symbol: string;
  /** The relocation is against the section symbol of section `symbol`. */
  readonly sectionSymbol?: boolean;
  /** RelocType value. */
  readonly type: number;
  /**
   * Index into ElfFile.symbols of the symbol meant, for when several symbols share the name
   * (the reader sets it only then). Ignored unless that symbol has name `symbol`.
   */
  readonly symbolIndex?: number;
}

export interface ElfFile {
  readonly bigEndian: boolean;
  /** Sections in file order (without the null section, symtab, strtab and .rel sections). */
  readonly sections: readonly ElfSection[];
  /** Symbols, without the null symbol. The writer orders locals before globals as ELF requires. */
  readonly symbols: readonly ElfSymbol[];
  readonly relocations: readonly ElfRelocation[];
  /**
   * Read from an object's .llvm_addrsig: the names of its address-significant symbols (what
   * `.addrsig_sym` lists). The assembler writes that section itself, among `sections`.
   */
  readonly addrsig?: readonly string[];
}
