// src/loader: programs, maps, links, XDP attach, pinning, introspection, probes.
export { type TestRunOptions, type TestRunResult } from './test-run.js';
export { Program, type ProgramLoadOptions, type FuncInfoRecord, type LineInfoRecord, type MapRef } from './program.js';
export { BpfMap, BpfMap as Map, MapSizeError, type MapCreateOptions, type UpdateMode, type MapBatchResult } from './map.js';
export { Link } from './link.js';
export { AmbiguousLinkError, attachXdp, detachLink, detachXdp, xdpLinksOn, xdpLinksRunning, xdpProgIds, xdpProgIdsOn, xdpStatus, type XdpAttachMode, type XdpAttachOptions, type XdpAttachment, type XdpDetachResult } from './xdp.js';
export { VerifierError } from './verifier-error.js';
export { sourceForSlot, type SlotSource } from './verifier-log.js';
// The verifier log is read by the lint's parser (one parser, one diagnostic shape).
export { parseKernelRejection, parseVerifierLog, type KernelRejection, type ParsedVerifierLog } from '../lint/kernel-log.js';
export type { Diagnostic } from '../lint/diagnostic.js';
export { DEFAULT_PIN_ROOT, ensureBpffs, inInitialMountNamespace, isBpffs, openPinnedFd, PinPathError, pinFd, unpin } from './pin.js';
export * from './info.js';
export { ClosedError, FdObject } from './fd-object.js';
export { OptionError } from './option-error.js';
export { RingBuffer, RingBufferError, RINGBUF_BUSY_BIT, RINGBUF_DISCARD_BIT, RINGBUF_HDR_SIZE } from './ringbuf.js';
export { parseCpuList, perCpuSlot, possibleCpus } from './cpus.js';
export { attachTypeName, attachTypeOf, mapTypeName, mapTypeOf, progTypeName, progTypeOf, TypeNameError } from './names.js';
export { probeAll, probeHelper, probeIsa, probeMapType, probeProgType, type FeatureProfile, type ProbeOutcome, type ProbeOptions } from './probe.js';
export { loadBtf, loadObject, ObjectLoadError, type LoadedObject, type LoadObjectOptions } from './object.js';
