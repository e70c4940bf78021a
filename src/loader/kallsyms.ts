// Kernel symbol addresses from /proc/kallsyms, for typeless ksyms (`extern const void x
// __ksym`), which libbpf resolves there rather than through BTF: such a program takes the
// symbol's address as a plain 64-bit constant. Without privilege (kptr_restrict) every address
// reads as 0, which counts as not found.
import { readFileSync } from 'node:fs';

/** The non-zero addresses of those of `names` that /proc/kallsyms lists (one pass over it). */
export function kallsymsAddresses(names: ReadonlySet<string>): Map<string, bigint> {
  const out = new Map<string, bigint>();
  if (names.size === 0) return out;
  let text: string;
  try {
    text = readFileSync('/proc/kallsyms', 'latin1');
  } catch {
    return out;
  }
  // "ffffffff81000000 T _stext" or, for a module's symbol, "... t name\t[module]"
  for (let p = 0; p < text.length;) {
    const nl = text.indexOf('\n', p);
    const end = nl < 0 ? text.length : nl;
    const a = text.indexOf(' ', p);
    const b = a < 0 ? -1 : text.indexOf(' ', a + 1);
    if (a > p && b > a && b < end) {
      const rest = text.slice(b + 1, end); // (searching the whole text for a tab would be quadratic)
      const tab = rest.indexOf('\t');
      const name = tab < 0 ? rest : rest.slice(0, tab);
      if (names.has(name) && !out.has(name)) {
        const addr = BigInt(`0x${text.slice(p, a)}`);
        if (addr !== 0n) out.set(name, addr);
      }
    }
    p = end + 1;
  }
  return out;
}
