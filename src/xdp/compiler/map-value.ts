// A map value found by a lookup: a spilled, NULL-checked pointer, valid inside the lookup's
// block. Fields read as Vals; add() is atomic on shared maps and plain on per-CPU maps.
import { r0, r1, r2, r10 } from '../../asm/dsl/registers.js';
import { add, toBe } from '../../asm/dsl/alu.js';
import { atomicAdd } from '../../asm/dsl/atomic.js';
import { load, store, type Width } from '../../asm/dsl/memory.js';
import type { MapDef } from '../declarations.js';
import { fieldAt, type ScalarSchema, type Schema } from '../schema/types.js';
import type { Emitter } from './emitter.js';
import { evalNode } from './compile-value.js';
import { statement } from './statement.js';
import { toNode, Val, type Operand } from './value.js';

const WIDTH: Record<number, Width> = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' };

export class MapValue<V extends Schema = Schema> {
  readonly what: string;
  constructor(
    private readonly e: Emitter,
    readonly map: MapDef<Schema, V>,
    readonly slot: number,
    readonly block: number,
  ) {
    this.what = `the value found in map '${map.name}'`;
  }

  private scalar(path: string): { off: number; schema: ScalarSchema } {
    const v = this.map.value;
    if (path === '' || path === '.') {
      if (v.kind !== 'scalar') throw this.e.error(`map '${this.map.name}' has a ${v.kind} value: name a field`);
      return { off: 0, schema: v };
    }
    if (v.kind !== 'struct') throw this.e.error(`map '${this.map.name}' has a scalar value: use get() without a field`);
    let at;
    try {
      at = fieldAt(v, path);
    } catch (err) {
      throw this.e.error((err as Error).message);
    }
    if (at.schema.kind !== 'scalar') throw this.e.error(`'${path}' is not a number field`);
    return { off: at.offset, schema: at.schema };
  }

  /** A field (dotted path for nested structs), or the whole value when it is a scalar. */
  get(path = ''): Val {
    return statement(() => {
      const { off, schema } = this.scalar(path);
      return new Val({ k: 'mem', ref: this, off, size: schema.size, be: schema.bigEndian });
    });
  }

  set(path: string, value: Operand): void {
    statement(() => {
      const { off, schema } = this.scalar(path);
      this.e.checkScope(this);
      evalNode(this.e, toNode(value), 0);
      if (schema.bigEndian && schema.size > 1) this.e.emit(toBe(r1, (schema.size * 8) as 16 | 32 | 64));
      this.e.emit(load('u64', r2, r10, this.slot), store(WIDTH[schema.size]!, r2, off, r1));
    });
  }

  /** field += value: an atomic add unless the map is per-CPU (or the field is narrower than 32 bits). */
  add(path: string, value: Operand): void {
    statement(() => {
      const { off, schema } = this.scalar(path);
      if (schema.bigEndian) throw this.e.error(`'${path}' is a network-order field: add() works on host-order counters`);
      this.e.checkScope(this);
      evalNode(this.e, toNode(value), 0);
      this.e.emit(load('u64', r2, r10, this.slot));
      if (!this.map.perCpu && (schema.size === 4 || schema.size === 8)) {
        this.e.emit(atomicAdd(schema.size === 4 ? 'u32' : 'u64', r2, off, r1));
      } else {
        const w = WIDTH[schema.size]!;
        this.e.emit(load(w, r0, r2, off), add(r1, r0), store(w, r2, off, r1));
      }
    });
  }
}
