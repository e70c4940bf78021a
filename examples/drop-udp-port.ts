// Drop UDP datagrams to one port (a load-time constant, 53 unless set before load) and count them.
import { constant, map, u16, u32, u64, xdp } from '../src/xdp/index.js';

export const blocked_port = constant('blocked_port', u16, 53);
export const dropped = map('dropped', { type: 'percpu_array', key: u32, value: u64, maxEntries: 1 });

export const drop_udp = xdp('drop_udp', (p) => {
  const ip = p.ipv4(); // not IPv4: pass
  const udp = p.udp(ip); // not UDP: pass
  p.if(udp.dport.eq(blocked_port), () => {
    p.count(dropped, 0, 1);
    p.drop();
  });
});
