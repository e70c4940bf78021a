// Reader for bpf_conformance test files (`.data`): the program (`-- asm` in ubpf syntax, or
// `-- raw` instruction words that replace it), the expected r0 (`-- result`) and the input
// memory (`-- mem`). See ../shared/conformance/README.md.
import { decode } from './encoding.js';
import { AsmError } from './errors.js';
import type { Instruction } from './instruction.js';
import { splitSections, type Section } from './conformance/sections.js';
import { assembleUbpf } from './conformance/ubpf-asm.js';

export { assembleUbpf } from './conformance/ubpf-asm.js';
export { splitSections, type Section, type SectionLine } from './conformance/sections.js';

export interface ConformanceTest {
  /** The program: the `-- raw` words when present, else the assembled `-- asm`. */
  readonly insns: Instruction[];
  /** Expected value of all 64 bits of r0 (unsigned). */
  readonly result?: bigint;
  /** Input memory; the program gets r1 = its address and r2 = its length. */
  readonly mem?: Uint8Array;
  /** The `-- raw` instruction words (u64, opcode in the low byte), when present. */
  readonly raw?: bigint[];
  /** The instructions assembled from `-- asm`, also when `-- raw` overrides them. */
  readonly asm?: Instruction[];
}

const INFORMATIONAL = new Set(['c', 'no register offset']);

/** Parse a conformance file. Throws AsmError (line, column) on malformed input. */
export function parseConformance(text: string, file = ''): ConformanceTest {
  const sections = splitSections(text);
  const seen = new Set<string>();
  let asm: Instruction[] | undefined;
  let raw: bigint[] | undefined;
  let result: bigint | undefined;
  let mem: Uint8Array | undefined;
  const where = (s: Section): AsmError => new AsmError(`duplicate section '-- ${s.name}'`, s.line, 1, file || undefined);
  for (const s of sections) {
    if (seen.has(s.name)) throw where(s);
    seen.add(s.name);
    switch (s.name) {
      case 'asm': asm = assembleUbpf(s.lines, file); break;
      case 'raw': raw = parseRaw(s, file); break;
      case 'result': result = parseResult(s, file); break;
      case 'mem': mem = parseMem(s, file); break;
      case 'error':
        throw new AsmError('negative tests (-- error) are not supported', s.line, 1, file || undefined);
      default:
        if (!INFORMATIONAL.has(s.name)) throw new AsmError(`unknown section '-- ${s.name}'`, s.line, 1, file || undefined);
    }
  }
  if (asm === undefined && raw === undefined) throw new AsmError('no -- asm or -- raw section', 1, 1, file || undefined);
  let insns = asm ?? [];
  if (raw !== undefined) {
    const bytes = new Uint8Array(raw.length * 8);
    const dv = new DataView(bytes.buffer);
    raw.forEach((w, i) => dv.setBigUint64(i * 8, w, true));
    try {
      insns = decode(bytes, { validate: false });
    } catch (e) {
      const line = sections.find((s) => s.name === 'raw')!.line;
      throw new AsmError(`-- raw: ${(e as Error).message}`, line, 1, file || undefined);
    }
  }
  return {
    insns,
    ...(result !== undefined ? { result } : {}),
    ...(mem !== undefined ? { mem } : {}),
    ...(raw !== undefined ? { raw } : {}),
    ...(asm !== undefined ? { asm } : {}),
  };
}

function parseRaw(s: Section, file: string): bigint[] {
  const out: bigint[] = [];
  for (const l of s.lines) {
    for (const m of l.text.matchAll(/\S+/g)) {
      if (!/^0x[0-9a-f]{1,16}$/i.test(m[0])) {
        throw new AsmError(`expected a 64-bit hex word, got '${m[0]}'`, l.line, l.column + (m.index ?? 0), file || undefined);
      }
      out.push(BigInt(m[0]));
    }
  }
  return out;
}

function parseResult(s: Section, file: string): bigint {
  const toks = s.lines.flatMap((l) => [...l.text.matchAll(/\S+/g)].map((m) => ({ t: m[0], l, col: l.column + (m.index ?? 0) })));
  if (toks.length !== 1) {
    throw new AsmError(`-- result needs exactly one value, got ${toks.length}`, toks[1]?.l.line ?? s.line, toks[1]?.col ?? 1, file || undefined);
  }
  const { t, l, col } = toks[0]!;
  const m = /^(-?)(0x[0-9a-f]+|\d+)$/i.exec(t);
  if (!m) throw new AsmError(`expected a number, got '${t}'`, l.line, col, file || undefined);
  const v = BigInt(m[2]!) * (m[1] ? -1n : 1n);
  if (v < -(1n << 63n) || v >= 1n << 64n) throw new AsmError(`result ${t} does not fit 64 bits`, l.line, col, file || undefined);
  return BigInt.asUintN(64, v);
}

function parseMem(s: Section, file: string): Uint8Array {
  const out: number[] = [];
  for (const l of s.lines) {
    for (const m of l.text.matchAll(/\S+/g)) {
      if (!/^[0-9a-f]{2}$/i.test(m[0])) {
        throw new AsmError(`expected a hex byte, got '${m[0]}'`, l.line, l.column + (m.index ?? 0), file || undefined);
      }
      out.push(parseInt(m[0], 16));
    }
  }
  return Uint8Array.from(out);
}
