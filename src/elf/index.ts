// ELF objects: the low-level reader/writer, the object model (programs, maps, global data, BTF)
// read the way libbpf reads it, linking a program into runnable instructions, CO-RE, and
// writing complete objects libbpf loads.
export * from './elf-file.js';
export * from './errors.js';
export { readElf } from './read-elf.js';
export { writeElf } from './write-elf.js';
export * from './bpf-enums.js';
export * from './section-defs.js';
export * from './object-model.js';
export { parseObject, parseElfObject, type ParseObjectOptions } from './parse-object.js';
export { internalMapName, objectNameFromPath, dataSectionKind, BPF_OBJ_NAME_LEN, type DataSectionKind } from './global-data.js';
export * from './link.js';
export * from './core-apply.js';
export * from './write-object.js';
export { objectToModel } from './object-to-model.js';
export * from './object-listing.js';
