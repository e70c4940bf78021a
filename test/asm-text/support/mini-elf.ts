// A small, independent ELF64 reader for tests: turns llvm-mc-14's objects into the same
// shape as our ElfFile model so the two can be compared field by field. Deliberately not
// the project's reader (src/elf/read-elf.ts), so a bug there cannot hide a bug here.
import type { ElfFile, ElfRelocation, ElfSection, ElfSymbol, SymbolBinding, SymbolKind, SymbolVisibility } from '../../../src/elf/elf-file.js';

const KINDS: Record<number, SymbolKind> = { 0: 'notype', 1: 'object', 2: 'func', 3: 'section', 4: 'file' };
const BINDS: Record<number, SymbolBinding> = { 0: 'local', 1: 'global', 2: 'weak' };
const VIS: Record<number, SymbolVisibility> = { 0: 'default', 1: 'internal', 2: 'hidden', 3: 'protected' };

export function readElfForTest(bytes: Uint8Array): ElfFile {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const be = bytes[5] === 2;
  const le = !be;
  const u16 = (o: number): number => dv.getUint16(o, le);
  const u32 = (o: number): number => dv.getUint32(o, le);
  const u64 = (o: number): number => Number(dv.getBigUint64(o, le));
  const shoff = u64(0x28);
  const shentsize = u16(0x3a);
  const shnum = u16(0x3c);
  const shstrndx = u16(0x3e);
  interface Sh { name: number; type: number; flags: number; offset: number; size: number; link: number; info: number; align: number; entsize: number }
  const shs: Sh[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    shs.push({ name: u32(o), type: u32(o + 4), flags: u64(o + 8), offset: u64(o + 0x18), size: u64(o + 0x20), link: u32(o + 0x28), info: u32(o + 0x2c), align: u64(o + 0x30), entsize: u64(o + 0x38) });
  }
  const str = (sec: Sh, off: number): string => {
    let end = sec.offset + off;
    while (bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(sec.offset + off, end));
  };
  const names = shs.map((s) => str(shs[shstrndx]!, s.name));
  const skip = (i: number): boolean => { const t = shs[i]!.type; return i === 0 || t === 2 || t === 3 || t === 9 || t === 4 || t === 0x6fff4c03; };
  const sections: ElfSection[] = [];
  for (let i = 0; i < shnum; i++) {
    if (skip(i)) continue;
    const s = shs[i]!;
    const nobits = s.type === 8;
    sections.push({
      name: names[i]!, type: s.type, flags: s.flags, data: nobits ? new Uint8Array(0) : bytes.slice(s.offset, s.offset + s.size),
      align: s.align, ...(nobits ? { size: s.size } : {}), ...(s.entsize !== 0 ? { entsize: s.entsize } : {}),
    });
  }
  const symtabIdx = shs.findIndex((s) => s.type === 2);
  const symbols: ElfSymbol[] = [];
  const rawSyms: { name: string; type: number; shndx: number }[] = [];
  if (symtabIdx >= 0) {
    const st = shs[symtabIdx]!;
    const strs = shs[st.link]!;
    for (let o = st.offset + 24; o < st.offset + st.size; o += 24) {
      const name = str(strs, u32(o));
      const info = bytes[o + 4]!;
      const other = bytes[o + 5]!;
      const shndx = u16(o + 6);
      const value = u64(o + 8);
      const size = u64(o + 16);
      const type = info & 0xf;
      rawSyms.push({ name, type, shndx });
      const section = shndx === 0 ? undefined : shndx === 0xfff1 ? 'ABS' : names[shndx];
      const symName = type === 3 ? names[shndx]! : name;
      symbols.push({
        name: symName, value, size, kind: KINDS[type] ?? 'notype', binding: BINDS[info >> 4] ?? 'local',
        ...(section !== undefined ? { section } : {}), ...((other & 3) !== 0 ? { visibility: VIS[other & 3]! } : {}),
      });
    }
  }
  const relocations: ElfRelocation[] = [];
  for (let i = 0; i < shnum; i++) {
    const s = shs[i]!;
    if (s.type !== 9) continue;
    for (let o = s.offset; o < s.offset + s.size; o += 16) {
      const offset = u64(o);
      const info = dv.getBigUint64(o + 8, le);
      const symIdx = Number(info >> 32n);
      const type = Number(info & 0xffffffffn);
      const raw = rawSyms[symIdx - 1]!;
      relocations.push(raw.type === 3
        ? { section: names[s.info]!, offset, symbol: names[raw.shndx]!, sectionSymbol: true, type }
        : { section: names[s.info]!, offset, symbol: raw.name, type });
    }
  }
  return { bigEndian: be, sections, symbols, relocations };
}
