// Test support: run llvm-readelf-14 -S -s -r and parse its GNU-style tables into the same
// normalized shape we derive from an ElfFile, so the two can be compared with toEqual.
import { spawnSync } from 'node:child_process';
import { SectionType, type ElfFile } from '../../src/elf/elf-file.js';

export interface NormSection { name: string; type: string; size: number; flags: string; align: number; entsize: number }
export interface NormSymbol { name: string; value: number; size: number; type: string; bind: string; vis: string; ndx: string }
export interface NormReloc { section: string; offset: number; type: string; symbol: string }
export interface NormElf { sections: NormSection[]; symbols: NormSymbol[]; relocations: NormReloc[] }

const HIDDEN_TYPES = new Set(['NULL', 'STRTAB', 'SYMTAB', 'REL', 'LLVM_ADDRSIG']);

export function readelf(tool: string, path: string): NormElf {
  const r = spawnSync(tool, ['-S', '-s', '-r', '-W', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  const sections: NormSection[] = [];
  const indexName = new Map<string, string>();
  const symbols: NormSymbol[] = [];
  const relocations: NormReloc[] = [];
  let mode = '';
  let relSection = '';
  for (const line of lines) {
    if (line.startsWith('Section Headers:')) { mode = 'S'; continue; }
    if (line.startsWith('Key to Flags')) { mode = ''; continue; }
    let m = /^Relocation section '\.rel(.*)' at offset/.exec(line);
    if (m) { mode = 'R'; relSection = m[1]!; continue; }
    if (/^Symbol table '\.symtab'/.test(line)) { mode = 'Y'; continue; }
    if (mode === 'S') {
      m = /^\s*\[\s*(\d+)\]\s+(\S*)\s+([A-Z_]+)\s+[0-9a-f]{16}\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
      if (!m) continue;
      const name = m[2]!.trim();
      indexName.set(m[1]!, name);
      if (HIDDEN_TYPES.has(m[3]!)) continue;
      sections.push({ name, type: m[3]!, size: parseInt(m[5]!, 16), flags: m[7]!, align: Number(m[10]), entsize: parseInt(m[6]!, 16) });
    } else if (mode === 'R') {
      m = /^([0-9a-f]{16})\s+[0-9a-f]{16}\s+(\S+)\s+[0-9a-f]{16}\s+(.*)$/.exec(line);
      if (m) relocations.push({ section: relSection, offset: parseInt(m[1]!, 16), type: m[2]!, symbol: m[3]!.trim() });
    } else if (mode === 'Y') {
      m = /^\s*(\d+):\s+([0-9a-f]+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s?(.*)$/.exec(line);
      if (!m || m[1] === '0') continue;
      const ndx = m[7]!;
      symbols.push({ name: m[8]!, value: parseInt(m[2]!, 16), size: Number(m[3]), type: m[4]!, bind: m[5]!, vis: m[6]!, ndx: /^\d+$/.test(ndx) ? indexName.get(ndx)! : ndx });
    }
  }
  return { sections, symbols, relocations };
}

const TYPE_NAME: Record<number, string> = { [SectionType.PROGBITS]: 'PROGBITS', [SectionType.NOBITS]: 'NOBITS', [SectionType.NULL]: 'NULL' };
const RELOC_NAME: Record<number, string> = { 0: 'R_BPF_NONE', 1: 'R_BPF_64_64', 2: 'R_BPF_64_ABS64', 3: 'R_BPF_64_ABS32', 4: 'R_BPF_64_NODYLD32', 10: 'R_BPF_64_32' };
const FLAG_LETTERS: [number, string][] = [[0x1, 'W'], [0x2, 'A'], [0x4, 'X'], [0x10, 'M'], [0x20, 'S'], [0x40, 'I'], [0x80000000, 'E']];

/** The same normalized view, computed from our model. */
export function normalize(file: ElfFile): NormElf {
  return {
    sections: file.sections.map((s) => ({
      name: s.name,
      type: TYPE_NAME[s.type] ?? String(s.type),
      size: s.size ?? s.data.length,
      flags: FLAG_LETTERS.filter(([bit]) => (s.flags & bit) !== 0).map(([, l]) => l).join(''),
      align: s.align,
      entsize: s.entsize ?? 0,
    })),
    symbols: file.symbols.map((s) => ({
      name: s.name,
      value: s.value,
      size: s.size,
      type: s.kind.toUpperCase(),
      bind: s.binding.toUpperCase(),
      vis: (s.visibility ?? 'default').toUpperCase(),
      ndx: s.section === undefined ? 'UND' : s.section === 'COMMON' ? 'COM' : s.section,
    })),
    relocations: file.relocations.map((r) => ({ section: r.section, offset: r.offset, type: RELOC_NAME[r.type] ?? String(r.type), symbol: r.symbol })),
  };
}
