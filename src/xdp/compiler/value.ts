// Values and conditions of the packet DSL. A Val is an expression tree, evaluated into
// registers where a statement uses it: a packet field is read at the point of use, so no
// register has to survive a helper call. Arithmetic is on unsigned 64-bit integers.
import type { ConstDef } from '../declarations.js';
import { DslError } from '../errors.js';
import { pinnedLocation } from '../../asm/dsl/location.js';

/** Something that owns a stack slot or packet pointer: valid inside the block that made it. */
export interface Scoped {
  readonly block: number;
  /** What it is, for error messages. */
  readonly what: string;
}

export interface PacketRef extends Scoped {
  /** Stack offset (from r10) of the spilled, bounds-checked header pointer. */
  readonly slot: number;
  /** Packet generation: a resize (adjust_head/tail) invalidates every header pointer. */
  readonly gen: number;
  /** Bytes proven readable from the pointer. */
  readonly size: number;
}

export type BinOp = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'and' | 'or' | 'xor' | 'lsh' | 'rsh';

export type Node =
  | { readonly k: 'imm'; readonly v: bigint }
  | { readonly k: 'slot'; readonly off: number; readonly owner: Scoped }
  | { readonly k: 'pkt'; readonly ref: PacketRef; readonly off: number; readonly size: 1 | 2 | 4 | 6 | 8; readonly be: boolean; readonly shift: number; readonly mask: number }
  | { readonly k: 'mem'; readonly ref: PacketRef | Scoped & { readonly slot: number }; readonly off: number; readonly size: 1 | 2 | 4 | 8; readonly be: boolean }
  | { readonly k: 'const'; readonly def: ConstDef }
  | { readonly k: 'ctx'; readonly off: number }
  | { readonly k: 'pktlen' }
  | { readonly k: 'bin'; readonly op: BinOp; readonly a: Node; readonly b: Node };

export type Operand = Val | number | bigint | ConstDef;

/**
 * Structural, not instanceof: `bpf-ts build` imports the user's module through tsx, which may
 * load a second copy of this library next to the CLI's.
 */
export function isVal(x: unknown): x is Val {
  if (typeof x !== 'object' || x === null) return false;
  const node = (x as { node?: unknown }).node;
  return typeof node === 'object' && node !== null && typeof (node as { k?: unknown }).k === 'string' && typeof (x as { add?: unknown }).add === 'function';
}

export function toNode(x: Operand): Node {
  if (isVal(x)) return x.node;
  if (typeof x === 'number') {
    if (!Number.isSafeInteger(x)) throw new DslError(`${x} is not an integer the DSL can use (a safe integer, or a bigint)`, pinnedLocation());
    return { k: 'imm', v: BigInt.asUintN(64, BigInt(x)) };
  }
  if (typeof x === 'bigint') return { k: 'imm', v: BigInt.asUintN(64, x) };
  if (typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'xdp-const') return { k: 'const', def: x };
  throw new DslError(`expected a number, a bigint, a packet field or a constant, got ${describe(x)}`, pinnedLocation());
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as { kind?: unknown }).kind === 'bytes' ? 'packet bytes (use them for array fields)' : 'an object';
  return typeof x;
}

export type Comparison = '==' | '!=' | '>' | '>=' | '<' | '<=' | 's>' | 's>=' | 's<' | 's<=' | '&';

export type CondNode =
  | { readonly k: 'cmp'; readonly op: Comparison; readonly a: Node; readonly b: Node }
  | { readonly k: 'and' | 'or'; readonly parts: readonly CondNode[] }
  | { readonly k: 'not'; readonly c: CondNode }
  | { readonly k: 'bool'; readonly v: boolean };

export class Cond {
  constructor(readonly node: CondNode) {}
  and(...others: Cond[]): Cond {
    return all(this, ...others);
  }
  or(...others: Cond[]): Cond {
    return any(this, ...others);
  }
  not(): Cond {
    return not(this);
  }
}

export const all = (...cs: Cond[]): Cond => new Cond({ k: 'and', parts: cs.map((c) => c.node) });
export const any = (...cs: Cond[]): Cond => new Cond({ k: 'or', parts: cs.map((c) => c.node) });
export const not = (c: Cond): Cond => new Cond({ k: 'not', c: c.node });

function fold(op: BinOp, a: Node, b: Node): Node {
  if (a.k === 'imm' && b.k === 'imm') {
    const x = a.v;
    const y = b.v;
    const r: Record<BinOp, () => bigint> = {
      add: () => x + y, sub: () => x - y, mul: () => x * y, div: () => (y === 0n ? 0n : x / y), mod: () => (y === 0n ? x : x % y),
      and: () => x & y, or: () => x | y, xor: () => x ^ y, lsh: () => x << (y & 63n), rsh: () => x >> (y & 63n),
    };
    return { k: 'imm', v: BigInt.asUintN(64, r[op]()) };
  }
  return { k: 'bin', op, a, b };
}

/** An unsigned 64-bit value: a packet field, a constant, a variable, or arithmetic on those. */
export class Val {
  constructor(readonly node: Node) {}
  add(x: Operand): Val { return new Val(fold('add', this.node, toNode(x))); }
  sub(x: Operand): Val { return new Val(fold('sub', this.node, toNode(x))); }
  mul(x: Operand): Val { return new Val(fold('mul', this.node, toNode(x))); }
  /** Unsigned division; x / 0 is 0 as in BPF. */
  div(x: Operand): Val { return new Val(fold('div', this.node, toNode(x))); }
  mod(x: Operand): Val { return new Val(fold('mod', this.node, toNode(x))); }
  bitAnd(x: Operand): Val { return new Val(fold('and', this.node, toNode(x))); }
  bitOr(x: Operand): Val { return new Val(fold('or', this.node, toNode(x))); }
  bitXor(x: Operand): Val { return new Val(fold('xor', this.node, toNode(x))); }
  shl(x: Operand): Val { return new Val(fold('lsh', this.node, toNode(x))); }
  shr(x: Operand): Val { return new Val(fold('rsh', this.node, toNode(x))); }
  eq(x: Operand): Cond { return this.cmp('==', x); }
  ne(x: Operand): Cond { return this.cmp('!=', x); }
  gt(x: Operand): Cond { return this.cmp('>', x); }
  ge(x: Operand): Cond { return this.cmp('>=', x); }
  lt(x: Operand): Cond { return this.cmp('<', x); }
  le(x: Operand): Cond { return this.cmp('<=', x); }
  /** Any bit of the mask set. */
  test(mask: Operand): Cond { return this.cmp('&', mask); }
  /** One of the values. */
  in(...xs: Operand[]): Cond { return any(...xs.map((x) => this.eq(x))); }
  cmp(op: Comparison, x: Operand): Cond {
    return new Cond({ k: 'cmp', op, a: this.node, b: toNode(x) });
  }
}

/** A constant as a Val, so it can start an expression: `lit(1).shl(n)`. */
export const lit = (v: number | bigint): Val => new Val(toNode(v));

/** The Val of a load-time constant (read from `.rodata`; the verifier knows the value). */
export const constVal = (def: ConstDef): Val => new Val({ k: 'const', def });
