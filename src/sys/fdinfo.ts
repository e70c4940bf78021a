// What a BPF fd is, from /proc/self/fdinfo/<fd>: the kernel's show_fdinfo for each kind prints
// `map_type:` for maps, `prog_type:` for programs, `link_type:` for links and `btf_id:` for
// BTF objects (bpf_map_show_fdinfo, bpf_prog_show_fdinfo, bpf_link_show_fdinfo,
// bpf_btf_show_fdinfo). BPF_OBJ_GET_INFO_BY_FD cannot tell: it fills whichever info struct the
// fd's kind has, so a map read as a program gives plausible-looking garbage.
import { readFileSync } from 'node:fs';

/** The kinds of BPF object an fd can be (the kinds bpffs pins are map, prog and link). */
export type BpfFdKind = 'map' | 'prog' | 'link' | 'btf';

/** The key that names each kind, matched as a whole key (`owner_prog_type:` of a prog_array map is not `prog_type:`). */
const KIND_BY_KEY: Readonly<Record<string, BpfFdKind>> = {
  map_type: 'map',
  prog_type: 'prog',
  link_type: 'link',
  btf_id: 'btf',
};

/** The kind an fdinfo text describes; 'other' when it names none (the fd is not a BPF object). */
export function parseFdinfoKind(text: string): BpfFdKind | 'other' {
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const kind = KIND_BY_KEY[line.slice(0, colon).trim()];
    if (kind !== undefined) return kind;
  }
  return 'other';
}

/**
 * What `fd` (of this process) is: a BPF map, program, link or BTF object, 'other' for any
 * other fd, undefined when /proc/self/fdinfo cannot be read (no /proc mounted) or the fd is
 * not open.
 */
export function bpfFdKind(fd: number): BpfFdKind | 'other' | undefined {
  if (!Number.isInteger(fd) || fd < 0) return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  } catch {
    return undefined;
  }
  return parseFdinfoKind(text);
}
