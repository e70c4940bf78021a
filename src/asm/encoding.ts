// Instructions to bytes and back. A slot is opcode:8 regs:8 off:16 imm:32; the register
// nibbles swap with the target's byte order (bpfel: dst low; bpfeb: dst high).
import { DecodeError } from './errors.js';
import { type Instruction, SLOT_SIZE } from './instruction.js';
import { LD_IMM64 } from './opcode.js';
import { invalidReason } from './validate.js';

export interface ByteOrderOptions {
  /** Encode for a big-endian target (bpfeb). Default little-endian. */
  readonly bigEndian?: boolean;
}

/** Total bytes the instructions occupy. */
export function encodedSize(insns: readonly Instruction[]): number {
  let slots = 0;
  for (let i = 0; i < insns.length; i++) slots += insns[i]!.code === LD_IMM64 ? 2 : 1;
  return slots * SLOT_SIZE;
}

/** Encode instructions into a new buffer. Fields are written as-is: validate first if unsure. */
export function encode(insns: readonly Instruction[], opts: ByteOrderOptions = {}): Uint8Array {
  const out = new Uint8Array(encodedSize(insns));
  encodeInto(insns, out, 0, opts);
  return out;
}

/** Encode into `out` at byte `offset`; returns the offset after the last slot. */
export function encodeInto(
  insns: readonly Instruction[], out: Uint8Array, offset: number, opts: ByteOrderOptions = {},
): number {
  const be = opts.bigEndian === true;
  let p = offset;
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    writeSlot(out, p, insn.code, insn.dst, insn.src, insn.off, insn.imm, be);
    p += 8;
    if (insn.code === LD_IMM64) {
      writeSlot(out, p, 0, 0, 0, 0, insn.imm2 ?? 0, be);
      p += 8;
    }
  }
  return p;
}

function writeSlot(
  out: Uint8Array, p: number, code: number, dst: number, src: number, off: number, imm: number, be: boolean,
): void {
  out[p] = code;
  if (be) {
    out[p + 1] = ((dst & 0xf) << 4) | (src & 0xf);
    out[p + 2] = (off >> 8) & 0xff;
    out[p + 3] = off & 0xff;
    out[p + 4] = (imm >>> 24) & 0xff;
    out[p + 5] = (imm >>> 16) & 0xff;
    out[p + 6] = (imm >>> 8) & 0xff;
    out[p + 7] = imm & 0xff;
  } else {
    out[p + 1] = ((src & 0xf) << 4) | (dst & 0xf);
    out[p + 2] = off & 0xff;
    out[p + 3] = (off >> 8) & 0xff;
    out[p + 4] = imm & 0xff;
    out[p + 5] = (imm >>> 8) & 0xff;
    out[p + 6] = (imm >>> 16) & 0xff;
    out[p + 7] = (imm >>> 24) & 0xff;
  }
}

export interface DecodeOptions extends ByteOrderOptions {
  /** Reject invalid opcodes and reserved-field misuse (default true). */
  readonly validate?: boolean;
}

/**
 * Decode a byte stream into instructions. Throws DecodeError naming the byte offset for a
 * length that is not a multiple of 8, a truncated or malformed LD_IMM64, or (when validating)
 * an invalid instruction.
 */
export function decode(bytes: Uint8Array, opts: DecodeOptions = {}): Instruction[] {
  const be = opts.bigEndian === true;
  const validate = opts.validate !== false;
  if (bytes.length % SLOT_SIZE !== 0) {
    throw new DecodeError(`length ${bytes.length} is not a multiple of ${SLOT_SIZE}`, bytes.length - (bytes.length % SLOT_SIZE));
  }
  const out: Instruction[] = [];
  for (let p = 0; p < bytes.length; p += 8) {
    const insn = readSlot(bytes, p, be);
    if (insn.code === LD_IMM64) {
      if (p + 16 > bytes.length) throw new DecodeError('BPF_LD_IMM64 is missing its second slot', p);
      const next = readSlot(bytes, p + 8, be);
      if (next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
        throw new DecodeError('BPF_LD_IMM64 second slot uses reserved fields (opcode, registers and off must be 0)', p + 8);
      }
      insn.imm2 = next.imm;
      p += 8;
    }
    if (validate) {
      const why = invalidReason(insn);
      if (why !== undefined) throw new DecodeError(why, insn.code === LD_IMM64 ? p - 8 : p);
    }
    out.push(insn);
  }
  return out;
}

function readSlot(b: Uint8Array, p: number, be: boolean): Instruction {
  const regs = b[p + 1]!;
  if (be) {
    return {
      code: b[p]!,
      dst: regs >> 4,
      src: regs & 0xf,
      off: ((b[p + 2]! << 24) | (b[p + 3]! << 16)) >> 16,
      imm: (b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!,
    };
  }
  return {
    code: b[p]!,
    dst: regs & 0xf,
    src: regs >> 4,
    off: ((b[p + 3]! << 24) | (b[p + 2]! << 16)) >> 16,
    imm: b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24),
  };
}
