// Throwing wrappers over the libc calls the loader and AF_XDP use. Each failure becomes a
// SystemError naming the call and errno. Pointer arguments take native addresses
// (NativeBuffer.address, mmap results) or Uint8Arrays used only during the call.
import { SystemError } from './errors.js';
import { c, errno, nativeView, type Ptr } from './libc.js';

export type { Ptr } from './libc.js';

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_NETLINK = 16;
export const AF_PACKET = 17;
export const AF_XDP = 44;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SOL_XDP = 283;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
export const MAP_PRIVATE = 2;
export const MAP_ANONYMOUS = 0x20;
export const MAP_POPULATE = 0x8000;
export const POLLIN = 0x1;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const MSG_DONTWAIT = 0x40;
export const RLIMIT_MEMLOCK = 8;
export const RLIMIT_NOFILE = 7;
export const RLIM_INFINITY = 0xffffffffffffffffn;

function check(call: string, r: number, context?: string): number {
  if (r < 0) throw new SystemError(call, errno(), context);
  return r;
}

export function socket(domain: number, type: number, protocol = 0): number {
  return check('socket', c().socket(domain, type, protocol));
}

export function bind(fd: number, addr: Ptr, len: number): void {
  check('bind', c().bind(fd, addr, len));
}

export function setsockopt(fd: number, level: number, name: number, value: Ptr, len: number): void {
  check('setsockopt', c().setsockopt(fd, level, name, value, len), `level ${level} option ${name}`);
}

/** getsockopt into `value`; returns the length the kernel wrote. */
export function getsockopt(fd: number, level: number, name: number, value: Uint8Array): number {
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, value.length, true);
  check('getsockopt', c().getsockopt(fd, level, name, value, len), `level ${level} option ${name}`);
  return new DataView(len.buffer).getUint32(0, true);
}

/** mmap; returns the mapping's address. */
export function mmap(length: number, prot: number, flags: number, fd: number, offset: number | bigint = 0, addr: Ptr = null): bigint {
  const p = c().mmap(addr, length, prot, flags, fd, offset);
  if (p === null || p === 0xffffffffffffffffn || p === -1n) throw new SystemError('mmap', errno(), `length ${length}`);
  return p;
}

export function munmap(addr: bigint, length: number): void {
  check('munmap', c().munmap(addr, length));
}

/** An ArrayBuffer over mapped memory (valid until munmap). */
export function viewOf(addr: bigint, length: number): ArrayBuffer {
  return nativeView(addr, length);
}

/** poll on a `struct pollfd[]` buffer (8 bytes each: fd s32, events s16, revents s16). */
export function poll(fds: Ptr, nfds: number, timeoutMs: number): number {
  for (;;) {
    const r = c().poll(fds, nfds, timeoutMs);
    if (r >= 0) return r;
    const e = errno();
    if (e !== 4) throw new SystemError('poll', e); // retry on EINTR
  }
}

/** sendto; returns bytes sent, or -errno for EAGAIN/ENOBUFS/EBUSY so rings can retry. */
export function sendto(fd: number, buf: Ptr, len: number, flags = 0, addr: Ptr = null, addrLen = 0): number {
  const r = c().sendto(fd, buf, len, flags, addr, addrLen);
  if (r >= 0) return r;
  const e = errno();
  if (e === 11 || e === 105 || e === 16 || e === 100) return -e; // EAGAIN ENOBUFS EBUSY ENETDOWN
  throw new SystemError('sendto', e);
}

/** recvfrom; returns bytes received, or -EAGAIN when nothing is there (non-blocking). */
export function recvfrom(fd: number, buf: Ptr, len: number, flags = 0): number {
  const r = c().recvfrom(fd, buf, len, flags, null, null);
  if (r >= 0) return r;
  const e = errno();
  if (e === 11) return -e;
  throw new SystemError('recvfrom', e);
}

export function ioctl(fd: number, request: number, arg: Ptr): number {
  return check('ioctl', c().ioctl(fd, request, arg), `request 0x${request.toString(16)}`);
}

export function close(fd: number): void {
  if (fd >= 0) c().close(fd);
}

/** Interface index of `name`, or a SystemError (ENODEV) saying the interface does not exist. */
export function ifNameToIndex(name: string): number {
  if (name.length === 0 || name.length > 15) throw new SystemError('if_nametoindex', 19, `"${name}" is not a valid interface name`);
  const r = c().if_nametoindex(name);
  if (r === 0) throw new SystemError('if_nametoindex', errno() || 19, `no interface named "${name}"`, 'check the interface name with `ip link`');
  return r;
}

export function ifIndexToName(index: number): string | undefined {
  const buf = new Uint8Array(16);
  const r = c().if_indextoname(index, buf);
  if (r === null || r === 0n) return undefined;
  const end = buf.indexOf(0);
  return new TextDecoder().decode(buf.subarray(0, end < 0 ? 16 : end));
}

export interface Rlimit {
  readonly cur: bigint;
  readonly max: bigint;
}

export function getrlimit(resource: number): Rlimit {
  const b = new Uint8Array(16);
  check('getrlimit', c().getrlimit(resource, b));
  const dv = new DataView(b.buffer);
  return { cur: dv.getBigUint64(0, true), max: dv.getBigUint64(8, true) };
}

export function setrlimit(resource: number, limit: Rlimit): void {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, limit.cur, true);
  dv.setBigUint64(8, limit.max, true);
  check('setrlimit', c().setrlimit(resource, b));
}

/** getpid(2) through libc (the pid the kernel sees). */
export function getpid(): number {
  return c().getpid();
}

/** mount(2), e.g. mount('bpf', '/sys/fs/bpf', 'bpf'). */
export function mount(source: string, target: string, fstype: string, flags = 0): void {
  check('mount', c().mount(source, target, fstype, flags, null), `${fstype} on ${target}`);
}
