// The filter `bpf-ts demo` runs: count IPv4 packets per protocol as passed, dropped or steered
// to AF_XDP; drop UDP to one port (the discard port, 9) and steer UDP to another (4242) into
// the AF_XDP socket of the receive queue. ARP and IPv6 pass untouched, so neighbour discovery
// keeps working.
import { constant, map, struct, u16, u32, u64, xdp } from '../src/xdp/index.js';

export const drop_port = constant('drop_port', u16, 9);
export const xsk_port = constant('xsk_port', u16, 4242);
export const verdict = struct({ passed: u64, dropped: u64, to_xsk: u64, bytes: u64 }, 'verdict');
export const by_proto = map('by_proto', { type: 'percpu_array', key: u32, value: verdict, maxEntries: 256 });
export const demo_xsks = map('demo_xsks', { type: 'xskmap', key: u32, value: u32, maxEntries: 64 });

export const demo_filter = xdp('demo_filter', (p) => {
  const len = p.packetLength();
  p.ifIpv4((ip) => {
    p.ifUdp(ip, (udp) => {
      p.if(udp.dport.eq(drop_port), () => {
        p.count(by_proto, ip.protocol, { dropped: 1, bytes: len });
        p.drop();
      });
      p.if(udp.dport.eq(xsk_port), () => {
        p.count(by_proto, ip.protocol, { to_xsk: 1, bytes: len });
        p.redirectMap(demo_xsks, p.rxQueue, { otherwise: 'pass' });
      });
    });
    p.count(by_proto, ip.protocol, { passed: 1, bytes: len });
  });
});
