// bpf-ts userspace eBPF VM: run and unit-test programs without root or a kernel.
//
//   const counts = createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 256, name: 'counts' });
//   const res = runXdp(insns, packet, { maps: { counts }, trace: true });
//   res.action, res.packet, res.mapChanges, res.events, res.trace
//
// Objects: loadObjectVm(parseObject(bytes)) gives maps and linked programs (shared linkProgram);
// testRunVm({ object, program, data, repeat }) answers like BPF_PROG_TEST_RUN.
// Faults are VmFault (insn, address, region); bad programs or options are VmError.
export { VmError, VmFault, type VmFaultKind } from './errors.js';
export { prepareProgram, type ProgramOptions, type VmProgram } from './program.js';
export { Machine, MAX_CALL_FRAMES, STACK_SIZE, type HelperFn, type MachineOptions, type TraceEntry, type VmEngine } from './machine.js';
export { DEFAULT_HELPERS, SUPPORTED_HELPERS, helperTable } from './helpers/table.js';
export { XdpAction } from './helpers/errno.js';
export { createMap, mapTypeName } from './maps/create.js';
export { VmMap, MAP_TYPE_IDS, UpdateFlag, type MapSpec, type MapTypeName } from './maps/map.js';
export { HashMap } from './maps/hash.js';
export { ArrayMap } from './maps/array.js';
export { LpmTrieMap } from './maps/lpm.js';
export { ProgArrayMap, RedirectMap } from './maps/redirect.js';
export { RingbufMap } from './maps/ringbuf.js';
export { runConformanceProgram, checkConformanceVm, hex64, type ConformanceRun, type ConformanceOutcome, type ConformanceStatus } from './conformance.js';
export {
  XdpVm, runXdp, xdpActionName, hex, XDP_HEADROOM, XDP_FRAME_SIZE,
  type XdpRunOptions, type XdpResult, type XdpRepeatResult, type MapChange, type XdpActionName,
} from './xdp.js';
export type { RingbufEvent, RedirectRecord } from './state.js';
export { loadObjectVm, type VmObject, type VmObjectOptions } from './object.js';
export { testRunVm, type VmTestRunOptions, type VmTestRunResult } from './test-run.js';
