// An ELF string table built the way llvm's StringTableBuilder (kind ELF) builds it: strings are
// sorted by their reversed bytes, descending, so a string that is the tail of another shares its
// bytes ("xdp" lives inside ".relxdp"). Same input set, same bytes: the writer stays deterministic
// and close to what llvm-mc emits.

const encoder = new TextEncoder();

/** Compare two byte strings from their last byte backwards; a string that ends first is smaller. */
function compareTails(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 1; i <= n; i++) {
    const d = a[a.length - i]! - b[b.length - i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function endsWith(whole: Uint8Array, tail: Uint8Array): boolean {
  if (tail.length > whole.length) return false;
  const start = whole.length - tail.length;
  for (let i = 0; i < tail.length; i++) if (whole[start + i] !== tail[i]) return false;
  return true;
}

export class StringTableBuilder {
  private readonly strings = new Map<string, Uint8Array>();
  private offsets: Map<string, number> | undefined;
  private table: Uint8Array | undefined;

  /** Add a string (the empty string is always at offset 0). */
  add(s: string): void {
    if (this.table) throw new Error('string table already finalized');
    if (s !== '' && !this.strings.has(s)) this.strings.set(s, encoder.encode(s));
  }

  /** Lay the table out; after this, offsetOf and bytes work. */
  finalize(): Uint8Array {
    if (this.table) return this.table;
    const entries = [...this.strings.entries()];
    entries.sort((x, y) => compareTails(y[1], x[1]));
    const offsets = new Map<string, number>([['', 0]]);
    const placed: { bytes: Uint8Array; offset: number }[] = [];
    let size = 1;
    let previous: Uint8Array = new Uint8Array(0);
    for (const [s, bytes] of entries) {
      if (endsWith(previous, bytes)) {
        offsets.set(s, size - bytes.length - 1);
        continue;
      }
      offsets.set(s, size);
      placed.push({ bytes, offset: size });
      size += bytes.length + 1;
      previous = bytes;
    }
    const table = new Uint8Array(size);
    for (const p of placed) table.set(p.bytes, p.offset);
    this.offsets = offsets;
    this.table = table;
    return table;
  }

  offsetOf(s: string): number {
    const off = this.finalize() && this.offsets!.get(s);
    if (off === undefined) throw new Error(`string not in table: ${s}`);
    return off;
  }
}
