// A one-armed router's fast path: decrement the IPv4 TTL (checksum updated incrementally,
// RFC 1624) or the IPv6 hop limit, swap MACs and send the packet back out (XDP_TX).
// Packets that would expire go to the kernel stack, which sends the ICMP error.
import { xdp } from '../src/xdp/index.js';

export const ttl_decrement = xdp('ttl_decrement', (p) => {
  const eth = p.eth();
  p.ifIpv4((ip) => {
    p.if(ip.ttl.le(1), () => p.pass());
    p.decrementTtl(ip);
    p.swapMacs(eth);
    p.tx();
  });
  p.ifIpv6((ip) => {
    p.if(ip.hop_limit.le(1), () => p.pass());
    p.decrementTtl(ip);
    p.swapMacs(eth);
    p.tx();
  });
});
