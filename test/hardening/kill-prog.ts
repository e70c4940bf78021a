// The program `bpf-ts run` loads in the SIGKILL test: counts every frame, passes it.
import { map, u32, u64, xdp } from '../../src/xdp/index.js';

export const hk_seen = map('hk_seen', { type: 'array', key: u32, value: u64, maxEntries: 1 });

export const hk_pass = xdp('hk_pass', (p) => {
  p.count(hk_seen, 0, 1);
});
