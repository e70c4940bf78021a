// The live kernel verifier as a test oracle, through the loader (src/loader Program.load and
// BpfMap.create): every differential case is labelled by a real BPF_PROG_LOAD.
import { encode } from '../../src/asm/encoding.js';
import type { Instruction } from '../../src/asm/instruction.js';
import { LD_IMM64 } from '../../src/asm/opcode.js';
import { BpfMap } from '../../src/loader/map.js';
import { Program } from '../../src/loader/program.js';
import { VerifierError } from '../../src/loader/verifier-error.js';
import { BpfError } from '../../src/sys/errors.js';

export interface OracleMap {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
}

const open = new Map<number, BpfMap>();

/** Creates a map and returns its fd; throws on failure. */
export function createMap(m: OracleMap): number {
  const map = BpfMap.create({ type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries });
  open.set(map.fd, map);
  return map.fd;
}

export function closeFd(fd: number): void {
  open.get(fd)?.close();
  open.delete(fd);
}

export interface KernelVerdict {
  readonly accepted: boolean;
  readonly errno: number;
  readonly log: string;
}

export interface LoadOptions {
  readonly progType: number;
  readonly expectedAttachType?: number;
  /** map reference name → fd, patched into LD_IMM64 (src = BPF_PSEUDO_MAP_FD) */
  readonly mapFds?: Readonly<Record<string, number>>;
  readonly logSize?: number;
  readonly flags?: number;
}

/** Loads the program as root (log_level 1), returns the verdict and the verifier log. */
export function kernelLoad(insns: readonly Instruction[], opts: LoadOptions): KernelVerdict {
  const patched = insns.map((i) => {
    if (i.code === LD_IMM64 && i.ref !== undefined && opts.mapFds?.[i.ref] !== undefined) {
      return { ...i, src: i.src === 0 ? 1 : i.src, imm: opts.mapFds[i.ref]! };
    }
    return i;
  });
  try {
    const p = Program.load({
      type: opts.progType, insns: encode(patched), logLevel: 1, logSize: opts.logSize ?? 1 << 20,
      ...(opts.expectedAttachType !== undefined ? { expectedAttachType: opts.expectedAttachType } : {}),
      ...(opts.flags !== undefined ? { flags: opts.flags } : {}),
    });
    const log = p.verifierLog;
    p.close();
    return { accepted: true, errno: 0, log };
  } catch (e) {
    if (e instanceof VerifierError) return { accepted: false, errno: e.errno, log: e.log };
    if (e instanceof BpfError) return { accepted: false, errno: e.errno, log: '' };
    throw e;
  }
}
