// struct xdp_md as a program sees it. The kernel rewrites loads of the 32-bit data,
// data_end and data_meta fields into 64-bit pointer loads, so the VM's context answers
// them with full 64-bit addresses into the packet region.
import { regionHi, regionLo, type CtxAccess } from './memory.js';
import type { XdpBuffer } from './state.js';

/** sizeof(struct xdp_md) */
export const XDP_MD_SIZE = 24;

export const XdpMd = {
  data: 0, data_end: 4, data_meta: 8, ingress_ifindex: 12, rx_queue_index: 16, egress_ifindex: 20,
} as const;

export function xdpContext(buf: () => XdpBuffer, packetRegionId: number): CtxAccess {
  const hi = regionHi(packetRegionId);
  const lo0 = regionLo(0);
  return {
    load(offset: number, size: number, out: Int32Array): number | undefined {
      if (size !== 4 || (offset & 3) !== 0) return undefined;
      const x = buf();
      out[0] = offset <= XdpMd.data_meta ? hi : 0;
      switch (offset) {
        case XdpMd.data: return (lo0 + x.data) | 0;
        case XdpMd.data_end: return (lo0 + x.end) | 0;
        case XdpMd.data_meta: return (lo0 + x.meta) | 0;
        case XdpMd.ingress_ifindex: return x.ingressIfindex | 0;
        case XdpMd.rx_queue_index: return x.rxQueueIndex | 0;
        case XdpMd.egress_ifindex: return x.egressIfindex | 0;
        default: return undefined;
      }
    },
  };
}
