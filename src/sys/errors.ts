// Typed errors for the kernel's refusals. One line each; the fields carry the details.
import { errnoHint, errnoName } from './errno.js';

/** A bpf() command failed. */
export class BpfError extends Error {
  override readonly name = 'BpfError';
  /** e.g. BPF_MAP_CREATE */
  readonly command: string;
  readonly errno: number;
  /** e.g. EPERM */
  readonly errnoName: string;
  readonly hint: string;

  constructor(command: string, errno: number, context?: string, hint?: string) {
    const name = errnoName(errno);
    const h = hint ?? errnoHint(command, errno);
    super(`${command}${context ? ` (${context})` : ''} failed: ${name}${h ? `: ${h}` : ''}`);
    this.command = command;
    this.errno = errno;
    this.errnoName = name;
    this.hint = h;
  }
}

/** A libc call other than bpf() failed (socket, mmap, setsockopt, …). */
export class SystemError extends Error {
  override readonly name = 'SystemError';
  readonly call: string;
  readonly errno: number;
  readonly errnoName: string;
  readonly hint: string;

  constructor(call: string, errno: number, context?: string, hint?: string) {
    const name = errnoName(errno);
    const h = hint ?? errnoHint(call, errno);
    super(`${call}${context ? ` (${context})` : ''} failed: ${name}${h ? `: ${h}` : ''}`);
    this.call = call;
    this.errno = errno;
    this.errnoName = name;
    this.hint = h;
  }
}

/** Netlink answered with an error; `extack` is the kernel's own message when it sent one. */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  readonly errno: number;
  readonly errnoName: string;
  readonly extack: string | undefined;

  constructor(what: string, errno: number, extack?: string) {
    const name = errnoName(errno);
    const hint = extack ? '' : errnoHint('netlink', errno);
    super(`${what} failed: ${name}${extack ? `: ${extack}` : hint ? `: ${hint}` : ''}`);
    this.errno = errno;
    this.errnoName = name;
    this.extack = extack;
  }
}
