// .BTF.ext: per-section func_info, line_info and CO-RE relocation records
// (tools/lib/bpf/libbpf_internal.h, struct btf_ext_header). In an object file every `insnOff`
// is a BYTE offset from the start of the ELF section named by `section`; the kernel wants
// instruction indices, which the linking step computes.

import { BTF_MAGIC } from './btf-kind.js';
import type { Btf } from './btf.js';
import type { BtfStringBuilder } from './btf-strings.js';
import { BtfError } from './errors.js';

export interface BtfFuncInfo {
  /** Byte offset of the function's first instruction in its section. */
  readonly insnOff: number;
  /** The FUNC type id. */
  readonly typeId: number;
}

export interface BtfLineInfo {
  readonly insnOff: number;
  readonly fileName: string;
  /** The source line's text. */
  readonly line: string;
  /** 1-based line number (22 bits). */
  readonly lineNum: number;
  /** 1-based column (10 bits), 0 when unknown. */
  readonly column: number;
}

/** enum bpf_core_relo_kind (include/uapi/linux/bpf.h). */
export const CoreReloKind = {
  FIELD_BYTE_OFFSET: 0,
  FIELD_BYTE_SIZE: 1,
  FIELD_EXISTS: 2,
  FIELD_SIGNED: 3,
  FIELD_LSHIFT_U64: 4,
  FIELD_RSHIFT_U64: 5,
  TYPE_ID_LOCAL: 6,
  TYPE_ID_TARGET: 7,
  TYPE_EXISTS: 8,
  TYPE_SIZE: 9,
  ENUMVAL_EXISTS: 10,
  ENUMVAL_VALUE: 11,
  TYPE_MATCHES: 12,
} as const;

export interface BtfCoreRelo {
  readonly insnOff: number;
  /** The local (program BTF) root type id. */
  readonly typeId: number;
  /** Access string: "0:1:2" member/array indices, or an enumerator index, or "0" for type relocations. */
  readonly accessStr: string;
  /** CoreReloKind value. */
  readonly kind: number;
}

export interface BtfExtSection<T> {
  /** ELF section name the records refer to. */
  readonly section: string;
  readonly records: readonly T[];
}

export interface BtfExt {
  readonly funcInfo: readonly BtfExtSection<BtfFuncInfo>[];
  readonly lineInfo: readonly BtfExtSection<BtfLineInfo>[];
  readonly coreRelos: readonly BtfExtSection<BtfCoreRelo>[];
}

const FUNC_INFO_SIZE = 8;
const LINE_INFO_SIZE = 16;
const CORE_RELO_SIZE = 16;
const HEADER_MIN = 24;
const HEADER_FULL = 32;

/** Decode .BTF.ext; names are read from the object's .BTF string section. */
export function decodeBtfExt(bytes: Uint8Array, btf: Btf): BtfExt {
  const strings = btf.strings;
  if (!strings) throw new BtfError('.BTF.ext needs the .BTF string section, and this Btf has none');
  if (bytes.length < HEADER_MIN) throw new BtfError(`.BTF.ext is ${bytes.length} bytes, shorter than its header`, 0);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le: boolean;
  if (dv.getUint16(0, true) === BTF_MAGIC) le = true;
  else if (dv.getUint16(0, false) === BTF_MAGIC) le = false;
  else throw new BtfError('.BTF.ext: bad magic', 0);
  if (bytes[2] !== 1) throw new BtfError(`.BTF.ext: unsupported version ${bytes[2]}`, 2);
  const hdrLen = dv.getUint32(4, le);
  if (hdrLen < HEADER_MIN || hdrLen > bytes.length) throw new BtfError(`.BTF.ext: header length ${hdrLen} is not in [${HEADER_MIN}, ${bytes.length}]`, 4);
  const str = (off: number, at: number): string => {
    const s = off === 0 ? '' : strings.tryAt(off);
    if (s === undefined) throw new BtfError(`.BTF.ext: string offset ${off} is outside the .BTF string section`, at);
    return s;
  };

  function blocks<T>(offField: number, minRec: number, what: string, read: (at: number) => T): BtfExtSection<T>[] {
    if (offField + 8 > hdrLen) return [];
    const off = dv.getUint32(offField, le);
    const len = dv.getUint32(offField + 4, le);
    if (len === 0) return [];
    const start = hdrLen + off;
    const end = start + len;
    if (end > bytes.length) throw new BtfError(`.BTF.ext ${what} [${off}, +${len}) runs past the end`, offField);
    if (len < 4) throw new BtfError(`.BTF.ext ${what} is too short for its record size`, start);
    const recSize = dv.getUint32(start, le);
    if (recSize < minRec || recSize % 4 !== 0) throw new BtfError(`.BTF.ext ${what}: record size ${recSize} is invalid (at least ${minRec})`, start);
    const out: BtfExtSection<T>[] = [];
    let p = start + 4;
    while (p < end) {
      if (p + 8 > end) throw new BtfError(`.BTF.ext ${what}: truncated section header`, p);
      const section = str(dv.getUint32(p, le), p);
      const n = dv.getUint32(p + 4, le);
      if (n === 0) throw new BtfError(`.BTF.ext ${what}: section ${section} has no records`, p + 4);
      p += 8;
      if (p + n * recSize > end) throw new BtfError(`.BTF.ext ${what}: ${n} records for ${section} run past the end`, p - 4);
      const records: T[] = new Array(n);
      for (let i = 0; i < n; i++, p += recSize) records[i] = read(p);
      out.push({ section, records });
    }
    return out;
  }

  const count = btf.typeCount;
  const typeId = (id: number, at: number): number => {
    if (id >= count) throw new BtfError(`.BTF.ext: type id ${id} is not below ${count}`, at);
    return id;
  };
  const funcInfo = blocks<BtfFuncInfo>(8, FUNC_INFO_SIZE, 'func_info', (at) => ({
    insnOff: dv.getUint32(at, le),
    typeId: typeId(dv.getUint32(at + 4, le), at + 4),
  }));
  const lineInfo = blocks<BtfLineInfo>(16, LINE_INFO_SIZE, 'line_info', (at) => {
    const lc = dv.getUint32(at + 12, le);
    return {
      insnOff: dv.getUint32(at, le),
      fileName: str(dv.getUint32(at + 4, le), at + 4),
      line: str(dv.getUint32(at + 8, le), at + 8),
      lineNum: lc >>> 10,
      column: lc & 0x3ff,
    };
  });
  const coreRelos = blocks<BtfCoreRelo>(24, CORE_RELO_SIZE, 'core_relo', (at) => ({
    insnOff: dv.getUint32(at, le),
    typeId: typeId(dv.getUint32(at + 4, le), at + 4),
    accessStr: str(dv.getUint32(at + 8, le), at + 8),
    kind: dv.getUint32(at + 12, le),
  }));
  return { funcInfo, lineInfo, coreRelos };
}

/**
 * Encode .BTF.ext. Its strings are added to `strings`, which must then be used to encode the
 * .BTF it goes with (encodeBtf(..., { strings })).
 */
export function encodeBtfExt(ext: BtfExt, strings: BtfStringBuilder, options: { bigEndian?: boolean } = {}): Uint8Array {
  const le = !options.bigEndian;
  const chunks: number[][] = [];
  function part<T>(recSize: number, blocksIn: readonly BtfExtSection<T>[], write: (r: T) => number[]): number[] {
    if (blocksIn.every((b) => b.records.length === 0)) return [];
    const words: number[] = [recSize];
    for (const b of blocksIn) {
      if (b.records.length === 0) continue;
      words.push(strings.add(b.section), b.records.length);
      for (const r of b.records) for (const w of write(r)) words.push(w);
    }
    return words;
  }
  const u32 = (v: number, what: string): number => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new BtfError(`.BTF.ext: ${what} ${v} is not a u32`);
    return v;
  };
  const func = part(FUNC_INFO_SIZE, ext.funcInfo, (r) => [u32(r.insnOff, 'insn offset'), u32(r.typeId, 'type id')]);
  const line = part(LINE_INFO_SIZE, ext.lineInfo, (r) => {
    if (r.lineNum < 0 || r.lineNum >= 1 << 22 || r.column < 0 || r.column >= 1 << 10) throw new BtfError(`.BTF.ext: line ${r.lineNum}:${r.column} does not fit line_info`);
    return [u32(r.insnOff, 'insn offset'), strings.add(r.fileName), strings.add(r.line), ((r.lineNum << 10) | r.column) >>> 0];
  });
  const core = part(CORE_RELO_SIZE, ext.coreRelos, (r) => [u32(r.insnOff, 'insn offset'), u32(r.typeId, 'type id'), strings.add(r.accessStr), u32(r.kind, 'kind')]);
  chunks.push(func, line, core);
  const total = HEADER_FULL + 4 * (func.length + line.length + core.length);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, BTF_MAGIC, le);
  out[2] = 1;
  dv.setUint32(4, HEADER_FULL, le);
  let off = 0;
  const fields = [8, 16, 24];
  chunks.forEach((words, i) => {
    dv.setUint32(fields[i]!, off, le);
    dv.setUint32(fields[i]! + 4, words.length * 4, le);
    for (let k = 0; k < words.length; k++) dv.setUint32(HEADER_FULL + off + 4 * k, words[k]!, le);
    off += words.length * 4;
  });
  return out;
}
