// Per-source-IPv4 rate limiter: at most `max_pps` packets per source per second, counted in
// a one-second window kept in an LRU hash (old sources fall out by themselves).
import { constant, map, struct, u32, u64, xdp } from '../src/xdp/index.js';

export const max_pps = constant('max_pps', u32, 100);
export const windows = map('rl_windows', {
  type: 'lru_hash',
  key: u32, // source address (host order)
  value: struct({ start_ns: u64, packets: u64 }, 'rl_window'),
  maxEntries: 65536,
});

export const rate_limit = xdp('rate_limit', (p) => {
  const ip = p.ipv4();
  const now = p.ktime();
  p.lookup(
    windows,
    ip.saddr,
    (w) => {
      p.if(now.sub(w.get('start_ns')).gt(1_000_000_000), () => {
        w.set('start_ns', now); // a new window
        w.set('packets', 1);
      }, () => {
        w.add('packets', 1);
        p.if(w.get('packets').gt(max_pps), () => p.drop());
      });
    },
    () => {
      p.update(windows, ip.saddr, { start_ns: now, packets: 1 });
    },
  );
});
