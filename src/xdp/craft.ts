// Crafting test packets (Ethernet, VLAN tags, IPv4/IPv6, UDP/TCP/ICMP) with correct
// checksums, for tests, `bpf-ts demo` and the userspace VM. Pure: bytes in, bytes out.

export type Mac = string; // "02:00:00:00:00:01"

export interface PacketSpec {
  readonly srcMac?: Mac;
  readonly dstMac?: Mac;
  /** VLAN tags, outermost first: { tpid: 0x8100 | 0x88a8, tci }. */
  readonly vlans?: readonly { readonly tpid?: number; readonly tci: number }[];
  /** "198.18.0.1" or "2001:db8::1": the family follows the address. */
  readonly src: string;
  readonly dst: string;
  readonly proto: 'udp' | 'tcp' | 'icmp';
  readonly sport?: number;
  readonly dport?: number;
  readonly ttl?: number;
  readonly payload?: Uint8Array;
  /** IPv4 options bytes (a multiple of 4). */
  readonly ipOptions?: Uint8Array;
  /** TCP flags byte (default SYN). */
  readonly tcpFlags?: number;
}

export function parseMac(mac: Mac): Uint8Array {
  const parts = mac.split(':').map((h) => Number.parseInt(h, 16));
  if (parts.length !== 6 || parts.some((b) => !(b >= 0 && b <= 255))) throw new TypeError(`bad MAC address '${mac}'`);
  return Uint8Array.from(parts);
}

export function parseIpv4(addr: string): Uint8Array {
  const parts = addr.split('.').map(Number);
  if (parts.length !== 4 || parts.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) throw new TypeError(`bad IPv4 address '${addr}'`);
  return Uint8Array.from(parts);
}

export function parseIpv6(addr: string): Uint8Array {
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const hs = head ? head.split(':').filter((x) => x !== '') : [];
  const ts = tail ? tail.split(':').filter((x) => x !== '') : [];
  const fill = tail === undefined ? 0 : 8 - hs.length - ts.length;
  const words = [...hs, ...Array<string>(Math.max(fill, 0)).fill('0'), ...ts].map((w) => Number.parseInt(w, 16));
  if (words.length !== 8 || words.some((w) => !(w >= 0 && w <= 0xffff))) throw new TypeError(`bad IPv6 address '${addr}'`);
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

/** IPv4 address as a host-order number (what the DSL reads from ip.saddr). */
export function ipv4ToNumber(addr: string): number {
  const b = parseIpv4(addr);
  return ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
}

/** The Internet checksum (RFC 1071) of `bytes`, plus an initial 32-bit sum. */
export function internetChecksum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

function sumWords(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1]! << 8;
  return sum;
}

const PROTO = { icmp: 1, tcp: 6, udp: 17 } as const;

export function craftPacket(spec: PacketSpec): Uint8Array {
  const v6 = spec.src.includes(':');
  const src = v6 ? parseIpv6(spec.src) : parseIpv4(spec.src);
  const dst = v6 ? parseIpv6(spec.dst) : parseIpv4(spec.dst);
  const payload = spec.payload ?? new Uint8Array(0);
  const proto = spec.proto === 'icmp' && v6 ? 58 : PROTO[spec.proto];
  // Transport header + payload.
  let l4: Uint8Array;
  let csumOff: number;
  if (spec.proto === 'udp') {
    l4 = new Uint8Array(8 + payload.length);
    put16(l4, 0, spec.sport ?? 12345);
    put16(l4, 2, spec.dport ?? 53);
    put16(l4, 4, l4.length);
    csumOff = 6;
  } else if (spec.proto === 'tcp') {
    l4 = new Uint8Array(20 + payload.length);
    put16(l4, 0, spec.sport ?? 12345);
    put16(l4, 2, spec.dport ?? 80);
    l4[12] = 5 << 4;
    l4[13] = spec.tcpFlags ?? 0x02;
    put16(l4, 14, 65535);
    csumOff = 16;
  } else {
    l4 = new Uint8Array(8 + payload.length);
    l4[0] = v6 ? 128 : 8; // echo request
    put16(l4, 4, spec.sport ?? 1);
    put16(l4, 6, 1);
    csumOff = 2;
  }
  l4.set(payload, l4.length - payload.length);
  const pseudo = v6 || spec.proto !== 'icmp' ? sumWords(src) + sumWords(dst) + proto + l4.length : 0;
  let c = internetChecksum(l4, pseudo);
  if (spec.proto === 'udp' && c === 0) c = 0xffff;
  put16(l4, csumOff, c);
  // IP header.
  let l3: Uint8Array;
  if (v6) {
    l3 = new Uint8Array(40);
    l3[0] = 0x60;
    put16(l3, 4, l4.length);
    l3[6] = proto;
    l3[7] = spec.ttl ?? 64;
    l3.set(src, 8);
    l3.set(dst, 24);
  } else {
    const opts = spec.ipOptions ?? new Uint8Array(0);
    if (opts.length % 4 !== 0 || opts.length > 40) throw new TypeError('IPv4 options must be a multiple of 4 bytes, at most 40');
    l3 = new Uint8Array(20 + opts.length);
    l3[0] = 0x40 | (l3.length / 4);
    put16(l3, 2, l3.length + l4.length);
    put16(l3, 4, 0x1234);
    put16(l3, 6, 0x4000); // DF
    l3[8] = spec.ttl ?? 64;
    l3[9] = proto;
    l3.set(src, 12);
    l3.set(dst, 16);
    l3.set(opts, 20);
    put16(l3, 10, internetChecksum(l3));
  }
  // Ethernet + VLAN tags.
  const vlans = spec.vlans ?? [];
  const l2 = new Uint8Array(14 + 4 * vlans.length);
  l2.set(parseMac(spec.dstMac ?? '02:00:00:00:00:02'), 0);
  l2.set(parseMac(spec.srcMac ?? '02:00:00:00:00:01'), 6);
  vlans.forEach((t, i) => {
    put16(l2, 12 + 4 * i, t.tpid ?? 0x8100);
    put16(l2, 14 + 4 * i, t.tci);
  });
  put16(l2, 12 + 4 * vlans.length, v6 ? 0x86dd : 0x0800);
  const out = new Uint8Array(l2.length + l3.length + l4.length);
  out.set(l2, 0);
  out.set(l3, l2.length);
  out.set(l4, l2.length + l3.length);
  return out;
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

/** Whether the IPv4 header at `off` has a valid checksum. */
export function ipv4ChecksumOk(pkt: Uint8Array, off = 14): boolean {
  const ihl = (pkt[off]! & 0xf) * 4;
  return internetChecksum(pkt.subarray(off, off + ihl)) === 0;
}
