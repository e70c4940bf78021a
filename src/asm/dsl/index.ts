// The instruction-level DSL: registers as values, one function per operation, labels.
//
//   import { r0, r1, r2, mov, ldxw, jge, exit, label, assemble } from 'bpf-ts/asm';
//   const { insns } = assemble([mov(r0, 2), ldxw(r2, r1, 4), jge(r2, 100, 'out'), mov(r0, 1), label('out'), exit()]);
export * from './registers.js';
export * from './alu.js';
export * from './jump.js';
export * from './memory.js';
export * from './atomic.js';
export * from './ld-imm64.js';
export * from './call.js';
export * from './label.js';
export * from './assemble.js';
export { setSourceLocationCapture, sourceLocationCaptureEnabled, withSourceLocation, callerLocation } from './location.js';
