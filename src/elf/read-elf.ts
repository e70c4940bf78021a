// bytes → ElfFile. Every header field, offset, size and count is checked against the input
// before it is used, so truncated, corrupted or random bytes give an ElfError naming the offset;
// nothing is allocated in proportion to a size read from the file (section data are views into
// the input, which bounds them).
//
// What the ElfFile leaves out: the null section, the symbol table, its string table, the section
// name string table, REL sections (turned into `relocations`) and `.llvm_addrsig` (symbol indices
// that a rewritten symbol table would invalidate; it only serves linker ICF).

import {
  ABS_SECTION, COMMON_SECTION, EHDR_SIZE, ELFCLASS64, ELFDATA2LSB, ELFDATA2MSB, ELF_MAGIC, EM_BPF, ET_REL,
  REL_SIZE, SHDR_SIZE, SHN_ABS, SHN_COMMON, SHN_LORESERVE, SHN_UNDEF, SHN_XINDEX, STB_GLOBAL, STB_LOCAL, STB_WEAK,
  STT_FILE, STT_FUNC, STT_NOTYPE, STT_OBJECT, STT_SECTION, SYM_SIZE,
} from './elf-constants.js';
import { SectionType, type ElfFile, type ElfRelocation, type ElfSection, type ElfSymbol, type SymbolBinding, type SymbolKind, type SymbolVisibility } from './elf-file.js';
import { ElfError } from './errors.js';

const decoder = new TextDecoder('utf-8');

const BINDING: Partial<Record<number, SymbolBinding>> = { [STB_LOCAL]: 'local', [STB_GLOBAL]: 'global', [STB_WEAK]: 'weak' };
const KIND: Partial<Record<number, SymbolKind>> = { [STT_NOTYPE]: 'notype', [STT_OBJECT]: 'object', [STT_FUNC]: 'func', [STT_SECTION]: 'section', [STT_FILE]: 'file' };
const VISIBILITY: readonly SymbolVisibility[] = ['default', 'internal', 'hidden', 'protected'];

/** One section header as read, before names are resolved. */
interface RawSection {
  index: number;
  /** File offset of the header itself (for error messages). */
  at: number;
  nameOff: number;
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  align: number;
  entsize: number;
}

class Reader {
  readonly dv: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly le: boolean,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  /** Check [offset, offset+len) is inside the file; `field` is where the offset was read from. */
  need(offset: number, len: number, what: string, field: number): void {
    if (offset < 0 || len < 0 || offset + len > this.bytes.length) {
      throw new ElfError(`${what} (${len} bytes at ${offset}) runs past the end of the ${this.bytes.length}-byte file`, field);
    }
  }
  u8(o: number): number { return this.dv.getUint8(o); }
  u16(o: number): number { return this.dv.getUint16(o, this.le); }
  u32(o: number): number { return this.dv.getUint32(o, this.le); }
  /** A u64 that must fit a JS safe integer (every size/offset in a real object does). */
  u64(o: number, what: string): number {
    const v = this.dv.getBigUint64(o, this.le);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`${what} 0x${v.toString(16)} is too large`, o);
    return Number(v);
  }
  /** A u64 value field (symbol value), kept as a number even when huge: wraps to a signed value. */
  u64Value(o: number): number {
    const v = this.dv.getBigUint64(o, this.le);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number(BigInt.asIntN(64, v)) : Number(v);
  }
}

/** Read a NUL-terminated name from a string table section. */
function readName(r: Reader, table: RawSection, nameOff: number, at: number, what: string): string {
  if (nameOff >= table.size) throw new ElfError(`${what}: name offset ${nameOff} is outside the ${table.size}-byte string table`, at);
  const start = table.offset + nameOff;
  const end = table.offset + table.size;
  let i = start;
  while (i < end && r.bytes[i] !== 0) i++;
  if (i === end) throw new ElfError(`${what}: name at string table offset ${nameOff} is not NUL-terminated`, at);
  return decoder.decode(r.bytes.subarray(start, i));
}

/** Parse an ELF64 EM_BPF relocatable object. Throws ElfError on anything malformed. */
export function readElf(bytes: Uint8Array): ElfFile {
  if (bytes.length < EHDR_SIZE) throw new ElfError(`file is ${bytes.length} bytes, shorter than an ELF64 header`, 0);
  for (let i = 0; i < 4; i++) if (bytes[i] !== ELF_MAGIC[i]) throw new ElfError('not an ELF file (bad magic)', i);
  if (bytes[4] !== ELFCLASS64) throw new ElfError(`not ELF64 (class ${bytes[4]})`, 4);
  if (bytes[5] !== ELFDATA2LSB && bytes[5] !== ELFDATA2MSB) throw new ElfError(`bad data encoding ${bytes[5]}`, 5);
  const le = bytes[5] === ELFDATA2LSB;
  const r = new Reader(bytes, le);
  if (bytes[6] !== 1) throw new ElfError(`bad ELF version ${bytes[6]}`, 6);
  const type = r.u16(16);
  if (type !== ET_REL) throw new ElfError(`not a relocatable object (e_type ${type})`, 16);
  const machine = r.u16(18);
  if (machine !== EM_BPF) throw new ElfError(`not a BPF object (e_machine ${machine}, want ${EM_BPF})`, 18);
  const shoff = r.u64(40, 'e_shoff');
  const shentsize = r.u16(58);
  const shnum = r.u16(60);
  const shstrndx = r.u16(62);
  if (shnum === 0) throw new ElfError('no section headers (or an extended section count, unsupported)', 60);
  if (shentsize !== SHDR_SIZE) throw new ElfError(`e_shentsize is ${shentsize}, want ${SHDR_SIZE}`, 58);
  if (shstrndx === SHN_XINDEX) throw new ElfError('extended section name table index is not supported', 62);
  if (shstrndx >= shnum) throw new ElfError(`e_shstrndx ${shstrndx} is not below e_shnum ${shnum}`, 62);
  r.need(shoff, shnum * SHDR_SIZE, 'section header table', 40);

  // --- section headers -----------------------------------------------------------------------------
  const raw: RawSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * SHDR_SIZE;
    const s: RawSection = {
      index: i,
      at,
      nameOff: r.u32(at),
      name: '',
      type: r.u32(at + 4),
      flags: r.u64(at + 8, `section ${i} flags`),
      offset: r.u64(at + 24, `section ${i} offset`),
      size: r.u64(at + 32, `section ${i} size`),
      link: r.u32(at + 40),
      info: r.u32(at + 44),
      align: r.u64(at + 48, `section ${i} alignment`),
      entsize: r.u64(at + 56, `section ${i} entsize`),
    };
    if (i > 0 && s.type !== SectionType.NOBITS && s.type !== SectionType.NULL) {
      if (s.offset + s.size > bytes.length) {
        throw new ElfError(`section ${i} data (offset ${s.offset}, size ${s.size}) runs past the end of the ${bytes.length}-byte file`, at + 24);
      }
    }
    raw.push(s);
  }
  const shstr = raw[shstrndx]!;
  if (shstr.type !== SectionType.STRTAB) throw new ElfError(`section name table (section ${shstrndx}) is not a string table`, shstr.at + 4);
  for (const s of raw) if (s.index > 0) s.name = readName(r, shstr, s.nameOff, s.at, `section ${s.index}`);

  // --- symbol table ---------------------------------------------------------------------------------
  const symtabs = raw.filter((s) => s.type === SectionType.SYMTAB);
  if (symtabs.length > 1) throw new ElfError('more than one symbol table', symtabs[1]!.at);
  const symtab = symtabs[0];
  let strtab: RawSection | undefined;
  const skip = new Set<number>([0, shstrndx]);
  interface RawSymbol { sym: ElfSymbol; shndx: number; at: number }
  const rawSyms: RawSymbol[] = [];
  if (symtab) {
    skip.add(symtab.index);
    if (symtab.entsize !== SYM_SIZE) throw new ElfError(`symbol table entsize is ${symtab.entsize}, want ${SYM_SIZE}`, symtab.at + 56);
    if (symtab.size % SYM_SIZE !== 0) throw new ElfError(`symbol table size ${symtab.size} is not a multiple of ${SYM_SIZE}`, symtab.at + 32);
    if (symtab.link === 0 || symtab.link >= shnum || raw[symtab.link]!.type !== SectionType.STRTAB) {
      throw new ElfError(`symbol table links to section ${symtab.link}, which is not a string table`, symtab.at + 40);
    }
    strtab = raw[symtab.link]!;
    skip.add(strtab.index);
    const count = symtab.size / SYM_SIZE;
    for (let k = 1; k < count; k++) {
      const at = symtab.offset + k * SYM_SIZE;
      const info = r.u8(at + 4);
      const other = r.u8(at + 5);
      const shndx = r.u16(at + 6);
      const binding = BINDING[info >> 4];
      const kind = KIND[info & 0xf];
      if (!binding) throw new ElfError(`symbol ${k}: unsupported binding ${info >> 4}`, at + 4);
      if (!kind) throw new ElfError(`symbol ${k}: unsupported type ${info & 0xf}`, at + 4);
      let name = readName(r, strtab, r.u32(at), at, `symbol ${k}`);
      let section: string | undefined;
      if (shndx === SHN_UNDEF) section = undefined;
      else if (shndx === SHN_ABS) section = ABS_SECTION;
      else if (shndx === SHN_COMMON) section = COMMON_SECTION;
      else if (shndx >= SHN_LORESERVE) throw new ElfError(`symbol ${k}: unsupported special section index 0x${shndx.toString(16)}`, at + 6);
      else if (shndx >= shnum) throw new ElfError(`symbol ${k}: section index ${shndx} is not below ${shnum}`, at + 6);
      else section = raw[shndx]!.name;
      if (kind === 'section') {
        if (section === undefined || shndx >= SHN_LORESERVE) throw new ElfError(`section symbol ${k} names no section`, at + 6);
        name = section;
      }
      const sym: ElfSymbol = {
        name,
        ...(section !== undefined ? { section } : {}),
        value: r.u64Value(at + 8),
        ...(r.dv.getBigUint64(at + 8, r.le) > BigInt(Number.MAX_SAFE_INTEGER) ? { bigValue: r.dv.getBigUint64(at + 8, r.le) } : {}),
        size: r.u64(at + 16, `symbol ${k} size`),
        kind,
        binding,
        ...((other & 3) !== 0 ? { visibility: VISIBILITY[other & 3]! } : {}),
      };
      rawSyms.push({ sym, shndx, at });
    }
  }

  // --- sections kept in the model -------------------------------------------------------------------
  const kept = new Set<number>();
  const sections: ElfSection[] = [];
  const names = new Set<string>();
  for (const s of raw) {
    if (skip.has(s.index)) continue;
    if (s.type === SectionType.REL || s.type === SectionType.LLVM_ADDRSIG || s.type === SectionType.NULL) continue;
    if (s.type === SectionType.RELA) throw new ElfError(`section ${s.name}: RELA relocations are not used by BPF objects`, s.at + 4);
    if (names.has(s.name)) throw new ElfError(`duplicate section name ${s.name}`, s.at);
    if (s.align > 0 && (s.align & (s.align - 1)) !== 0) throw new ElfError(`section ${s.name}: alignment ${s.align} is not a power of two`, s.at + 48);
    names.add(s.name);
    kept.add(s.index);
    const nobits = s.type === SectionType.NOBITS;
    sections.push({
      name: s.name,
      type: s.type,
      flags: s.flags,
      data: nobits ? new Uint8Array(0) : bytes.subarray(s.offset, s.offset + s.size),
      ...(nobits ? { size: s.size } : {}),
      align: s.align,
      ...(s.entsize !== 0 ? { entsize: s.entsize } : {}),
    });
  }
  for (const { sym, shndx, at } of rawSyms) {
    if (shndx !== SHN_UNDEF && shndx < SHN_LORESERVE && !kept.has(shndx)) {
      throw new ElfError(`symbol ${sym.name} is defined in section ${shndx} (${raw[shndx]!.name}), which holds no data`, at + 6);
    }
  }
  const symbols = rawSyms.map((s) => s.sym);
  const nameCount = new Map<string, number>();
  for (const s of symbols) if (s.kind !== 'section') nameCount.set(s.name, (nameCount.get(s.name) ?? 0) + 1);

  // --- relocations ----------------------------------------------------------------------------------
  const relocations: ElfRelocation[] = [];
  for (const s of raw) {
    if (s.type !== SectionType.REL) continue;
    if (!symtab || s.link !== symtab.index) throw new ElfError(`relocation section ${s.name} does not link to the symbol table`, s.at + 40);
    if (s.entsize !== REL_SIZE) throw new ElfError(`relocation section ${s.name}: entsize ${s.entsize}, want ${REL_SIZE}`, s.at + 56);
    if (s.size % REL_SIZE !== 0) throw new ElfError(`relocation section ${s.name}: size ${s.size} is not a multiple of ${REL_SIZE}`, s.at + 32);
    if (s.info === 0 || s.info >= shnum || !kept.has(s.info)) throw new ElfError(`relocation section ${s.name} applies to section ${s.info}, which holds no data`, s.at + 44);
    const target = raw[s.info]!;
    const targetSize = target.size;
    const count = s.size / REL_SIZE;
    for (let k = 0; k < count; k++) {
      const at = s.offset + k * REL_SIZE;
      const offset = r.u64(at, 'relocation offset');
      const type = r.u32(at + (le ? 8 : 12));
      const symIndex = r.u32(at + (le ? 12 : 8));
      if (offset >= targetSize) throw new ElfError(`relocation ${k} of ${s.name}: offset ${offset} is outside the ${targetSize}-byte section ${target.name}`, at);
      if (symIndex > rawSyms.length) throw new ElfError(`relocation ${k} of ${s.name}: symbol index ${symIndex} is not below ${rawSyms.length + 1}`, at + (le ? 12 : 8));
      if (symIndex === 0) {
        relocations.push({ section: target.name, offset, symbol: '', type });
        continue;
      }
      const sym = symbols[symIndex - 1]!;
      if (sym.kind === 'section') {
        relocations.push({ section: target.name, offset, symbol: sym.name, sectionSymbol: true, type });
      } else if ((nameCount.get(sym.name) ?? 0) > 1) {
        relocations.push({ section: target.name, offset, symbol: sym.name, type, symbolIndex: symIndex - 1 });
      } else {
        relocations.push({ section: target.name, offset, symbol: sym.name, type });
      }
    }
  }
  const addrsigSec = raw.find((s) => s.type === SectionType.LLVM_ADDRSIG);
  const addrsig = addrsigSec === undefined ? undefined : addrsigNames(r, addrsigSec, symbols);
  return { bigEndian: !le, sections, symbols, relocations, ...(addrsig !== undefined ? { addrsig } : {}) };
}

/**
 * The symbols an .llvm_addrsig section lists (ULEB128 symbol-table indices); undefined when it
 * is malformed (only linkers use it, so it does not make the object unreadable).
 */
function addrsigNames(r: Reader, s: RawSection, symbols: readonly ElfSymbol[]): string[] | undefined {
  const out: string[] = [];
  const end = s.offset + s.size;
  if (end > r.bytes.length) return undefined;
  for (let p = s.offset; p < end;) {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      if (p >= end || shift > 28) return undefined;
      const c = r.bytes[p++]!;
      v += (c & 0x7f) * 2 ** shift;
      if ((c & 0x80) === 0) break;
    }
    const sym = symbols[v - 1];
    if (sym === undefined) return undefined;
    out.push(sym.name);
  }
  return out;
}
