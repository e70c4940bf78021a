// The instruction set: opcodes, the Instruction model, encode/decode, validation, helper ids,
// and the instruction-level DSL.
export * from './opcode.js';
export * from './register.js';
export * from './instruction.js';
export * from './encoding.js';
export * from './validate.js';
export * from './errors.js';
export * from './helpers.js';
export type { SourceLocation } from './source-location.js';
export * as dsl from './dsl/index.js';
