// Global data sections become internal array maps, named the way libbpf names them
// (internal_map_name in libbpf.c): the object name's prefix plus the section name, within the
// kernel's 15 characters; sections whose name has a second '.' (".rodata.str1.1", ".data.custom")
// are named by the section name alone.

/** Kernel limit for object names, including the terminating NUL (BPF_OBJ_NAME_LEN). */
export const BPF_OBJ_NAME_LEN = 16;

export type DataSectionKind = 'data' | 'rodata' | 'bss';

/** Which kind of global data a section holds, or undefined (libbpf's SEC_DATA/SEC_RODATA/SEC_BSS). */
export function dataSectionKind(name: string): DataSectionKind | undefined {
  if (name === '.data' || name.startsWith('.data.')) return 'data';
  if (name === '.rodata' || name.startsWith('.rodata.')) return 'rodata';
  if (name === '.bss' || name.startsWith('.bss.')) return 'bss';
  return undefined;
}

/** libbpf's object name for a file path: the basename up to its first '.'. */
export function objectNameFromPath(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.indexOf('.');
  return dot < 0 ? base : base.slice(0, dot);
}

/** The map name libbpf gives the internal map of section `realName` in object `objName`. */
export function internalMapName(objName: string, realName: string): string {
  let sfxLen = Math.max(7, realName.length);
  if (sfxLen >= BPF_OBJ_NAME_LEN) sfxLen = BPF_OBJ_NAME_LEN - 1;
  const pfxLen = realName.indexOf('.', 1) >= 0 ? 0 : Math.min(BPF_OBJ_NAME_LEN - sfxLen - 1, objName.length);
  const name = objName.slice(0, pfxLen) + realName.slice(0, sfxLen);
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}
