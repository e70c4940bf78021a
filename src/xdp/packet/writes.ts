// Packet writes that move bytes or resize the frame. After a resize every header pointer is
// stale: the packet generation is bumped so later reads through old headers are DslErrors.
import { r0, r1, r2, r3, r4, r6, r10 } from '../../asm/dsl/registers.js';
import { mov, sub, toBe } from '../../asm/dsl/alu.js';
import { call } from '../../asm/dsl/call.js';
import { jumpIf } from '../../asm/dsl/jump.js';
import { load, store, storeImm } from '../../asm/dsl/memory.js';
import type { Emitter } from '../compiler/emitter.js';
import { evalNode } from '../compiler/compile-value.js';
import { toNode, type Operand } from '../compiler/value.js';
import type { HeaderOf } from './header.js';
import type { ETH } from './layouts.js';
import { boundsCheck, loadData } from './parse.js';

export function emitSwapMacs(e: Emitter, eth: HeaderOf<typeof ETH>): void {
  e.checkPacket(eth);
  e.emit(load('u64', r1, r10, eth.slot), load('u32', r2, r1, 0), load('u16', r3, r1, 4), load('u32', r4, r1, 6), load('u16', r0, r1, 10));
  e.emit(store('u32', r1, 0, r4), store('u16', r1, 4, r0), store('u32', r1, 6, r2), store('u16', r1, 10, r3));
}

/** Remove the outer tag when there is one; `abort` when the kernel refuses the resize. */
export function emitVlanPop(e: Emitter, abort: string): void {
  const skip = e.newLabel('no_vlan');
  const tag = e.newLabel('tagged');
  loadData(e, r1);
  boundsCheck(e, r1, 18, skip);
  e.emit(load('u16', r2, r1, 12), toBe(r2, 16), jumpIf(r2, '==', 0x8100, tag), jumpIf(r2, '!=', 0x88a8, skip));
  e.place(tag);
  // Move both MACs 4 bytes forward over the tag, then drop the first 4 bytes.
  e.emit(load('u32', r2, r1, 0), load('u32', r3, r1, 4), load('u32', r4, r1, 8));
  e.emit(store('u32', r1, 4, r2), store('u32', r1, 8, r3), store('u32', r1, 12, r4));
  e.emit(mov(r1, r6), mov(r2, 4), call('xdp_adjust_head'), jumpIf(r0, '!=', 0, abort));
  e.place(skip);
  e.gen++;
}

/** Insert an 802.1Q tag: grow the front by 4 (packet pointers reloaded), move the MACs back. */
export function emitVlanPush(e: Emitter, tci: Operand, abort: string): void {
  const t = e.alloc(8, 'VLAN TCI');
  evalNode(e, toNode(tci), 0);
  e.emit(store('u64', r10, t, r1));
  e.emit(mov(r1, r6), mov(r2, -4), call('xdp_adjust_head'), jumpIf(r0, '!=', 0, abort));
  e.gen++;
  loadData(e, r1);
  boundsCheck(e, r1, 18, abort);
  e.emit(load('u32', r2, r1, 4), load('u32', r3, r1, 8), load('u32', r4, r1, 12));
  e.emit(store('u32', r1, 0, r2), store('u32', r1, 4, r3), store('u32', r1, 8, r4));
  // 0x8100 in network order, then the TCI.
  e.emit(storeImm('u16', r1, 12, 0x0081), load('u64', r2, r10, t), toBe(r2, 16), store('u16', r1, 14, r2));
}

/** Cut the packet to at most `length` bytes with a negative adjust_tail. */
export function emitTruncate(e: Emitter, length: Operand, abort: string): void {
  const t = e.alloc(8, 'target length');
  const skip = e.newLabel('short_enough');
  evalNode(e, toNode(length), 0);
  e.emit(store('u64', r10, t, r1), mov(r1, r6), call('xdp_get_buff_len'), load('u64', r2, r10, t), jumpIf(r0, '<=', r2, skip));
  e.emit(sub(r2, r0), mov(r1, r6), call('xdp_adjust_tail'), jumpIf(r0, '!=', 0, abort));
  e.place(skip);
  e.gen++;
}
