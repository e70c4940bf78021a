// Test frames: Ethernet + IPv4 + UDP, addressed inside 198.18.0.0/15 (RFC 2544's
// benchmarking range) and nowhere else, and the MAC swap of the echo example.
import { XskError } from './errors.js';

export interface UdpFrameSpec {
  readonly dstMac: Uint8Array;
  readonly srcMac: Uint8Array;
  /** Dotted quad inside 198.18.0.0/15. */
  readonly srcIp: string;
  readonly dstIp: string;
  readonly srcPort?: number;
  readonly dstPort?: number;
  /** Total frame length, 42..1514 (default 64). */
  readonly size?: number;
}

/** Parse a MAC "02:00:c6:12:00:01". */
export function parseMac(s: string): Uint8Array {
  const parts = s.trim().split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new XskError(`"${s}" is not a MAC address`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** Parse an IPv4 address that must lie in 198.18.0.0/15. */
export function parseBenchIp(s: string): Uint8Array {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  const b = m ? Uint8Array.from(m.slice(1).map(Number)) : undefined;
  if (!b || !m!.slice(1).every((x) => Number(x) <= 255)) throw new XskError(`"${s}" is not an IPv4 address`);
  if (b[0] !== 198 || (b[1]! & 0xfe) !== 18) throw new XskError(`${s} is outside 198.18.0.0/15: test traffic uses the benchmarking range only`);
  return b;
}

function ipChecksum(b: Uint8Array, off: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i += 2) sum += (b[off + i]! << 8) | b[off + i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Write the frame into `out` (at least `size` bytes); returns its length. The payload is zeros. */
export function writeUdpFrame(out: Uint8Array, spec: UdpFrameSpec): number {
  const size = spec.size ?? 64;
  if (!Number.isInteger(size) || size < 42 || size > 1514) throw new XskError(`frame size ${size} must be from 42 to 1514`);
  if (out.length < size) throw new RangeError(`buffer of ${out.length} bytes is too small for a ${size}-byte frame`);
  const src = parseBenchIp(spec.srcIp);
  const dst = parseBenchIp(spec.dstIp);
  out.fill(0, 0, size);
  out.set(spec.dstMac.subarray(0, 6), 0);
  out.set(spec.srcMac.subarray(0, 6), 6);
  const v = new DataView(out.buffer, out.byteOffset, size);
  v.setUint16(12, 0x0800);
  const l3 = size - 14;
  v.setUint8(14, 0x45);
  v.setUint16(16, l3);
  v.setUint8(22, 64); // TTL
  v.setUint8(23, 17); // UDP
  out.set(src, 26);
  out.set(dst, 30);
  v.setUint16(24, ipChecksum(out, 14, 20));
  v.setUint16(34, spec.srcPort ?? 40000);
  v.setUint16(36, spec.dstPort ?? 9);
  v.setUint16(38, l3 - 20);
  // UDP checksum 0: allowed over IPv4
  return size;
}

/** A new frame (see writeUdpFrame). */
export function udpFrame(spec: UdpFrameSpec): Uint8Array {
  const b = new Uint8Array(spec.size ?? 64);
  writeUdpFrame(b, spec);
  return b;
}

/** Offset of the UDP payload in frames made here. */
export const UDP_PAYLOAD_OFFSET = 42;

/** Swap destination and source MAC in place (the echo example). */
export function swapMacs(frame: Uint8Array): void {
  for (let i = 0; i < 6; i++) {
    const t = frame[i]!;
    frame[i] = frame[i + 6]!;
    frame[i + 6] = t;
  }
}

/** IPv4/UDP to `dport` (network order in the frame)? The same check as the C reference receiver. */
export function isUdpTo(bytes: Uint8Array, off: number, len: number, dport: number): boolean {
  return len >= 42 && bytes[off + 12] === 0x08 && bytes[off + 13] === 0x00 && bytes[off + 23] === 17 && ((bytes[off + 36]! << 8) | bytes[off + 37]!) === dport;
}
