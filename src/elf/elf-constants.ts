// ELF64 header constants used by the reader and the writer (System V gABI, llvm's BPF target).

export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const EV_CURRENT = 1;
/** Relocatable object file. */
export const ET_REL = 1;
/** The machine number of eBPF. */
export const EM_BPF = 247;

export const EHDR_SIZE = 64;
export const SHDR_SIZE = 64;
export const SYM_SIZE = 24;
export const REL_SIZE = 16;
export const RELA_SIZE = 24;

/** Undefined section index. */
export const SHN_UNDEF = 0;
/** First reserved section index: indices from here on are not real sections. */
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
/** The real index is in an extended table (not used by BPF objects). */
export const SHN_XINDEX = 0xffff;

/** sh_info of this section holds a section index. */
export const SHF_INFO_LINK = 0x40;
/** Excluded from the final link (llvm puts it on .llvm_addrsig). */
export const SHF_EXCLUDE = 0x80000000;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;

/** Pseudo section names used by ElfSymbol.section for special indices. */
export const ABS_SECTION = 'ABS';
export const COMMON_SECTION = 'COMMON';
