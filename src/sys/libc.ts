// The only file that imports koffi: raw libc bindings. Every function returns the C result
// unchanged (-1 on failure); read `errno()` right after a failing call. Pointers are
// bigints (native addresses) or Uint8Arrays (koffi passes a pointer to their bytes for the
// duration of the call only: never for memory the kernel keeps using after the call).
import koffi, { type LibraryHandle } from 'koffi';

/** A pointer argument: a native address, a buffer whose bytes are passed, or NULL. */
export type Ptr = bigint | Uint8Array | null;

/** syscall(2) numbers of bpf() per architecture (process.arch names). */
const SYS_BPF: Readonly<Record<string, number>> = {
  x64: 321,
  arm64: 280,
  riscv64: 280,
  loong64: 280,
  ia32: 357,
  arm: 386,
  ppc64: 361,
  s390x: 351,
};

/** The bpf() syscall number on this machine's architecture. */
export function sysBpfNumber(arch: string = process.arch): number {
  const n = SYS_BPF[arch];
  if (n === undefined) throw new Error(`bpf-ts: unknown syscall number of bpf() on ${arch}`);
  return n;
}

let lib: LibraryHandle | undefined;
function libc(): LibraryHandle {
  lib ??= koffi.load('libc.so.6');
  return lib;
}

interface Bindings {
  /** syscall(nr, a, b, c) with the pointer argument as a Number (cheaper to pass than a BigInt). */
  syscall4(nr: number, a: number, b: number, c: number): number;
  close(fd: number): number;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Ptr, len: number): number;
  setsockopt(fd: number, level: number, name: number, val: Ptr, len: number): number;
  getsockopt(fd: number, level: number, name: number, val: Ptr, len: Ptr): number;
  mmap(addr: Ptr, len: number, prot: number, flags: number, fd: number, offset: number | bigint): bigint | null;
  munmap(addr: Ptr, len: number): number;
  poll(fds: Ptr, nfds: number, timeout: number): number;
  sendto(fd: number, buf: Ptr, len: number, flags: number, addr: Ptr, addrLen: number): number;
  recvfrom(fd: number, buf: Ptr, len: number, flags: number, addr: Ptr, addrLen: Ptr): number;
  ioctl(fd: number, req: number, arg: Ptr): number;
  if_nametoindex(name: string): number;
  if_indextoname(index: number, buf: Ptr): bigint | null;
  getrlimit(resource: number, rlim: Ptr): number;
  setrlimit(resource: number, rlim: Ptr): number;
  getpid(): number;
  mount(source: string, target: string, fstype: string, flags: number, data: Ptr): number;
  fcntl(fd: number, cmd: number, arg: number): number;
  sysconf(name: number): number;
}

let bound: Bindings | undefined;

/** The libc functions, bound on first use (so importing src/sys never loads libc by itself). */
export function c(): Bindings {
  if (bound) return bound;
  const l = libc();
  const fn = <T>(proto: string): T => l.func(proto) as unknown as T;
  bound = {
    // bpf() takes (cmd, union bpf_attr *, size); declared with fixed arguments, which is
    // the same calling sequence as the variadic syscall() for integer/pointer arguments.
    syscall4: fn('long syscall(long nr, long a, intptr_t b, long c)'),
    close: fn('int close(int fd)'),
    socket: fn('int socket(int domain, int type, int protocol)'),
    bind: fn('int bind(int fd, void *addr, uint32_t len)'),
    setsockopt: fn('int setsockopt(int fd, int level, int name, void *val, uint32_t len)'),
    getsockopt: fn('int getsockopt(int fd, int level, int name, void *val, void *len)'),
    mmap: fn('void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t offset)'),
    munmap: fn('int munmap(void *addr, size_t len)'),
    poll: fn('int poll(void *fds, unsigned long nfds, int timeout)'),
    sendto: fn('intptr_t sendto(int fd, void *buf, size_t len, int flags, void *addr, uint32_t addrlen)'),
    recvfrom: fn('intptr_t recvfrom(int fd, void *buf, size_t len, int flags, void *addr, void *addrlen)'),
    ioctl: fn('int ioctl(int fd, unsigned long req, void *arg)'),
    if_nametoindex: fn('unsigned int if_nametoindex(const char *name)'),
    if_indextoname: fn('void *if_indextoname(unsigned int index, void *buf)'),
    getrlimit: fn('int getrlimit(int resource, void *rlim)'),
    setrlimit: fn('int setrlimit(int resource, void *rlim)'),
    getpid: fn('int getpid(void)'),
    mount: fn('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, void *data)'),
    fcntl: fn('int fcntl(int fd, int cmd, int arg)'),
    sysconf: fn('long sysconf(int name)'),
  };
  return bound;
}

/** errno of the last failing libc call on this thread. */
export function errno(): number {
  return koffi.errno();
}

/** Errno names by number on this OS (from koffi's table). */
export function errnoNames(): ReadonlyMap<number, string> {
  const out = new Map<number, string>();
  for (const [name, value] of Object.entries(koffi.os.errno)) if (!out.has(value)) out.set(value, name);
  return out;
}

/** Native memory the kernel may keep using between calls (never moved by the GC). */
export function nativeAlloc(size: number): { address: bigint; buffer: ArrayBuffer } {
  const ptr = koffi.alloc('uint8_t', Math.max(size, 1)) as unknown;
  const address = typeof ptr === 'bigint' ? ptr : BigInt(koffi.address(ptr));
  const buffer = koffi.view(address, Math.max(size, 1));
  new Uint8Array(buffer).fill(0);
  return { address, buffer };
}

export function nativeFree(address: bigint): void {
  koffi.free(address);
}

/** An ArrayBuffer over native memory that something else owns (an mmap'ed region). */
export function nativeView(address: bigint, size: number): ArrayBuffer {
  return koffi.view(address, size);
}
