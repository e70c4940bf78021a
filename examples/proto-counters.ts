// Packets and bytes per IP protocol number (IPv4 protocol / IPv6 next header), per CPU.
import { map, struct, u32, u64, xdp } from '../src/xdp/index.js';

export const stat = struct({ packets: u64, bytes: u64 }, 'proto_stat');
export const proto_stats = map('proto_stats', { type: 'percpu_array', key: u32, value: stat, maxEntries: 256 });
/** Key 256 would be out of the array: other EtherTypes are counted in a separate slot. */
export const other_stats = map('other_stats', { type: 'percpu_array', key: u32, value: stat, maxEntries: 1 });

export const count_protocols = xdp('count_protocols', (p) => {
  const len = p.packetLength();
  p.ifIpv4(
    (ip) => p.count(proto_stats, ip.protocol, { packets: 1, bytes: len }),
    () => {
      p.ifIpv6(
        (ip) => p.count(proto_stats, ip.nexthdr, { packets: 1, bytes: len }),
        () => p.count(other_stats, 0, { packets: 1, bytes: len }),
      );
    },
  );
});
