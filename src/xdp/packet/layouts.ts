// Header layouts as on the wire: offsets, widths, byte order, and bit fields.
// Multi-byte fields are network order and read as host numbers. `bytes` fields (MAC and IPv6
// addresses) are copied, not read as numbers, except MACs, which also read as 48-bit numbers.

export interface FieldSpec {
  readonly off: number;
  readonly size: 1 | 2 | 4 | 6 | 8 | 16;
  /** Right shift then mask applied after the read (bit fields). */
  readonly shift?: number;
  readonly mask?: number;
}

export interface HeaderLayout<F extends string = string> {
  readonly name: string;
  /** Bytes checked against data_end once, when the header is parsed. */
  readonly size: number;
  readonly fields: Readonly<Record<F, FieldSpec>>;
  /** Offset of the header checksum that writes keep correct (RFC 1624). */
  readonly checksum?: number;
}

const f = (off: number, size: FieldSpec['size'], shift = 0, mask = 0): FieldSpec => ({ off, size, shift, mask });

export const ETH = {
  name: 'Ethernet',
  size: 14,
  fields: { dst: f(0, 6), src: f(6, 6), proto: f(12, 2) },
} as const satisfies HeaderLayout;

export const VLAN = {
  name: '802.1Q',
  size: 4,
  fields: { tci: f(0, 2), vid: f(0, 2, 0, 0xfff), pcp: f(0, 2, 13, 0x7), proto: f(2, 2) },
} as const satisfies HeaderLayout;

export const ARP = {
  name: 'ARP',
  size: 28,
  fields: { htype: f(0, 2), ptype: f(2, 2), hlen: f(4, 1), plen: f(5, 1), op: f(6, 2), sha: f(8, 6), spa: f(14, 4), tha: f(18, 6), tpa: f(24, 4) },
} as const satisfies HeaderLayout;

export const IPV4 = {
  name: 'IPv4',
  size: 20,
  checksum: 10,
  fields: {
    version: f(0, 1, 4, 0xf), ihl: f(0, 1, 0, 0xf), tos: f(1, 1), tot_len: f(2, 2), id: f(4, 2), frag_off: f(6, 2),
    ttl: f(8, 1), protocol: f(9, 1), check: f(10, 2), saddr: f(12, 4), daddr: f(16, 4),
  },
} as const satisfies HeaderLayout;

export const IPV6 = {
  name: 'IPv6',
  size: 40,
  fields: { version: f(0, 1, 4, 0xf), payload_len: f(4, 2), nexthdr: f(6, 1), hop_limit: f(7, 1), saddr: f(8, 16), daddr: f(24, 16) },
} as const satisfies HeaderLayout;

export const UDP = {
  name: 'UDP',
  size: 8,
  checksum: 6,
  fields: { sport: f(0, 2), dport: f(2, 2), len: f(4, 2), check: f(6, 2) },
} as const satisfies HeaderLayout;

export const TCP = {
  name: 'TCP',
  size: 20,
  checksum: 16,
  fields: {
    sport: f(0, 2), dport: f(2, 2), seq: f(4, 4), ack_seq: f(8, 4), doff: f(12, 1, 4, 0xf), flags: f(13, 1),
    window: f(14, 2), check: f(16, 2), urg_ptr: f(18, 2),
  },
} as const satisfies HeaderLayout;

export const ICMP = {
  name: 'ICMP',
  size: 8,
  checksum: 2,
  fields: { type: f(0, 1), code: f(1, 1), checksum: f(2, 2), id: f(4, 2), seq: f(6, 2) },
} as const satisfies HeaderLayout;

export const ICMP6 = {
  name: 'ICMPv6',
  size: 8,
  checksum: 2,
  fields: { type: f(0, 1), code: f(1, 1), checksum: f(2, 2) },
} as const satisfies HeaderLayout;

export const EtherType = { IPV4: 0x0800, ARP: 0x0806, VLAN: 0x8100, QINQ: 0x88a8, IPV6: 0x86dd } as const;
export const IpProto = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;
/** IPv6 extension headers walked before the transport header. */
export const Ipv6Ext = { HOPOPTS: 0, ROUTING: 43, FRAGMENT: 44, AH: 51, DSTOPTS: 60 } as const;

/** XDP actions (enum xdp_action). */
export const XdpAction = { ABORTED: 0, DROP: 1, PASS: 2, TX: 3, REDIRECT: 4 } as const;
export type ActionName = 'aborted' | 'drop' | 'pass' | 'tx' | 'redirect';
export const ACTION_BY_NAME: Readonly<Record<ActionName, number>> = { aborted: 0, drop: 1, pass: 2, tx: 3, redirect: 4 };

/** struct xdp_md field offsets. */
export const XdpMd = { data: 0, data_end: 4, data_meta: 8, ingress_ifindex: 12, rx_queue_index: 16, egress_ifindex: 20 } as const;
