// Steer UDP to one port (a load-time constant) into the AF_XDP socket bound to the receive
// queue; everything else, and packets on queues without a socket, go to the kernel stack.
import { constant, map, u16, u32, xdp } from '../src/xdp/index.js';

export const xsk_port = constant('xsk_port', u16, 4242);
export const xsks = map('xsks', { type: 'xskmap', key: u32, value: u32, maxEntries: 64 });

export const xsk_steer = xdp('xsk_steer', (p) => {
  const ip = p.ipv4();
  const udp = p.udp(ip);
  p.if(udp.dport.eq(xsk_port), () => p.redirectMap(xsks, p.rxQueue, { otherwise: 'pass' }));
});
