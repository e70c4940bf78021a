// The helpers the VM implements, by id (src/asm/helpers.ts). Anything else faults with
// 'unknown-helper' naming the helper.
import { helperId, type HelperName } from '../../asm/helpers.js';
import type { HelperFn } from '../machine.js';
import { mapDeleteElem, mapLookupElem, mapUpdateElem, redirect, redirectMap, tailCall } from './maps.js';
import { bpfLoop, csumDiff, getPrandomU32, getSmpProcessorId, ktimeGetNs, tracePrintk } from './misc.js';
import { ringbufDiscard, ringbufOutput, ringbufReserve, ringbufSubmit } from './ringbuf.js';
import { xdpAdjustHead, xdpAdjustMeta, xdpAdjustTail, xdpGetBuffLen, xdpLoadBytes, xdpStoreBytes } from './xdp.js';

const BY_NAME: Readonly<Partial<Record<HelperName, HelperFn>>> = {
  map_lookup_elem: mapLookupElem,
  map_update_elem: mapUpdateElem,
  map_delete_elem: mapDeleteElem,
  ktime_get_ns: ktimeGetNs,
  ktime_get_boot_ns: ktimeGetNs,
  ktime_get_coarse_ns: ktimeGetNs,
  trace_printk: tracePrintk,
  get_prandom_u32: getPrandomU32,
  get_smp_processor_id: getSmpProcessorId,
  tail_call: tailCall,
  redirect,
  redirect_map: redirectMap,
  csum_diff: csumDiff,
  xdp_adjust_head: xdpAdjustHead,
  xdp_adjust_meta: xdpAdjustMeta,
  xdp_adjust_tail: xdpAdjustTail,
  xdp_get_buff_len: xdpGetBuffLen,
  xdp_load_bytes: xdpLoadBytes,
  xdp_store_bytes: xdpStoreBytes,
  ringbuf_output: ringbufOutput,
  ringbuf_reserve: ringbufReserve,
  ringbuf_submit: ringbufSubmit,
  ringbuf_discard: ringbufDiscard,
  loop: bpfLoop,
};

/** Build a helper table by id from helpers by name. */
export function helperTable(byName: Readonly<Partial<Record<string, HelperFn>>>): (HelperFn | undefined)[] {
  const table: (HelperFn | undefined)[] = [];
  for (const [name, fn] of Object.entries(byName)) {
    const id = helperId(name);
    if (id !== undefined && fn !== undefined) table[id] = fn;
  }
  return table;
}

/** The default helpers, by id. */
export const DEFAULT_HELPERS: readonly (HelperFn | undefined)[] = helperTable(BY_NAME);

/** Names of the helpers the VM implements. */
export const SUPPORTED_HELPERS: readonly string[] = Object.keys(BY_NAME);
