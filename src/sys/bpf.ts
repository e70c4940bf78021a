// The bpf() system call: one command, one bpf_attr in native memory.
import { BpfCmd, enumName, OBJ_NAME_LEN } from './bpf-constants.js';
import { BpfError } from './errors.js';
import { c, errno, sysBpfNumber } from './libc.js';
import { NativeBuffer } from './native-buffer.js';

/** sizeof(union bpf_attr) we pass: the 6.1 uapi size (newer kernels accept a shorter attr). */
export const ATTR_SIZE = 144;

let nr = -1;
let syscall4: ((nr: number, a: number, b: number, c: number) => number) | undefined;

/** Name of a bpf() command as the kernel spells it (BPF_MAP_CREATE). */
export function commandName(cmd: number): string {
  return `BPF_${enumName(BpfCmd, cmd)}`;
}

/**
 * bpf(cmd, attr, size) without allocation: returns the kernel's result, or -errno.
 * For hot paths that want to handle an expected errno (ENOENT on lookup) without a throw.
 * `attr` is the attr's address as a Number (NativeBuffer.addr).
 */
export function bpfRaw(cmd: number, attr: number, size: number = ATTR_SIZE): number {
  if (syscall4 === undefined) {
    nr = sysBpfNumber();
    syscall4 = c().syscall4;
  }
  const r = syscall4(nr, cmd, attr, size);
  return r < 0 ? -errno() : r;
}

/** bpf(cmd, attr): the kernel's result (an fd or 0), or a BpfError. */
export function bpf(cmd: number, attr: NativeBuffer, context?: string): number {
  const r = bpfRaw(cmd, attr.addr, Math.min(attr.size, ATTR_SIZE));
  if (r < 0) throw new BpfError(commandName(cmd), -r, context);
  return r;
}

let scratch: NativeBuffer | undefined;

/** A zeroed shared bpf_attr for one synchronous call (never hold it across calls). */
export function scratchAttr(): NativeBuffer {
  scratch ??= new NativeBuffer(ATTR_SIZE);
  scratch.bytes.fill(0);
  return scratch;
}

/** close(2) an fd; errors are ignored (closing is best-effort cleanup). */
export function closeFd(fd: number): void {
  if (fd >= 0) c().close(fd);
}

const utf8 = new TextEncoder();

/** Write a kernel object name (map_name, prog_name): at most 15 bytes, NUL padded. */
export function writeObjName(view: DataView, offset: number, name: string): void {
  const bytes = utf8.encode(name);
  for (let i = 0; i < OBJ_NAME_LEN; i++) view.setUint8(offset + i, i < OBJ_NAME_LEN - 1 && i < bytes.length ? bytes[i]! : 0);
}

/** Read a NUL-terminated name of at most `len` bytes. */
export function readCString(bytes: Uint8Array, offset: number, len: number): string {
  let end = offset;
  while (end < offset + len && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(offset, end));
}

/** The kernel accepts only [A-Za-z0-9_.] in object names; others are dropped, like libbpf. */
export function sanitizeObjName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, '').slice(0, OBJ_NAME_LEN - 1);
}
