// Drop packets from blocked IPv4/IPv6 prefixes. The LPM tries are filled from userspace while
// the program runs; each entry's value counts the packets it dropped.
import { array, map, struct, u32, u64, u8, xdp } from '../src/xdp/index.js';

export const v4Key = struct({ prefixlen: u32, addr: array(u8, 4) }, 'lpm_v4_key');
export const v6Key = struct({ prefixlen: u32, addr: array(u8, 16) }, 'lpm_v6_key');

export const blocked_v4 = map('blocked_v4', { type: 'lpm_trie', key: v4Key, value: u64, maxEntries: 4096 });
export const blocked_v6 = map('blocked_v6', { type: 'lpm_trie', key: v6Key, value: u64, maxEntries: 4096 });

export const blocklist = xdp('blocklist', (p) => {
  p.ifIpv4((ip) => {
    p.lookup(blocked_v4, { prefixlen: 32, addr: ip.bytes('saddr') }, (hits) => {
      hits.add('', 1);
      p.drop();
    });
  });
  p.ifIpv6((ip) => {
    p.lookup(blocked_v6, { prefixlen: 128, addr: ip.bytes('saddr') }, (hits) => {
      hits.add('', 1);
      p.drop();
    });
  });
});
