// Typed failures of the userspace VM. A program that misbehaves at run time raises VmFault
// (which instruction, which address, which region); a bad setup (unknown map, unresolved
// symbol, bad option) raises VmError before anything runs.

export type VmFaultKind =
  | 'out-of-bounds'      // address inside a region but outside its valid window
  | 'bad-pointer'        // address that is no region at all (a scalar, NULL, a freed record)
  | 'read-only'          // store to a region the program may not write (ctx, rodata)
  | 'ctx-access'         // a load from the context at an offset or size the kernel forbids
  | 'invalid-insn'       // an opcode the ISA does not define, or a jump into the middle of ld_imm64
  | 'call-depth'         // more than MAX_CALL_FRAMES nested bpf-to-bpf calls
  | 'unknown-helper'     // a helper id the VM does not implement
  | 'helper-arg'         // a helper got an argument of the wrong kind (not a map, not a pointer)
  | 'budget'             // the instruction budget ran out (a loop that does not end)
  | 'pc-out-of-range';   // fell off the end of the program or jumped outside it

/** A run-time fault of the program being executed. */
export class VmFault extends Error {
  override readonly name = 'VmFault';
  /** CLI exit code: the program ran and is wrong (1). */
  readonly exitCode = 1;
  constructor(
    readonly kind: VmFaultKind,
    readonly reason: string,
    /** Slot index (8-byte units) of the faulting instruction. */
    readonly pc: number,
    /** Index of the faulting instruction in the Instruction[] (ld_imm64 counts once). */
    readonly insn: number,
    /** The address accessed, for memory faults. */
    readonly address?: bigint,
    /** The region the address falls in (its name), when there is one. */
    readonly region?: string,
  ) {
    super(`insn ${insn} (pc ${pc}): ${kind}: ${reason}`);
  }
}

/** The VM cannot start: an unresolved map or symbol, a bad option, a bad map definition. */
export class VmError extends Error {
  override readonly name = 'VmError';
  /** CLI exit code: bad input (2). */
  readonly exitCode = 2;
}
