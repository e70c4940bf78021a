// AF_XDP's kernel interface (<linux/if_xdp.h>): socket options, structs and the calls that
// set up a UMEM and an XSK socket. Struct sizes are the ones Linux 6.18 accepts; the
// system header in Debian's linux-libc-dev may be older (xdp_umem_reg without
// tx_metadata_len), which is why the sizes are written out here.
import { SystemError } from './errors.js';
import { AF_XDP, bind, getsockopt, setsockopt, socket, SOCK_CLOEXEC, SOCK_RAW, SOL_XDP } from './posix.js';

export { AF_XDP, SOL_XDP } from './posix.js';

/** setsockopt/getsockopt names at level SOL_XDP. */
export const XdpSockOpt = {
  MMAP_OFFSETS: 1,
  RX_RING: 2,
  TX_RING: 3,
  UMEM_REG: 4,
  UMEM_FILL_RING: 5,
  UMEM_COMPLETION_RING: 6,
  STATISTICS: 7,
  OPTIONS: 8,
} as const;

/** sockaddr_xdp.sxdp_flags. */
export const XdpBindFlags = {
  /** share the UMEM of the socket in sxdp_shared_umem_fd */
  SHARED_UMEM: 1 << 0,
  /** force copy mode */
  COPY: 1 << 1,
  /** force zero-copy mode (fails when the driver cannot) */
  ZEROCOPY: 1 << 2,
  /** the kernel sets a flag in the fill/TX rings when user space must wake it with a syscall */
  USE_NEED_WAKEUP: 1 << 3,
} as const;

/** xdp_umem_reg.flags */
export const XdpUmemFlags = {
  UNALIGNED_CHUNK: 1 << 0,
} as const;

/** Ring flags word: XDP_RING_NEED_WAKEUP. */
export const XDP_RING_NEED_WAKEUP = 1;
/** xdp_options.flags: the socket is bound in zero-copy mode. */
export const XDP_OPTIONS_ZEROCOPY = 1;

/** mmap page offsets selecting which ring of an XSK fd is mapped. */
export const XdpPgoff = {
  RX_RING: 0n,
  TX_RING: 0x80000000n,
  FILL_RING: 0x100000000n,
  COMPLETION_RING: 0x180000000n,
} as const;

/** Headroom the kernel reserves before each frame in copy mode (XDP_PACKET_HEADROOM). */
export const XDP_PACKET_HEADROOM = 256;

/** sizeof(struct sockaddr_xdp) */
export const SOCKADDR_XDP_SIZE = 16;
/** sizeof(struct xdp_umem_reg) with flags and tx_metadata_len (the kernel also takes 24 and 28+pad). */
export const XDP_UMEM_REG_SIZE = 32;
/** sizeof(struct xdp_desc): addr u64, len u32, options u32. */
export const XDP_DESC_SIZE = 16;
/** sizeof(struct xdp_statistics) (6 counters). */
export const XDP_STATISTICS_SIZE = 48;
/** sizeof(struct xdp_mmap_offsets): four xdp_ring_offset {producer, consumer, desc, flags}. */
export const XDP_MMAP_OFFSETS_SIZE = 128;

/** Byte offsets of one ring's producer/consumer words, descriptor array and flags word. */
export interface RingOffsets {
  readonly producer: number;
  readonly consumer: number;
  readonly desc: number;
  readonly flags: number;
}

export interface MmapOffsets {
  readonly rx: RingOffsets;
  readonly tx: RingOffsets;
  readonly fill: RingOffsets;
  readonly completion: RingOffsets;
}

export interface XdpStatistics {
  /** dropped for other reasons (copy mode: no room, wrong queue…) */
  readonly rxDropped: bigint;
  readonly rxInvalidDescs: bigint;
  readonly txInvalidDescs: bigint;
  /** dropped because the RX ring was full */
  readonly rxRingFull: bigint;
  /** times the kernel found the fill ring empty */
  readonly rxFillRingEmptyDescs: bigint;
  /** times the kernel found the TX ring empty */
  readonly txRingEmptyDescs: bigint;
}

/** A new AF_XDP socket (SOCK_RAW, close-on-exec). */
export function xskSocket(): number {
  try {
    return socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
  } catch (e) {
    if (e instanceof SystemError && (e.errnoName === 'EAFNOSUPPORT' || e.errnoName === 'EINVAL')) {
      throw new SystemError('socket', e.errno, 'AF_XDP', 'this kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)');
    }
    throw e;
  }
}

function u32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value, true);
  return b;
}

/** Set the number of entries (a power of two) of one of the socket's rings. */
export function xskSetRingSize(fd: number, option: number, entries: number): void {
  setsockopt(fd, SOL_XDP, option, u32(entries), 4);
}

/** XDP_UMEM_REG: register `length` bytes at `address` as the UMEM, cut into `chunkSize` frames. */
export function xskRegisterUmem(fd: number, reg: { address: bigint; length: number; chunkSize: number; headroom: number; flags: number; txMetadataLen?: number }): void {
  const b = new Uint8Array(XDP_UMEM_REG_SIZE);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, reg.address, true);
  v.setBigUint64(8, BigInt(reg.length), true);
  v.setUint32(16, reg.chunkSize, true);
  v.setUint32(20, reg.headroom, true);
  v.setUint32(24, reg.flags, true);
  v.setUint32(28, reg.txMetadataLen ?? 0, true);
  setsockopt(fd, SOL_XDP, XdpSockOpt.UMEM_REG, b, b.length);
}

/** XDP_MMAP_OFFSETS: where each ring's fields are inside its mapping. */
export function xskMmapOffsets(fd: number): MmapOffsets {
  const b = new Uint8Array(XDP_MMAP_OFFSETS_SIZE);
  const len = getsockopt(fd, SOL_XDP, XdpSockOpt.MMAP_OFFSETS, b);
  const v = new DataView(b.buffer);
  // Before Linux 5.4 the struct had no flags field (3 words per ring): the flags word then
  // sits right after the consumer word, as libxdp's xsk_mmap_offsets_v1 assumes.
  const per = len >= XDP_MMAP_OFFSETS_SIZE ? 32 : 24;
  const ring = (i: number): RingOffsets => {
    const o = i * per;
    const producer = Number(v.getBigUint64(o, true));
    const consumer = Number(v.getBigUint64(o + 8, true));
    const desc = Number(v.getBigUint64(o + 16, true));
    const flags = per === 32 ? Number(v.getBigUint64(o + 24, true)) : consumer + 4;
    return { producer, consumer, desc, flags };
  };
  return { rx: ring(0), tx: ring(1), fill: ring(2), completion: ring(3) };
}

/** bind(2) the socket to (ifindex, queue) with XdpBindFlags; `sharedUmemFd` with SHARED_UMEM. */
export function xskBind(fd: number, ifindex: number, queue: number, flags: number, sharedUmemFd = 0): void {
  const b = new Uint8Array(SOCKADDR_XDP_SIZE);
  const v = new DataView(b.buffer);
  v.setUint16(0, AF_XDP, true);
  v.setUint16(2, flags, true);
  v.setUint32(4, ifindex, true);
  v.setUint32(8, queue, true);
  v.setUint32(12, sharedUmemFd, true);
  bind(fd, b, b.length);
}

/** XDP_STATISTICS: the kernel's drop and error counters for this socket. */
export function xskStatistics(fd: number): XdpStatistics {
  const b = new Uint8Array(XDP_STATISTICS_SIZE);
  const len = getsockopt(fd, SOL_XDP, XdpSockOpt.STATISTICS, b);
  const v = new DataView(b.buffer);
  const at = (i: number): bigint => (len >= (i + 1) * 8 ? v.getBigUint64(i * 8, true) : 0n);
  return {
    rxDropped: at(0),
    rxInvalidDescs: at(1),
    txInvalidDescs: at(2),
    rxRingFull: at(3),
    rxFillRingEmptyDescs: at(4),
    txRingEmptyDescs: at(5),
  };
}

/** XDP_OPTIONS: whether the bound socket runs in zero-copy mode. */
export function xskIsZeroCopy(fd: number): boolean {
  const b = new Uint8Array(4);
  getsockopt(fd, SOL_XDP, XdpSockOpt.OPTIONS, b);
  return (new DataView(b.buffer).getUint32(0, true) & XDP_OPTIONS_ZEROCOPY) !== 0;
}
