// Building a key, value or event on the stack from DSL inputs: zero the buffer (hash keys
// compare padding bytes too), then write each field. Stack stores are aligned to their width,
// as the verifier requires for stack access.
import { r1, r2, r10 } from '../../asm/dsl/registers.js';
import { toBe } from '../../asm/dsl/alu.js';
import { load, store, storeImm, type Width } from '../../asm/dsl/memory.js';
import type { Emitter } from './emitter.js';
import { evalNode, movImm } from './compile-value.js';
import { toNode, type Operand } from './value.js';
import { isBytesRef, type BytesRef } from '../packet/header.js';
import type { ArraySchema, Schema, ScalarSchema, StructSchema } from '../schema/types.js';

/** What a field of a key or value can be given: a value, packet bytes, nested fields. */
export type Input<S extends Schema> = S extends ScalarSchema
  ? Operand
  : S extends ArraySchema
    ? BytesRef | Uint8Array | readonly number[]
    : S extends StructSchema<infer F>
      ? { readonly [K in keyof F]?: Input<F[K]> }
      : never;

const WIDTH: Record<number, Width> = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' };

export function buildBuffer(e: Emitter, schema: Schema, input: unknown, what: string): number {
  const base = e.alloc(schema.size, what);
  for (let i = 0; i < Math.ceil(schema.size / 8); i++) e.emit(storeImm('u64', r10, base + i * 8, 0));
  write(e, schema, input, base, what);
  return base;
}

function write(e: Emitter, schema: Schema, input: unknown, at: number, path: string): void {
  if (input === undefined) return;
  switch (schema.kind) {
    case 'scalar': {
      if (isBytesRef(input)) throw e.error(`${path}: a scalar field needs a value, not packet bytes`);
      const node = toNode(input as Operand);
      if (node.k === 'imm' && !schema.bigEndian && schema.size <= 4 && node.v <= 0x7fffffffn) {
        e.emit(storeImm(WIDTH[schema.size]!, r10, at, Number(node.v)));
        return;
      }
      if (node.k === 'imm') movImm(e, r1, node.v);
      else evalNode(e, node, 0);
      if (schema.bigEndian && schema.size > 1) e.emit(toBe(r1, (schema.size * 8) as 16 | 32 | 64));
      e.emit(store(WIDTH[schema.size]!, r10, at, r1));
      return;
    }
    case 'array': {
      if (isBytesRef(input)) {
        if (input.size !== schema.size) throw e.error(`${path}: ${input.size} packet bytes do not fill a ${schema.size}-byte field`);
        e.checkPacket(input.ref);
        e.emit(load('u64', r2, r10, input.ref.slot));
        let done = 0;
        while (done < schema.size) {
          const rest = schema.size - done;
          const dst = at + done;
          const chunk = [8, 4, 2, 1].find((c) => c <= rest && dst % c === 0)!;
          e.emit(load(WIDTH[chunk]!, r1, r2, input.off + done), store(WIDTH[chunk]!, r10, dst, r1));
          done += chunk;
        }
        return;
      }
      const items = Array.from(input as ArrayLike<unknown>);
      if (items.length !== schema.length) throw e.error(`${path}: expected ${schema.length} elements`);
      items.forEach((v, i) => write(e, schema.element, v, at + i * schema.element.size, `${path}[${i}]`));
      return;
    }
    case 'struct': {
      if (typeof input !== 'object' || input === null) throw e.error(`${path}: expected an object with fields ${schema.layout.map((f) => f.name).join(', ')}`);
      const rec = input as Record<string, unknown>;
      for (const k of Object.keys(rec)) {
        if (!schema.layout.some((f) => f.name === k)) throw e.error(`${path}: no field '${k}' in ${schema.name}`);
      }
      for (const f of schema.layout) write(e, f.schema, rec[f.name], at + f.offset, `${path}.${f.name}`);
      return;
    }
  }
}
