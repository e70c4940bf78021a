// Helper functions by name and id (BPF_FUNC_*), from the generated uapi table.
import { HELPER_NAMES, type HelperName } from './helper-ids.js';

export { HELPER_NAMES, type HelperName };

const ID_BY_NAME: ReadonlyMap<string, number> = new Map(HELPER_NAMES.map((n, i) => [n, i]));

/** The id of a helper, accepting `map_lookup_elem` or `bpf_map_lookup_elem`; undefined when unknown. */
export function helperId(name: string): number | undefined {
  return ID_BY_NAME.get(name.startsWith('bpf_') ? name.slice(4) : name);
}

/** The name of a helper id without the `bpf_` prefix, or undefined past the table. */
export function helperName(id: number): HelperName | undefined {
  return id > 0 && id < HELPER_NAMES.length ? HELPER_NAMES[id] : undefined;
}
