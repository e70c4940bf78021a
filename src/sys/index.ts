// src/sys: the kernel interface (the only place importing koffi).
export * from './bpf-constants.js';
export * from './bpf-layouts.js';
export * from './layout.js';
export { ATTR_SIZE, bpf, bpfRaw, closeFd, commandName, readCString, sanitizeObjName, scratchAttr, writeObjName } from './bpf.js';
export { errnoHint, errnoName } from './errno.js';
export { BpfError, NetlinkError, SystemError } from './errors.js';
export { NativeBuffer } from './native-buffer.js';
export { sysBpfNumber } from './libc.js';
export * from './posix.js';
export { RtNetlink, AttrWriter, parseAttrs, type NlAttr, type NlMessage } from './netlink.js';
export { listXdp, queryXdp, removeXdp, setXdp, xdpModeFlag, type XdpMode, type XdpSetOptions, type XdpState } from './xdp-netlink.js';
