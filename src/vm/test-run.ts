// `bpf-ts test-run IN.o --prog NAME --data PKT --vm`: BPF_PROG_TEST_RUN's contract, answered
// by the VM. The result has the kernel path's fields (retval, data = data_out, ctx, duration in
// ns per run) plus what only the VM can tell (action, instructions, ringbuf events,
// trace_printk lines, the redirect target, map changes).
import type { BpfObject } from '../elf/object-model.js';
import { parseObject } from '../elf/parse-object.js';
import { VmError } from './errors.js';
import { loadObjectVm } from './object.js';
import type { RedirectRecord, RingbufEvent } from './state.js';
import { XdpVm, type MapChange, type XdpActionName } from './xdp.js';
import { XdpMd } from './xdp-context.js';

const PROG_TYPE_XDP = 6;

export interface VmTestRunOptions {
  /** The object file's bytes, or an object already parsed with parseObject. */
  readonly object: Uint8Array | BpfObject;
  /** Object name for internal map names (libbpf: the file's basename up to the first '.'). */
  readonly objectName?: string;
  /** The program to run; may be left out when the object has only one. */
  readonly program?: string;
  /** The packet (data_in). */
  readonly data: Uint8Array;
  /** Run this many times; duration is the mean (default 1). Map changes accumulate, as in the kernel. */
  readonly repeat?: number;
  /** struct xdp_md in (ctx_in): ingress_ifindex and rx_queue_index are taken from it. */
  readonly ctx?: Uint8Array;
  /** CPU to emulate (bpf_get_smp_processor_id, per-CPU map slot). */
  readonly cpu?: number;
  /** ktime value, and prandom seed. */
  readonly clock?: bigint;
  readonly seed?: number;
}

export interface VmTestRunResult {
  /** The program that ran. */
  readonly program: string;
  /** r0, 32 bits. */
  readonly retval: number;
  /** data_out: metadata and packet after the (last) run. */
  readonly data: Uint8Array;
  readonly ctx: Uint8Array | undefined;
  /** Mean nanoseconds per run (VM wall time). */
  readonly duration: number;
  readonly action: XdpActionName | `unknown(${number})`;
  readonly instructions: number;
  readonly events: readonly RingbufEvent[];
  readonly printk: readonly string[];
  readonly redirect?: RedirectRecord;
  readonly mapChanges: readonly MapChange[];
}

const ETH_HLEN = 14;

/** Run one XDP program of an object in the VM, as BPF_PROG_TEST_RUN would. Throws VmError/VmFault. */
export function testRunVm(opts: VmTestRunOptions): VmTestRunResult {
  const obj = opts.object instanceof Uint8Array ? parseObject(opts.object, { name: opts.objectName ?? 'obj' }) : opts.object;
  const have = obj.programs.map((p) => p.name).join(', ') || 'none';
  if (opts.program === undefined && obj.programs.length !== 1) throw new VmError(`the object has ${obj.programs.length} programs (${have}): name one`);
  const def = opts.program === undefined ? obj.programs[0]! : obj.programs.find((p) => p.name === opts.program);
  if (def === undefined) throw new VmError(`no program named ${opts.program} (have: ${have})`);
  if (def.progType !== PROG_TYPE_XDP) throw new VmError(`${def.name}: the VM runs XDP programs only (section ${def.section})`);
  // bpf_prog_test_run_xdp: data_in shorter than an Ethernet header is EINVAL.
  if (opts.data.length < ETH_HLEN) throw new VmError(`a packet of ${opts.data.length} bytes is shorter than an Ethernet header (${ETH_HLEN}): BPF_PROG_TEST_RUN refuses it (EINVAL)`);
  const repeat = opts.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1) throw new VmError(`repeat ${repeat} must be a positive integer`);
  let ingressIfindex = 1, rxQueueIndex = 0;
  if (opts.ctx !== undefined) {
    if (opts.ctx.length !== 24) throw new VmError(`ctx must be a 24-byte struct xdp_md, got ${opts.ctx.length} bytes`);
    const dv = new DataView(opts.ctx.buffer, opts.ctx.byteOffset, 24);
    if (dv.getUint32(XdpMd.data, true) !== 0 || dv.getUint32(XdpMd.data_end, true) !== 0 || dv.getUint32(XdpMd.data_meta, true) !== 0) {
      throw new VmError('ctx: data, data_end and data_meta must be 0 (as BPF_PROG_TEST_RUN requires)');
    }
    ingressIfindex = dv.getUint32(XdpMd.ingress_ifindex, true) || 1;
    rxQueueIndex = dv.getUint32(XdpMd.rx_queue_index, true);
  }
  const vmObj = loadObjectVm(obj);
  const vm = new XdpVm(vmObj.program(def.name), {
    maps: vmObj.maps, ingressIfindex, rxQueueIndex,
    ...(opts.cpu !== undefined ? { cpu: opts.cpu } : {}),
    ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  });
  const t0 = performance.now();
  let r = vm.run(opts.data);
  const first = r;
  for (let i = 1; i < repeat; i++) r = vm.run(opts.data);
  const duration = Math.round(((performance.now() - t0) * 1e6) / repeat);
  return {
    program: def.name,
    retval: r.retval,
    data: r.dataOut,
    ctx: opts.ctx !== undefined ? opts.ctx.slice() : undefined,
    duration,
    action: r.action,
    instructions: r.instructions,
    events: r.events,
    printk: r.printk,
    ...(r.redirect ? { redirect: r.redirect } : {}),
    mapChanges: repeat === 1 ? first.mapChanges : r.mapChanges,
  };
}
