// A printer with exactly the output of `bpftool btf dump file X` (raw format), used by tests to
// compare our decoder with bpftool's, and by `bpf-ts disasm`/debugging.

import type { Btf } from './btf.js';
import type { BtfType } from './btf-types.js';

const INT_ENCODING: Record<number, string> = { 0: '(none)', 1: 'SIGNED', 2: 'CHAR', 4: 'BOOL' };
const LINKAGE: Record<number, string> = { 0: 'static', 1: 'global', 2: 'extern' };

const str = (s: string): string => (s === '' ? '(anon)' : s);
const kindUpper = (t: BtfType): string => (t.kind === 'void' ? 'UNKNOWN' : t.kind.toUpperCase());

/** One type in bpftool's raw format (without the trailing newline). */
export function dumpBtfType(btf: Btf, id: number): string {
  const t = btf.type(id);
  let out = `[${id}] ${kindUpper(t)} '${str(t.name)}'`;
  switch (t.kind) {
    case 'int':
      out += ` size=${t.size} bits_offset=${t.bitOffset} nr_bits=${t.bits} encoding=${INT_ENCODING[t.encoding] ?? 'UNKN'}`;
      break;
    case 'ptr': case 'const': case 'volatile': case 'restrict': case 'typedef': case 'type_tag':
      out += ` type_id=${t.type}`;
      break;
    case 'array':
      out += ` type_id=${t.type} index_type_id=${t.indexType} nr_elems=${t.nelems}`;
      break;
    case 'struct': case 'union':
      out += ` size=${t.size} vlen=${t.members.length}`;
      for (const m of t.members) {
        out += `\n\t'${str(m.name)}' type_id=${m.type} bits_offset=${m.bitOffset}`;
        if (m.bitfieldSize) out += ` bitfield_size=${m.bitfieldSize}`;
      }
      break;
    case 'enum':
      out += ` encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}`;
      for (const v of t.values) out += `\n\t'${str(v.name)}' val=${v.value}`;
      break;
    case 'enum64':
      out += ` encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}`;
      for (const v of t.values) out += `\n\t'${str(v.name)}' val=${v.value}${t.signed ? 'LL' : 'ULL'}`;
      break;
    case 'fwd':
      out += ` fwd_kind=${t.union ? 'union' : 'struct'}`;
      break;
    case 'func':
      out += ` type_id=${t.type} linkage=${LINKAGE[t.linkage] ?? '(unknown)'}`;
      break;
    case 'func_proto':
      out += ` ret_type_id=${t.returnType} vlen=${t.params.length}`;
      for (const p of t.params) out += `\n\t'${str(p.name)}' type_id=${p.type}`;
      break;
    case 'var':
      out += ` type_id=${t.type}, linkage=${LINKAGE[t.linkage] ?? '(unknown)'}`;
      break;
    case 'datasec':
      out += ` size=${t.size} vlen=${t.vars.length}`;
      for (const v of t.vars) {
        out += `\n\ttype_id=${v.type} offset=${v.offset} size=${v.size}`;
        const vt = btf.typeOrUndefined(v.type);
        if (vt !== undefined && v.type < btf.typeCount) out += ` (${kindUpper(vt)} '${str(vt.name)}')`;
      }
      break;
    case 'float':
      out += ` size=${t.size}`;
      break;
    case 'decl_tag':
      out += ` type_id=${t.type} component_idx=${t.componentIdx}`;
      break;
    case 'void':
      break;
  }
  return out;
}

/** All types stored in this BTF (not the base's), one per line, like `bpftool btf dump file`. */
export function dumpBtf(btf: Btf): string {
  const lines: string[] = [];
  for (let id = btf.firstId; id < btf.typeCount; id++) lines.push(dumpBtfType(btf, id));
  return lines.length ? `${lines.join('\n')}\n` : '';
}
