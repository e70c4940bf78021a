// Typed errors of the AF_XDP layer (one line each; fields carry the details).

/** Any AF_XDP setup or usage problem that is not a raw syscall failure. */
export class XskError extends Error {
  override readonly name: string = 'XskError';
  /** CLI exit code: 2 usage / bad input, 3 the kernel or driver refused. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The driver cannot do zero-copy AF_XDP (veth, most virtual devices). */
export class ZeroCopyUnsupportedError extends XskError {
  override readonly name = 'ZeroCopyUnsupportedError';
  readonly ifname: string;
  readonly errnoName: string;

  constructor(ifname: string, errnoName: string) {
    super(`zero-copy AF_XDP is not supported on ${ifname} (bind: ${errnoName}): use copy mode instead (--copy, or bind: 'copy')`, 3);
    this.ifname = ifname;
    this.errnoName = errnoName;
  }
}

/** A socket, UMEM or frame used after close(). */
export class XskClosedError extends XskError {
  override readonly name = 'XskClosedError';
}

/** A frame handed to the kernel twice, released twice, or used while the kernel owns it. */
export class FrameOwnershipError extends XskError {
  override readonly name = 'FrameOwnershipError';
}
