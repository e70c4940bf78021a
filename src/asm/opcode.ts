// The eBPF opcode byte, piece by piece (RFC 9669 §3, plus the Linux/LLVM extensions).
// opcode = code | source | class for ALU/JMP; mode | size | class for loads and stores.

/** Instruction classes: the low three bits of the opcode. */
export const Class = {
  /** non-standard loads: LD_IMM64, legacy packet loads */
  LD: 0x00,
  /** load into a register from memory */
  LDX: 0x01,
  /** store an immediate to memory */
  ST: 0x02,
  /** store a register to memory, and atomics */
  STX: 0x03,
  /** 32-bit arithmetic, result zero-extended */
  ALU: 0x04,
  /** 64-bit jumps, call, exit */
  JMP: 0x05,
  /** 32-bit compares, gotol */
  JMP32: 0x06,
  /** 64-bit arithmetic */
  ALU64: 0x07,
} as const;
export type ClassValue = (typeof Class)[keyof typeof Class];

/** Operand source bit for ALU and JMP: K uses imm, X uses the src register. */
export const Source = {
  /** use the 32-bit immediate */
  K: 0x00,
  /** use the source register */
  X: 0x08,
} as const;

/** ALU operation codes (high four bits). */
export const AluOp = {
  /** dst += src */
  ADD: 0x00,
  /** dst -= src */
  SUB: 0x10,
  /** dst *= src */
  MUL: 0x20,
  /** dst /= src (off=1: signed, v4 sdiv) */
  DIV: 0x30,
  /** dst |= src */
  OR: 0x40,
  /** dst &= src */
  AND: 0x50,
  /** dst <<= src */
  LSH: 0x60,
  /** dst >>= src, logical */
  RSH: 0x70,
  /** dst = -dst */
  NEG: 0x80,
  /** dst %= src (off=1: signed, v4 smod) */
  MOD: 0x90,
  /** dst ^= src */
  XOR: 0xa0,
  /** dst = src (off=8/16/32: sign-extending movsx, v4) */
  MOV: 0xb0,
  /** dst >>= src, arithmetic */
  ARSH: 0xc0,
  /** byte swap: le/be in ALU, bswap in ALU64 */
  END: 0xd0,
} as const;
export type AluOpValue = (typeof AluOp)[keyof typeof AluOp];

/** Jump operation codes (high four bits). */
export const JmpOp = {
  /** unconditional jump (JMP: off; JMP32: imm, "gotol") */
  JA: 0x00,
  /** jump if dst == src */
  JEQ: 0x10,
  /** jump if dst > src, unsigned */
  JGT: 0x20,
  /** jump if dst >= src, unsigned */
  JGE: 0x30,
  /** jump if dst & src */
  JSET: 0x40,
  /** jump if dst != src */
  JNE: 0x50,
  /** jump if dst > src, signed */
  JSGT: 0x60,
  /** jump if dst >= src, signed */
  JSGE: 0x70,
  /** call a helper, a local function or a kfunc */
  CALL: 0x80,
  /** return r0 to the caller */
  EXIT: 0x90,
  /** jump if dst < src, unsigned */
  JLT: 0xa0,
  /** jump if dst <= src, unsigned */
  JLE: 0xb0,
  /** jump if dst < src, signed */
  JSLT: 0xc0,
  /** jump if dst <= src, signed */
  JSLE: 0xd0,
  /** conditional pseudo-jump (may_goto, src=0), Linux 6.9+ */
  JCOND: 0xe0,
} as const;
export type JmpOpValue = (typeof JmpOp)[keyof typeof JmpOp];

/** Access sizes for loads and stores (bits 3-4). */
export const Size = {
  /** 4 bytes */
  W: 0x00,
  /** 2 bytes */
  H: 0x08,
  /** 1 byte */
  B: 0x10,
  /** 8 bytes */
  DW: 0x18,
} as const;
export type SizeValue = (typeof Size)[keyof typeof Size];

/** Addressing modes for loads and stores (bits 5-7). */
export const Mode = {
  /** 64-bit immediate (LD_IMM64 only) */
  IMM: 0x00,
  /** legacy packet load at an absolute offset */
  ABS: 0x20,
  /** legacy packet load at src + imm */
  IND: 0x40,
  /** regular memory access */
  MEM: 0x60,
  /** sign-extending load (v4) */
  MEMSX: 0x80,
  /** atomic operation (STX only) */
  ATOMIC: 0xc0,
} as const;
export type ModeValue = (typeof Mode)[keyof typeof Mode];

/** Atomic operations, in the imm field of STX|ATOMIC. */
export const AtomicOp = {
  /** *ptr += src */
  ADD: 0x00,
  /** *ptr |= src */
  OR: 0x40,
  /** *ptr &= src */
  AND: 0x50,
  /** *ptr ^= src */
  XOR: 0xa0,
  /** modifier: old value is returned in src */
  FETCH: 0x01,
  /** src = xchg(*ptr, src) */
  XCHG: 0xe1,
  /** r0 = cmpxchg(*ptr, r0, src) */
  CMPXCHG: 0xf1,
  /** dst = load_acquire(*(src + off)): note the LDX register roles */
  LOAD_ACQ: 0x100,
  /** store_release(*(dst + off), src) */
  STORE_REL: 0x110,
} as const;

/** src_reg values of LD_IMM64 (uapi BPF_PSEUDO_*). */
export const PseudoLd = {
  /** dst = imm64 */
  NONE: 0,
  /** imm = map fd */
  MAP_FD: 1,
  /** imm = map fd, next imm = offset into the value */
  MAP_VALUE: 2,
  /** imm = BTF id of a kernel variable */
  BTF_ID: 3,
  /** imm = instruction offset of a function */
  FUNC: 4,
  /** imm = index into fd_array */
  MAP_IDX: 5,
  /** imm = index into fd_array, next imm = offset into the value */
  MAP_IDX_VALUE: 6,
} as const;

/** src_reg values of CALL. */
export const PseudoCall = {
  /** imm = helper id */
  HELPER: 0,
  /** imm = target - (pc + 1), a bpf-to-bpf call */
  LOCAL: 1,
  /** imm = BTF id of a kernel function */
  KFUNC: 2,
} as const;

/** Byte-swap directions: the source bit of ALU|END. */
export const Endian = {
  /** to little-endian (0xd4) */
  LE: 0x00,
  /** to big-endian (0xdc) */
  BE: 0x08,
} as const;

/** The 16-byte LD_IMM64 opcode. */
export const LD_IMM64 = Class.LD | Size.DW | Mode.IMM; // 0x18
/** CALL helper/local/kfunc. */
export const CALL = Class.JMP | JmpOp.CALL | Source.K; // 0x85
/** CALL through a register (non-RFC). */
export const CALLX = Class.JMP | JmpOp.CALL | Source.X; // 0x8d
/** EXIT. */
export const EXIT = Class.JMP | JmpOp.EXIT; // 0x95
/** may_goto (JMP|JCOND). */
export const MAY_GOTO = Class.JMP | JmpOp.JCOND; // 0xe5

export const classOf = (code: number): number => code & 0x07;
export const isAluClass = (cls: number): boolean => cls === Class.ALU || cls === Class.ALU64;
export const isJmpClass = (cls: number): boolean => cls === Class.JMP || cls === Class.JMP32;
export const opOf = (code: number): number => code & 0xf0;
export const sourceOf = (code: number): number => code & 0x08;
export const sizeOf = (code: number): number => code & 0x18;
export const modeOf = (code: number): number => code & 0xe0;

/** Bytes moved by a load/store size field. */
export function sizeBytes(size: number): 1 | 2 | 4 | 8 {
  switch (size) {
    case Size.B: return 1;
    case Size.H: return 2;
    case Size.W: return 4;
    default: return 8;
  }
}

/** The size field for a byte width. */
export function sizeForBytes(bytes: number): SizeValue {
  switch (bytes) {
    case 1: return Size.B;
    case 2: return Size.H;
    case 4: return Size.W;
    case 8: return Size.DW;
    default: throw new RangeError(`no load/store size of ${bytes} bytes`);
  }
}
