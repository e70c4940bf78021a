// BPF Type Format: the type model, decoding (fast enough for /sys/kernel/btf/vmlinux at every
// load), encoding, a bpftool-compatible printer, .BTF.ext, a builder, and CO-RE resolution.
export * from './btf-kind.js';
export * from './btf-types.js';
export * from './btf.js';
export * from './btf-strings.js';
export * from './decode-btf.js';
export * from './encode-btf.js';
export * from './dump-btf.js';
export * from './btf-ext.js';
export * from './btf-builder.js';
export * from './errors.js';
export { essentialName, typesAreCompat, fieldsAreCompat, typesMatch } from './core/core-compat.js';
export { parseSpec, matchSpec, type CoreSpec, type CoreAccessor } from './core/core-spec.js';
export {
  CORE_POISON_IMM, resolveCoreRelocation, patchCoreInstruction, poisonInstruction, type CoreRelocation, type CoreResult,
} from './core/core-relo.js';
