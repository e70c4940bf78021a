// The code buffer one program is compiled into: instructions and labels in order, unique
// label names, the stack frame (512 bytes), the block nesting that decides which values are
// in scope, and the packet generation that invalidates header pointers after a resize.
import type { Instruction } from '../../asm/instruction.js';
import type { Label } from '../../asm/dsl/label.js';
import { label as asmLabel } from '../../asm/dsl/label.js';
import { pinnedLocation } from '../../asm/dsl/location.js';
import { DslError } from '../errors.js';
import type { ConstDef, MapDef } from '../declarations.js';
import type { PacketRef, Scoped } from './value.js';

/** The BPF stack limit per frame. */
export const STACK_SIZE = 512;

/** Layout of `.rodata`, shared by the programs of one module. */
export class RodataLayout {
  private readonly offsets = new Map<ConstDef, number>();
  private size = 0;
  offsetOf(def: ConstDef): number {
    let off = this.offsets.get(def);
    if (off === undefined) {
      for (const [other, o] of this.offsets) {
        if (other.name === def.name) throw new DslError(`two different constants are named '${def.name}'`, pinnedLocation());
        void o;
      }
      off = Math.ceil(this.size / def.schema.align) * def.schema.align;
      this.offsets.set(def, off);
      this.size = off + def.schema.size;
    }
    return off;
  }
  entries(): { def: ConstDef; offset: number }[] {
    return [...this.offsets].map(([def, offset]) => ({ def, offset }));
  }
  get byteLength(): number {
    return this.size;
  }
}

/** A subprogram as the emitter sees it: the label it starts at and how to compile it. */
export interface SubprogramRef {
  readonly label: string;
  /** The declaration, to tell two subprograms of the same name apart. */
  readonly def: unknown;
  /** Number of arguments (r1..r5). */
  readonly arity: number;
  readonly compile: (parent: Emitter) => (Instruction | Label)[];
}

export class Emitter {
  readonly items: (Instruction | Label)[] = [];
  /** Code placed after the main body: failure tails of guards, subprograms. */
  readonly tails: (Instruction | Label)[][] = [];
  private labels = 0;
  private stackUsed = 0;
  private readonly open: number[] = [0];
  private blocks = 1;
  /** Bumped by every helper that may move packet data. */
  gen = 0;

  constructor(
    readonly rodata: RodataLayout,
    readonly programName: string,
    /** Set for the body of a subprogram: no packet, no context, no XDP actions. */
    readonly subprogram: string | undefined = undefined,
    /** Maps used, shared with subprograms. */
    readonly maps: Set<MapDef> = new Set(),
    /** Subprograms called, shared with subprograms (by name). */
    readonly calls: Map<string, SubprogramRef> = new Map(),
  ) {}

  emit(...insns: Instruction[]): void {
    this.items.push(...insns);
  }

  newLabel(hint: string): string {
    return `.L${this.subprogram === undefined ? '' : `${this.subprogram}.`}${hint}_${++this.labels}`;
  }

  place(name: string): void {
    this.items.push(asmLabel(name));
  }

  /** Reserve `size` bytes of stack (8-aligned); returns the offset from r10 (negative). */
  alloc(size: number, what: string): number {
    const rounded = Math.ceil(size / 8) * 8;
    if (this.stackUsed + rounded > STACK_SIZE) {
      throw this.error(`${what} does not fit: the BPF stack holds ${STACK_SIZE} bytes and ${this.stackUsed} are in use (use fewer variables or smaller keys)`);
    }
    this.stackUsed += rounded;
    return -this.stackUsed;
  }

  get stackDepth(): number {
    return this.stackUsed;
  }

  get block(): number {
    return this.open[this.open.length - 1]!;
  }

  /** Run `fn` in a new block: values created inside are not usable after it. */
  inBlock<T>(fn: () => T): T {
    this.open.push(this.blocks++);
    try {
      return fn();
    } finally {
      this.open.pop();
    }
  }

  isOpen(block: number): boolean {
    return this.open.includes(block);
  }

  checkScope(s: Scoped): void {
    if (!this.open.includes(s.block)) {
      throw this.error(`${s.what} is used outside the branch or loop that computed it (it is not set on every path here; declare it with p.let() before the branch)`);
    }
  }

  checkPacket(ref: PacketRef): void {
    this.checkScope(ref);
    if (ref.gen !== this.gen) {
      throw this.error(`${ref.what} is used after the packet was resized (adjust_head/adjust_tail move the data): parse the header again`);
    }
  }

  error(reason: string): DslError {
    return new DslError(reason, pinnedLocation());
  }
}
