// libbpf's btf_fixup_datasec: clang leaves DATASEC sizes (and, for some sections, variable
// offsets) at 0 in objects; the kernel rejects a DATASEC of size 0. Sizes come from the ELF
// sections, offsets from the variables' symbols, and .kconfig from the extern layout.

import { Btf } from '../btf/btf.js';
import type { BtfStoredType } from '../btf/btf-types.js';
import type { ElfFile } from './elf-file.js';
import type { KconfigExtern } from './object-model.js';

export function fixupDatasecs(btf: Btf, elf: ElfFile, kconfig: readonly KconfigExtern[], kconfigSize: number): Btf {
  const types = btf.ownTypes;
  let changed = false;
  const out: BtfStoredType[] = types.map((t) => {
    if (t.kind !== 'datasec') return t;
    if (t.name === '.kconfig') {
      changed = true;
      return {
        ...t,
        size: kconfigSize,
        vars: t.vars.map((v) => {
          const vt = btf.type(v.type);
          const ext = kconfig.find((k) => k.name === vt.name);
          return ext ? { type: v.type, offset: ext.offset, size: ext.size } : v;
        }),
      };
    }
    const sec = elf.sections.find((s) => s.name === t.name);
    if (!sec) return t;
    const size = sec.size ?? sec.data.length;
    const vars = t.vars.map((v) => {
      const vt = btf.type(v.type);
      const sym = elf.symbols.find((s) => s.section === t.name && s.name === vt.name && s.kind !== 'section');
      return sym ? { type: v.type, offset: sym.value, size: v.size } : v;
    });
    changed = true;
    return { ...t, size, vars };
  });
  if (!changed) return btf;
  return new Btf(out, { bigEndian: btf.bigEndian, ...(btf.strings ? { strings: btf.strings } : {}) });
}
