// An ELF object back to assembly source that our assembler turns into the same section bytes
// and relocations: the listing's instruction text, plus labels where the text alone would lose
// information (bpf-to-bpf call targets, relocation targets) and raw `.byte` lines for data and
// for anything LLVM syntax cannot express.
import type { ElfFile, ElfRelocation, ElfSection } from '../../elf/elf-file.js';
import { RelocType, SectionFlag, SectionType } from '../../elf/elf-file.js';
import type { Instruction } from '../instruction.js';
import { CALL, CALLX, LD_IMM64 } from '../opcode.js';
import { invalidReason } from '../validate.js';
import { formatInstruction } from './format.js';

function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function flagString(flags: number): string {
  let s = '';
  if (flags & SectionFlag.ALLOC) s += 'a';
  if (flags & SectionFlag.WRITE) s += 'w';
  if (flags & SectionFlag.EXECINSTR) s += 'x';
  if (flags & SectionFlag.MERGE) s += 'M';
  if (flags & SectionFlag.STRINGS) s += 'S';
  return s;
}

function plus(k: number): string {
  return k === 0 ? '' : k > 0 ? ` + ${k}` : ` - ${-k}`;
}

function readInt(data: Uint8Array, at: number, size: number, be: boolean): bigint {
  let v = 0n;
  for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(data[be ? at + i : at + size - 1 - i]!);
  return BigInt.asIntN(size * 8, v);
}

function readSlot(b: Uint8Array, p: number, be: boolean): Instruction {
  const regs = b[p + 1]!;
  const dv = new DataView(b.buffer, b.byteOffset + p, 8);
  return {
    code: b[p]!, dst: be ? regs >> 4 : regs & 0xf, src: be ? regs & 0xf : regs >> 4,
    off: dv.getInt16(2, !be), imm: dv.getInt32(4, !be),
  };
}

/** Assembly source for an object; `assemble()` of it gives the same section bytes and relocations. */
export function disassembleToSource(elf: ElfFile): string {
  const be = elf.bigEndian;
  const out: string[] = [];
  const secIndex = new Map(elf.sections.map((s, i) => [s.name, i]));
  const secLabel = (name: string): string => `.Lsec${secIndex.get(name)}`;
  for (const s of elf.symbols) if (s.kind === 'file') out.push(`\t.file ${quote(s.name)}`);
  for (const s of elf.symbols) {
    if (s.kind === 'file' || s.kind === 'section') continue;
    if (s.section === 'ABS') out.push(`\t.set ${s.name}, ${s.value}`);
    else if (s.section === undefined && s.binding !== 'local') out.push(`\t${s.binding === 'weak' ? '.weak' : '.globl'} ${s.name}`);
    else if (s.section === 'COMMON') { // st_value is the alignment
      if (s.binding === 'weak') out.push(`\t.weak ${s.name}`);
      if (s.visibility !== undefined && s.visibility !== 'default') out.push(`\t.${s.visibility} ${s.name}`);
      out.push(`\t.comm ${s.name},${s.size},${s.value}`);
    }
  }
  // Section-symbol references point at an offset: give each such offset a label of its own,
  // so that the reassembled reference has no addend (an addend into a SHF_MERGE section would
  // make llvm-mc, and us, relocate against the label instead of the section).
  const at = new Map<string, Set<number>>();
  for (const r of elf.relocations) {
    if (r.sectionSymbol !== true) continue;
    const off = sectionOffset(elf, r, be);
    if (off === undefined) continue;
    const target = elf.sections[secIndex.get(r.symbol) ?? -1];
    if (target === undefined || off < 0 || off > (target.size ?? target.data.length)) continue;
    if (!at.has(r.symbol)) at.set(r.symbol, new Set());
    at.get(r.symbol)!.add(off);
  }
  if (elf.addrsig !== undefined) out.push('\t.addrsig', ...elf.addrsig.map((name) => `\t.addrsig_sym ${name}`));
  for (const sec of elf.sections) {
    if (sec.type === SectionType.LLVM_ADDRSIG) { out.push(...addrsigSource(elf, sec)); continue; }
    out.push(...sectionSource(elf, sec, be, secLabel, at.get(sec.name) ?? new Set()));
  }
  return `${out.join('\n')}\n`;
}

/** .llvm_addrsig holds ULEB128 symbol indices: back to `.addrsig_sym` directives. */
function addrsigSource(elf: ElfFile, sec: ElfSection): string[] {
  const out = ['\t.addrsig'];
  const b = sec.data;
  for (let p = 0; p < b.length;) {
    let v = 0;
    let shift = 0;
    while (p < b.length) {
      const c = b[p++]!;
      v += (c & 0x7f) * 2 ** shift;
      shift += 7;
      if ((c & 0x80) === 0) break;
    }
    const sym = elf.symbols[v - 1];
    if (sym !== undefined && sym.kind !== 'section') out.push(`\t.addrsig_sym ${sym.name}`);
  }
  return out;
}

/** The offset into its section that a section-symbol relocation refers to (addend read from the bytes). */
function sectionOffset(elf: ElfFile, r: ElfRelocation, be: boolean): number | undefined {
  const sec = elf.sections.find((s) => s.name === r.section);
  if (sec === undefined || r.offset + 8 > sec.data.length + 4) return undefined;
  switch (r.type) {
    case RelocType.R_BPF_64_64: return Number(readInt(sec.data, r.offset + 4, 4, be));
    case RelocType.R_BPF_64_32: return (Number(readInt(sec.data, r.offset + 4, 4, be)) + 1) * 8;
    case RelocType.R_BPF_64_ABS64: return r.offset + 8 <= sec.data.length ? Number(readInt(sec.data, r.offset, 8, be)) : undefined;
    default: return r.offset + 4 <= sec.data.length ? Number(readInt(sec.data, r.offset, 4, be)) : undefined;
  }
}

function sectionSource(elf: ElfFile, sec: ElfSection, be: boolean, secLabel: (name: string) => string, refs: Set<number>): string[] {
  const out: string[] = [];
  const nobits = sec.type === SectionType.NOBITS;
  const type = nobits ? '@nobits' : '@progbits';
  const ent = (sec.flags & SectionFlag.MERGE) !== 0 ? `,${sec.entsize ?? 1}` : '';
  out.push(`\t.section ${quote(sec.name)},${quote(flagString(sec.flags))},${type}${ent}`);
  if (sec.align > 1) out.push(`\t.p2align ${Math.log2(sec.align)}`);
  out.push(`${secLabel(sec.name)}:`);
  // Labels: the object's own symbols, then call targets that need one.
  const labels = new Map<number, string[]>();
  const addLabel = (at: number, text: string): void => {
    const list = labels.get(at);
    if (list === undefined) labels.set(at, [text]);
    else if (!list.includes(text)) list.push(text);
  };
  const tail: string[] = [];
  for (const s of elf.symbols) {
    if (s.section !== sec.name || s.kind === 'section' || s.kind === 'file') continue;
    const pre: string[] = [];
    if (s.binding !== 'local') pre.push(`\t${s.binding === 'weak' ? '.weak' : '.globl'} ${s.name}`);
    if (s.visibility !== undefined && s.visibility !== 'default') pre.push(`\t.${s.visibility} ${s.name}`);
    if (s.kind === 'func' || s.kind === 'object') pre.push(`\t.type ${s.name},@${s.kind === 'func' ? 'function' : 'object'}`);
    addLabel(s.value, [...pre, `${s.name}:`].join('\n'));
    if (s.size !== 0) tail.push(`\t.size ${s.name}, ${s.size}`);
  }
  for (const off of refs) addLabel(off, `${secLabel(sec.name)}_${off}:`);
  const relocs = new Map<number, ElfRelocation>();
  for (const r of elf.relocations) if (r.section === sec.name) relocs.set(r.offset, r);
  /** The text naming a relocation's target plus the addend `k` carried in the bytes. */
  const ref = (r: ElfRelocation, k: number): string => {
    if (r.sectionSymbol !== true) return `${r.symbol}${plus(k)}`;
    const target = elf.sections.find((x) => x.name === r.symbol);
    const limit = target === undefined ? -1 : (target.size ?? target.data.length);
    if (!(k >= 0 && k <= limit)) return `${secLabel(r.symbol)}${plus(k)}`;
    const named = target === undefined ? undefined : namedAt(target, k, r.type);
    return named ?? `${secLabel(r.symbol)}_${k}`;
  };
  /**
   * For a 4-byte data reference, llvm-mc picks R_BPF_64_NODYLD32 or R_BPF_64_ABS32 by what the
   * source named (build-elf.ts data32Type): a temporary label gives NODYLD32 in code sections,
   * a named symbol gives it in writable ones. The object's symbol of that offset, when naming it
   * rather than our label gives back the original type.
   */
  const namedAt = (target: ElfSection, k: number, type: number): string | undefined => {
    if (type !== RelocType.R_BPF_64_NODYLD32 && type !== RelocType.R_BPF_64_ABS32) return undefined;
    const alloc = (target.flags & SectionFlag.ALLOC) !== 0;
    const viaLabel = alloc && (target.flags & SectionFlag.EXECINSTR) !== 0 ? RelocType.R_BPF_64_NODYLD32 : RelocType.R_BPF_64_ABS32;
    const viaName = alloc && (target.flags & SectionFlag.WRITE) !== 0 ? RelocType.R_BPF_64_NODYLD32 : RelocType.R_BPF_64_ABS32;
    if (viaLabel === type || viaName !== type) return undefined;
    return elf.symbols.find((x) => x.section === target.name && x.value === k && x.kind !== 'section' && x.kind !== 'file' && x.binding === 'local' && !x.name.startsWith('.L'))?.name;
  };
  const size = nobits ? (sec.size ?? 0) : sec.data.length;
  const body: { at: number; text: string }[] = [];
  const b = sec.data;
  const code = (sec.flags & SectionFlag.EXECINSTR) !== 0 && !nobits;
  let p = 0;
  if (nobits) { // zeros up to each label, so that the labels land where they were
    let from = 0;
    for (const cut of [...labels.keys(), size].filter((o) => o > 0 && o <= size).sort((x, y) => x - y)) {
      if (cut > from) body.push({ at: from, text: `\t.zero ${cut - from}` });
      from = Math.max(from, cut);
    }
  }
  while (!nobits && p < b.length) {
    const r = relocs.get(p);
    if (code && p + 8 <= b.length) {
      const insn = readSlot(b, p, be);
      const wide = insn.code === LD_IMM64 && p + 16 <= b.length;
      if (wide) insn.imm2 = readSlot(b, p + 8, be).imm;
      const len = wide ? 16 : 8;
      let text: string | undefined;
      if (r !== undefined && wide && r.type === RelocType.R_BPF_64_64 && insn.src === 0 && insn.imm2 === 0) {
        text = `r${insn.dst} = ${ref(r, insn.imm)} ll`;
      } else if (r !== undefined && insn.code === CALL && r.type === RelocType.R_BPF_64_32 && insn.src === 1) {
        text = `call ${ref(r, (insn.imm + 1) * 8)}`;
      } else if (r === undefined && insn.code === CALL && insn.src === 1) {
        const dest = p + 8 + insn.imm * 8;
        const name = `${secLabel(sec.name)}_call${dest}`;
        if (dest >= 0 && dest < b.length) { addLabel(dest, `${name}:`); text = `call ${name}`; }
      } else if (r === undefined && invalidReason(insn) === undefined && !(insn.code === CALL && insn.src !== 0)
        && !(insn.code === CALLX && insn.imm !== 0)) {
        text = formatInstruction(insn);
      }
      body.push({ at: p, text: text !== undefined ? `\t${text}` : `\t.byte ${[...b.subarray(p, p + len)].join(', ')}` });
      p += len;
      continue;
    }
    if (r !== undefined && (r.type === RelocType.R_BPF_64_ABS64 || r.type === RelocType.R_BPF_64_ABS32 || r.type === RelocType.R_BPF_64_NODYLD32)) {
      const w = r.type === RelocType.R_BPF_64_ABS64 ? 8 : 4;
      body.push({ at: p, text: `\t${w === 8 ? '.quad' : '.long'} ${ref(r, Number(readInt(b, p, w, be)))}` });
      p += w;
      continue;
    }
    // Raw bytes up to the next relocation or label (16 per line).
    let end = Math.min(b.length, p + 16);
    for (let q = p + 1; q < end; q++) if (relocs.has(q) || labels.has(q)) { end = q; break; }
    body.push({ at: p, text: `\t.byte ${[...b.subarray(p, end)].join(', ')}` });
    p = end;
  }
  let li = 0;
  const positions = [...labels.keys()].sort((x, y) => x - y);
  for (const item of body) {
    while (li < positions.length && positions[li]! <= item.at) out.push(...labels.get(positions[li++]!)!);
    out.push(item.text);
  }
  while (li < positions.length) out.push(...labels.get(positions[li++]!)!);
  out.push(...tail);
  return out;
}
