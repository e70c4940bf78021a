// Map helpers as the DSL emits them: keys and values built on the stack, lookups whose result
// is NULL-checked before the body can touch it, counters that create missing hash entries.
import { r0, r1, r2, r3, r4, r10 } from '../../asm/dsl/registers.js';
import { add, mov } from '../../asm/dsl/alu.js';
import { call } from '../../asm/dsl/call.js';
import { ja, jumpIf } from '../../asm/dsl/jump.js';
import { ldMap } from '../../asm/dsl/ld-imm64.js';
import { store } from '../../asm/dsl/memory.js';
import type { MapDef, RingbufDef } from '../declarations.js';
import type { Schema } from '../schema/types.js';
import { buildBuffer } from './buffers.js';
import type { Emitter } from './emitter.js';
import { MapValue } from './map-value.js';
import { userCode } from './statement.js';
import { isVal, Val, type Operand } from './value.js';

export type UpdateFlag = 'any' | 'noexist' | 'exist';
const UPDATE_FLAGS: Record<UpdateFlag, number> = { any: 0, noexist: 1, exist: 2 };

const HASH_LIKE = new Set(['hash', 'percpu_hash', 'lru_hash', 'lru_percpu_hash', 'lpm_trie']);

/** r0 → a fresh stack slot, as a Val valid in the current block. */
export function resultVal(e: Emitter, helper: string): Val {
  const off = e.alloc(8, 'helper result');
  e.emit(store('u64', r10, off, r0));
  return new Val({ k: 'slot', off, owner: { block: e.block, what: `the result of ${helper}` } });
}

function mapKey(e: Emitter, m: MapDef, key: unknown): number {
  e.maps.add(m);
  return buildBuffer(e, m.key, key, `key of map '${m.name}'`);
}

/** r0 = bpf_map_lookup_elem(m, &key); jump to `missing` on NULL. */
function lookupCall(e: Emitter, m: MapDef, k: number, missing: string): void {
  e.emit(ldMap(r1, m.name), mov(r2, r10), add(r2, k), call('map_lookup_elem'), jumpIf(r0, '==', 0, missing));
}

export function emitLookup<V extends Schema>(e: Emitter, m: MapDef<Schema, V>, key: unknown, found: (v: MapValue<V>) => void, missing?: () => void): void {
  const k = mapKey(e, m, key);
  const no = e.newLabel('missing');
  const end = e.newLabel('found_end');
  lookupCall(e, m, k, no);
  e.inBlock(() => {
    const slot = e.alloc(8, 'map value pointer');
    e.emit(store('u64', r10, slot, r0));
    userCode(() => found(new MapValue(e, m, slot, e.block)));
    e.emit(ja(end));
  });
  e.place(no);
  if (missing !== undefined) e.inBlock(() => userCode(missing));
  e.place(end);
}

export function emitUpdate(e: Emitter, m: MapDef, key: unknown, value: unknown, flag: UpdateFlag): Val {
  const k = mapKey(e, m, key);
  const v = buildBuffer(e, m.value, value, `value of map '${m.name}'`);
  e.emit(ldMap(r1, m.name), mov(r2, r10), add(r2, k), mov(r3, r10), add(r3, v), mov(r4, UPDATE_FLAGS[flag]), call('map_update_elem'));
  return resultVal(e, 'map_update_elem');
}

export function emitDelete(e: Emitter, m: MapDef, key: unknown): Val {
  const k = mapKey(e, m, key);
  e.emit(ldMap(r1, m.name), mov(r2, r10), add(r2, k), call('map_delete_elem'));
  return resultVal(e, 'map_delete_elem');
}

/** Add `amounts` (a number, or fields → numbers) to the value at key; hash maps get missing keys created. */
export function emitCount(e: Emitter, m: MapDef, key: unknown, amounts: unknown): void {
  const fields = typeof amounts === 'object' && amounts !== null && !isVal(amounts) ? Object.entries(amounts as Record<string, Operand>) : [['', amounts as Operand] as const];
  const k = mapKey(e, m, key);
  const no = e.newLabel('count_new');
  const end = e.newLabel('count_end');
  lookupCall(e, m, k, no);
  e.inBlock(() => {
    const slot = e.alloc(8, 'map value pointer');
    e.emit(store('u64', r10, slot, r0));
    const v = new MapValue(e, m, slot, e.block);
    for (const [f, amount] of fields) v.add(f, amount);
    e.emit(ja(end));
  });
  e.place(no);
  if (HASH_LIKE.has(m.type)) {
    e.inBlock(() => {
      const val = buildBuffer(e, m.value, amounts, `value of map '${m.name}'`);
      e.emit(ldMap(r1, m.name), mov(r2, r10), add(r2, k), mov(r3, r10), add(r3, val), mov(r4, UPDATE_FLAGS.noexist), call('map_update_elem'));
    });
  }
  e.place(end);
}

export function emitRingbufOutput(e: Emitter, rb: RingbufDef, event: unknown): Val {
  e.maps.add(rb);
  const buf = buildBuffer(e, rb.event, event, `event for '${rb.name}'`);
  e.emit(ldMap(r1, rb.name), mov(r2, r10), add(r2, buf), mov(r3, rb.event.size), mov(r4, 0), call('ringbuf_output'));
  return resultVal(e, 'ringbuf_output');
}
