// bpf-ts: every layer by name. Import a subpath ('bpf-ts/asm', 'bpf-ts/xdp', …) to load only
// that layer; the pure layers do not load koffi.
export * as asm from './asm/index.js';
export * as btf from './btf/index.js';
export * as elf from './elf/index.js';
export * as lint from './lint/index.js';
export * as vm from './vm/index.js';
export * as xdp from './xdp/index.js';
export * as loader from './loader/index.js';
export * as afxdp from './afxdp/index.js';
