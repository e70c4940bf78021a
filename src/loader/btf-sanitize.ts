// Making an object's BTF acceptable to the kernel, as libbpf does before BPF_BTF_LOAD:
// extern VARs (.kconfig, .ksyms) become global allocated, and .ksyms DATASEC entries that
// point at extern FUNCs (kfuncs) point at a dummy int VAR instead (a DATASEC may only hold VARs).
import type { Btf } from '../btf/btf.js';
import type { BtfStoredType } from '../btf/btf-types.js';

const VAR_EXTERN = 2;
const VAR_GLOBAL_ALLOCATED = 1;

/** The object's own types, sanitised; ids are unchanged (new types are appended). */
export function sanitizeBtf(btf: Btf): BtfStoredType[] {
  const types = btf.ownTypes.slice() as BtfStoredType[];
  let dummyVar: number | undefined;
  const nextId = (): number => btf.firstId + types.length;
  for (let i = 0; i < types.length; i++) {
    const t = types[i]!;
    if (t.kind === 'var' && t.linkage === VAR_EXTERN) types[i] = { ...t, linkage: VAR_GLOBAL_ALLOCATED };
  }
  for (let i = 0; i < types.length; i++) {
    const t = types[i]!;
    if (t.kind !== 'datasec') continue;
    if (!t.vars.some((v) => btf.typeOrUndefined(v.type)?.kind === 'func')) continue;
    if (dummyVar === undefined) {
      const intId = nextId();
      types.push({ kind: 'int', name: 'int', size: 4, encoding: 1, bitOffset: 0, bits: 32 });
      dummyVar = nextId();
      types.push({ kind: 'var', name: 'dummy_ksym', type: intId, linkage: VAR_GLOBAL_ALLOCATED });
    }
    const dv = dummyVar;
    types[i] = { ...t, vars: t.vars.map((v) => (btf.typeOrUndefined(v.type)?.kind === 'func' ? { ...v, type: dv } : v)) };
  }
  return types;
}
