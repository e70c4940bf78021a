// A parsed header: a spilled packet pointer whose bounds were checked once, at parse time.
// Fields read as Vals (network order converted); writes keep the header checksum right with
// the incremental update of RFC 1624: HC' = ~(~HC + ~m + m').
import { r1, r2, r3, r7, r8, r10, type Reg } from '../../asm/dsl/registers.js';
import { add, and, lsh, mov, or, rsh, toBe, xor } from '../../asm/dsl/alu.js';
import { jumpIf } from '../../asm/dsl/jump.js';
import { load, store } from '../../asm/dsl/memory.js';
import type { Emitter } from '../compiler/emitter.js';
import { evalNode } from '../compiler/compile-value.js';
import { statement } from '../compiler/statement.js';
import { toNode, Val, type Operand, type PacketRef } from '../compiler/value.js';
import type { FieldSpec, HeaderLayout } from './layouts.js';

/** A byte range of a header (MAC or IPv6 address) for copying into keys and events. */
export interface BytesRef {
  readonly kind: 'bytes';
  readonly ref: PacketRef;
  readonly off: number;
  readonly size: number;
}

export function isBytesRef(x: unknown): x is BytesRef {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'bytes';
}

export interface SetOptions {
  /** Also fix this transport header's checksum (its pseudo-header holds the IP addresses). */
  readonly pseudo?: Header;
}

export class Header<L extends HeaderLayout = HeaderLayout> implements PacketRef {
  readonly what: string;
  constructor(
    private readonly e: Emitter,
    readonly layout: L,
    readonly slot: number,
    readonly gen: number,
    readonly block: number,
  ) {
    this.what = `the ${layout.name} header`;
  }

  get size(): number {
    return this.layout.size;
  }

  /** A field as a number (host order). 16-byte fields are only available as bytes(). */
  field(name: keyof L['fields'] & string): Val {
    const spec = this.spec(name);
    if (spec.size === 16) throw this.e.error(`${this.layout.name}.${name} is 16 bytes: use .bytes('${name}') to copy it into a key`);
    return new Val({ k: 'pkt', ref: this, off: spec.off, size: spec.size, be: true, shift: spec.shift ?? 0, mask: spec.mask ?? 0 });
  }

  bytes(name: keyof L['fields'] & string): BytesRef {
    const spec = this.spec(name);
    return { kind: 'bytes', ref: this, off: spec.off, size: spec.size };
  }

  private spec(name: string): FieldSpec {
    const spec = (this.layout.fields as Record<string, FieldSpec>)[name];
    if (spec === undefined) throw this.e.error(`${this.layout.name} has no field '${name}'`);
    return spec;
  }

  /**
   * Write a field (host-order value; bit fields are merged into their byte). The header's
   * checksum, and with `pseudo` the transport checksum, are updated incrementally.
   */
  set(name: keyof L['fields'] & string, value: Operand, opts: SetOptions = {}): void {
    statement(() => {
      const e = this.e;
      const spec = this.spec(name);
      if (spec.size === 16) throw e.error(`${this.layout.name}.${name}: writing 16-byte fields is not supported`);
      e.checkPacket(this);
      if (opts.pseudo !== undefined) e.checkPacket(opts.pseudo);
      const first = spec.off & ~1;
      const end = (spec.off + spec.size + 1) & ~1;
      const sums = this.layout.checksum !== undefined || opts.pseudo !== undefined;
      // r8 = Σ ~old words (r7, r8 are not used by expressions).
      if (sums) {
        e.emit(load('u64', r7, r10, this.slot), mov(r8, 0));
        for (let w = first; w < end; w += 2) e.emit(load('u16', r2, r7, w), xor(r2, 0xffff), add(r8, r2));
      }
      const v = evalNode(e, toNode(value), 0); // r1
      e.emit(load('u64', r7, r10, this.slot));
      writeField(e, r7, spec, v);
      if (!sums) return;
      for (let w = first; w < end; w += 2) e.emit(load('u16', r2, r7, w), add(r8, r2));
      if (this.layout.checksum !== undefined) foldInto(e, r7, this.layout.checksum, false);
      if (opts.pseudo?.layout.checksum !== undefined) {
        e.emit(load('u64', r7, r10, opts.pseudo.slot));
        foldInto(e, r7, opts.pseudo.layout.checksum, opts.pseudo.layout.name === 'UDP');
      }
    });
  }
}

/** Store v (host order, in r1) into the field at ptr; clobbers r2, r3. */
function writeField(e: Emitter, ptr: Reg, spec: FieldSpec, v: Reg): void {
  const shift = spec.shift ?? 0;
  const mask = spec.mask ?? 0;
  if (mask !== 0) {
    // Read-modify-write of a bit field, in host order then back to network order.
    const width = spec.size === 1 ? 'u8' : 'u16';
    e.emit(load(width, r2, ptr, spec.off));
    if (spec.size === 2) e.emit(toBe(r2, 16));
    e.emit(and(r2, ~(mask << shift) & (spec.size === 1 ? 0xff : 0xffff)), and(v, mask), lsh(v, shift), or(r2, v));
    if (spec.size === 2) e.emit(toBe(r2, 16));
    e.emit(store(width, ptr, spec.off, r2));
    return;
  }
  switch (spec.size) {
    case 1: e.emit(store('u8', ptr, spec.off, v)); return;
    case 2: e.emit(toBe(v, 16), store('u16', ptr, spec.off, v)); return;
    case 4: e.emit(toBe(v, 32), store('u32', ptr, spec.off, v)); return;
    case 8: e.emit(toBe(v, 64), store('u64', ptr, spec.off, v)); return;
    case 6:
      e.emit(mov(r3, v), rsh(r3, 16), toBe(r3, 32), store('u32', ptr, spec.off, r3), toBe(v, 16), store('u16', ptr, spec.off + 4, v));
      return;
    default:
      throw e.error(`cannot write a ${spec.size}-byte field`);
  }
}

/**
 * Apply the word delta in r8 to the checksum at ptr+off: sum = ~HC + delta, folded to 16 bits,
 * complemented. A UDP checksum of 0 means "none" and stays 0; a computed 0 is sent as 0xffff.
 */
function foldInto(e: Emitter, ptr: Reg, off: number, udp: boolean): void {
  const skip = e.newLabel('csum_none');
  e.emit(load('u16', r1, ptr, off));
  if (udp) e.emit(jumpIf(r1, '==', 0, skip));
  e.emit(xor(r1, 0xffff), add(r1, r8));
  for (let i = 0; i < 3; i++) e.emit(mov(r2, r1), rsh(r2, 16), and(r1, 0xffff), add(r1, r2));
  e.emit(xor(r1, 0xffff));
  if (udp) {
    const ok = e.newLabel('csum_ok');
    e.emit(jumpIf(r1, '!=', 0, ok), mov(r1, 0xffff));
    e.place(ok);
  }
  e.emit(store('u16', ptr, off, r1));
  e.place(skip);
}

/** Typed field getters: `ip.ttl`, `udp.dport`. */
export type Fields<L extends HeaderLayout> = { readonly [K in keyof L['fields']]: Val };

export type HeaderOf<L extends HeaderLayout> = Header<L> & Fields<L>;

export function makeHeader<L extends HeaderLayout>(e: Emitter, layout: L, slot: number): HeaderOf<L> {
  const h = new Header(e, layout, slot, e.gen, e.block);
  for (const name of Object.keys(layout.fields)) {
    if (name in h) continue;
    Object.defineProperty(h, name, {
      get: () => statement(() => h.field(name as keyof L['fields'] & string)),
      enumerable: true,
    });
  }
  return h as HeaderOf<L>;
}
