// BTF string sections: reading names by offset (fast path for all-ASCII tables such as vmlinux's)
// and building a deduplicated table for encoding.

import { BtfError } from './errors.js';

const utf8 = new TextDecoder('utf-8');
/** One char per byte (WHATWG latin1 is windows-1252: still one UTF-16 unit per byte). */
const latin1 = new TextDecoder('latin1');
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;
const encoder = new TextEncoder();

/** A decoded string section; offsets are relative to its start (plus `firstOffset` for split BTF). */
export class BtfStrings {
  /**
   * The whole table as a one-byte-per-char string (latin1), so byte offsets are char indices;
   * decoded on first use. Names with non-ASCII bytes are re-decoded as UTF-8.
   */
  private table: string | undefined;
  private readonly cache = new Map<number, string>();

  constructor(
    readonly bytes: Uint8Array,
    /** Offset of the first byte (the base BTF's string length, for split BTF). */
    readonly firstOffset = 0,
    private readonly base?: BtfStrings,
  ) {}

  private get text(): string {
    if (this.table === undefined) {
      // UTF-8 decoding is the fastest path and keeps byte == char for pure ASCII (the usual case)
      const bytes = this.bytes;
      let ascii = true;
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i]! >= 0x80) {
          ascii = false;
          break;
        }
      }
      this.table = ascii ? utf8.decode(bytes) : latin1.decode(bytes);
    }
    return this.table;
  }

  /** Total offset space covered (base included). */
  get end(): number {
    return this.firstOffset + this.bytes.length;
  }

  /** The string at `offset`, or undefined when the offset is not inside a NUL-terminated string. */
  tryAt(offset: number): string | undefined {
    if (offset < this.firstOffset) return this.base?.tryAt(offset);
    const rel = offset - this.firstOffset;
    if (rel >= this.bytes.length) return undefined;
    const text = this.text;
    const end = text.indexOf('\0', rel);
    if (end < 0) return undefined;
    const s = text.substring(rel, end);
    if (!NON_ASCII.test(s)) return s;
    const hit = this.cache.get(rel);
    if (hit !== undefined) return hit;
    const u = utf8.decode(this.bytes.subarray(rel, end));
    this.cache.set(rel, u);
    return u;
  }

  /**
   * Offsets (in this section, firstOffset added) at which `name` can be read: exact strings, or
   * with `prefix`, strings that start with `name`. Not the base's.
   */
  offsetsOf(name: string, prefix = false): number[] {
    const text = this.text;
    const needle = prefix ? name : `${name}\0`;
    if (NON_ASCII.test(name)) {
      // rare: compare decoded strings at every string start
      const out: number[] = [];
      for (let p = 0; p < text.length; p = text.indexOf('\0', p) + 1 || text.length) {
        const s = this.tryAt(this.firstOffset + p);
        if (s !== undefined && (prefix ? s.startsWith(name) : s === name)) out.push(this.firstOffset + p);
      }
      return out;
    }
    const out: number[] = [];
    for (let p = text.indexOf(needle); p >= 0; p = text.indexOf(needle, p + 1)) {
      // a prefix match must start a string; an exact match may be a shared tail of a longer one
      if (prefix && p > 0 && text.charCodeAt(p - 1) !== 0) continue;
      out.push(this.firstOffset + p);
    }
    return out;
  }

  /** The string at `offset`; BtfError (naming `at`) when invalid. */
  at(offset: number, at?: number): string {
    if (offset === 0) return '';
    const s = this.tryAt(offset);
    if (s === undefined) throw new BtfError(`string offset ${offset} is outside the string section`, at);
    return s;
  }
}

/** Builds a string section: '' at 0, each distinct string once, in order of first use. */
export class BtfStringBuilder {
  private readonly offsets = new Map<string, number>([['', 0]]);
  private readonly chunks: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;

  constructor(
    /** Offset of this section's first byte (base string length, for split BTF). */
    readonly firstOffset = 0,
  ) {}

  add(s: string): number {
    const known = this.offsets.get(s);
    if (known !== undefined) return known;
    const bytes = encoder.encode(s);
    if (bytes.includes(0)) throw new BtfError(`string contains a NUL byte: ${JSON.stringify(s)}`);
    const off = this.firstOffset + this.size;
    this.offsets.set(s, off);
    this.chunks.push(bytes, new Uint8Array(1));
    this.size += bytes.length + 1;
    return off;
  }

  get length(): number {
    return this.size;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let pos = 0;
    for (const c of this.chunks) {
      out.set(c, pos);
      pos += c.length;
    }
    return out;
  }
}
