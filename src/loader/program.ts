// A loaded BPF program: BPF_PROG_LOAD with the verifier log grown until it fits,
// BPF_PROG_TEST_RUN with preallocated buffers, pinning, reopening by pin or id.
import { encode } from '../asm/encoding.js';
import { type Instruction, slotOffsets } from '../asm/instruction.js';
import { LD_IMM64, PseudoLd } from '../asm/opcode.js';
import type { SourceLocation } from '../asm/source-location.js';
import {
  ATTR_SIZE,
  bpf,
  BpfCmd,
  BpfError,
  bpfRaw,
  closeFd,
  errnoName,
  GetIdAttr,
  NativeBuffer,
  ProgLoadAttr,
  sanitizeObjName,
  scratchAttr,
  writeObjName,
} from '../sys/index.js';
import { FdObject } from './fd-object.js';
import { checkWhole } from './option-error.js';
import { TestRunner, type TestRunOptions, type TestRunResult } from './test-run.js';
import { attachTypeOf, progTypeName, progTypeOf } from './names.js';
import { openPinnedFdOf, pinFd } from './pin.js';
import { parseVerifierLog, type SlotSource, sourceForSlot } from './verifier-log.js';
import { VerifierError } from './verifier-error.js';
import { expectObjectKind, progInfo, type ProgInfo } from './info.js';

export interface FuncInfoRecord {
  /** Instruction slot of the function's first instruction. */
  readonly insnOff: number;
  readonly typeId: number;
}

export interface LineInfoRecord {
  readonly insnOff: number;
  readonly fileNameOff: number;
  readonly lineOff: number;
  /** line << 10 | column, as bpf_line_info packs it. */
  readonly lineCol: number;
}

/** Something that owns a map fd (a BpfMap) or a raw fd. */
export type MapRef = number | { readonly fd: number };

export interface ProgramLoadOptions {
  /** Program type: "xdp", "sched_cls", … or the number. */
  readonly type: string | number;
  /** Instructions, or already-encoded bytecode. */
  readonly insns: readonly Instruction[] | Uint8Array;
  /** Default "GPL" (GPL-only helpers need it). */
  readonly license?: string;
  /** Kernel object name (15 characters of [A-Za-z0-9_.] are kept). */
  readonly name?: string;
  readonly expectedAttachType?: string | number;
  readonly attachBtfId?: number;
  readonly attachProgFd?: number;
  readonly progBtfFd?: number;
  readonly funcInfo?: readonly FuncInfoRecord[];
  readonly lineInfo?: readonly LineInfoRecord[];
  /** Source locations per slot (resolved line_info) for verifier messages. */
  readonly sourceLines?: readonly SlotSource[];
  /** Offload/dev-bound target. */
  readonly ifindex?: number;
  /** prog_flags (ProgFlags). */
  readonly flags?: number;
  /** 0: log only on failure (default). 1/2: always log at that level (kept in `verifierLog`). */
  readonly logLevel?: number;
  /** Initial log buffer size (grows ×4 on ENOSPC up to 256 MiB). */
  readonly logSize?: number;
  /** Map fds for LD_IMM64 instructions whose `ref` names a map (src MAP_FD or MAP_VALUE). */
  readonly maps?: Readonly<Record<string, MapRef>>;
  readonly kernVersion?: number;
}

const INITIAL_LOG = 64 * 1024;
/** Programs whose attr + license + instructions fit in this many bytes load from a shared buffer. */
const LOAD_SCRATCH_MAX = 64 * 1024;
let loadScratch: NativeBuffer | undefined;
const utf8 = new TextEncoder();
const MAX_LOG = 256 * 1024 * 1024;
const FUNC_INFO_REC = 8;
const LINE_INFO_REC = 16;

/** Resolve map references in LD_IMM64 instructions to fds. */
function bindMaps(insns: readonly Instruction[], maps: Readonly<Record<string, MapRef>> | undefined): readonly Instruction[] {
  if (!maps) return insns;
  return insns.map((insn) => {
    if (insn.code !== LD_IMM64 || insn.ref === undefined) return insn;
    const m = maps[insn.ref];
    if (m === undefined) return insn;
    const fd = typeof m === 'number' ? m : m.fd;
    const src = insn.src === PseudoLd.MAP_VALUE ? PseudoLd.MAP_VALUE : PseudoLd.MAP_FD;
    return { ...insn, src, imm: fd, imm2: src === PseudoLd.MAP_VALUE ? insn.imm2 ?? 0 : 0, ref: undefined };
  });
}

/** Source records from Instruction.loc (the DSL records where each instruction was written). */
function sourcesFromInsns(insns: readonly Instruction[]): SlotSource[] {
  const slots = slotOffsets(insns);
  const out: SlotSource[] = [];
  for (let i = 0; i < insns.length; i++) {
    const loc: SourceLocation | undefined = insns[i]!.loc;
    if (loc) out.push({ insnOff: slots[i]!, loc });
  }
  return out;
}

export class Program extends FdObject {
  readonly type: number;
  readonly name: string;
  /** The verifier log when loaded with logLevel ≥ 1. */
  readonly verifierLog: string;
  #testRunner: TestRunner | undefined;

  protected constructor(fd: number, type: number, name: string, log = '') {
    super(fd);
    this.type = type;
    this.name = name;
    this.verifierLog = log;
  }

  get typeName(): string {
    return progTypeName(this.type);
  }

  /** Load a program; a verifier rejection throws VerifierError, other refusals BpfError. */
  static load(opts: ProgramLoadOptions): Program {
    const type = progTypeOf(opts.type);
    const name = sanitizeObjName(opts.name ?? '');
    let bytes: Uint8Array;
    // Source records are only needed to explain a verifier rejection: built on that path.
    let sources = (): readonly SlotSource[] => opts.sourceLines ?? [];
    if (opts.insns instanceof Uint8Array) {
      bytes = opts.insns;
    } else {
      const insns = bindMaps(opts.insns, opts.maps);
      const unresolved = insns.find((i) => i.ref !== undefined && i.code === LD_IMM64);
      if (unresolved) throw new BpfError('BPF_PROG_LOAD', 22, name, `instruction refers to "${unresolved.ref}" but no map of that name was given`);
      bytes = encode(insns);
      if ((opts.sourceLines ?? []).length === 0) sources = () => sourcesFromInsns(insns);
    }
    if (bytes.length === 0 || bytes.length % 8 !== 0) throw new BpfError('BPF_PROG_LOAD', 22, name, 'program has no instructions or a partial instruction');

    const keep: NativeBuffer[] = [];
    try {
      // attr, license and instructions share one native buffer: [attr | license\0 | insns].
      // Small programs reuse a module-level one (the kernel copies all three during the call and
      // load is synchronous, never re-entered before the syscall), so no native allocation per load.
      const license = utf8.encode(`${opts.license ?? 'GPL'}\0`);
      const licenseOff = ATTR_SIZE;
      const insnsOff = licenseOff + ((license.length + 7) & ~7);
      const total = insnsOff + bytes.length;
      let attr: NativeBuffer;
      if (total <= LOAD_SCRATCH_MAX) {
        if (loadScratch === undefined || loadScratch.size < total) {
          loadScratch?.free();
          loadScratch = new NativeBuffer(Math.max(total, 4096));
        }
        attr = loadScratch;
        attr.bytes.fill(0, 0, ATTR_SIZE);
      } else {
        attr = new NativeBuffer(total);
        keep.push(attr);
      }
      attr.bytes.set(license, licenseOff);
      attr.bytes.set(bytes, insnsOff);
      const v = attr.view;
      const o = ProgLoadAttr.off;
      v.setUint32(o.prog_type, type, true);
      v.setUint32(o.insn_cnt, bytes.length / 8, true);
      v.setBigUint64(o.insns, attr.address + BigInt(insnsOff), true);
      v.setBigUint64(o.license, attr.address + BigInt(licenseOff), true);
      v.setUint32(o.kern_version, opts.kernVersion ?? 0, true);
      v.setUint32(o.prog_flags, opts.flags ?? 0, true);
      writeObjName(v, o.prog_name, name);
      v.setUint32(o.prog_ifindex, opts.ifindex ?? 0, true);
      if (opts.expectedAttachType !== undefined) v.setUint32(o.expected_attach_type, attachTypeOf(opts.expectedAttachType), true);
      v.setUint32(o.prog_btf_fd, opts.progBtfFd ?? 0, true);
      v.setUint32(o.attach_btf_id, opts.attachBtfId ?? 0, true);
      v.setUint32(o.attach_prog_fd, opts.attachProgFd ?? 0, true);
      if (opts.funcInfo && opts.funcInfo.length > 0) {
        const fi = new NativeBuffer(opts.funcInfo.length * FUNC_INFO_REC);
        keep.push(fi);
        opts.funcInfo.forEach((r, i) => {
          fi.view.setUint32(i * 8, r.insnOff, true);
          fi.view.setUint32(i * 8 + 4, r.typeId, true);
        });
        v.setUint32(o.func_info_rec_size, FUNC_INFO_REC, true);
        v.setBigUint64(o.func_info, fi.address, true);
        v.setUint32(o.func_info_cnt, opts.funcInfo.length, true);
      }
      if (opts.lineInfo && opts.lineInfo.length > 0) {
        const li = new NativeBuffer(opts.lineInfo.length * LINE_INFO_REC);
        keep.push(li);
        opts.lineInfo.forEach((r, i) => {
          li.view.setUint32(i * 16, r.insnOff, true);
          li.view.setUint32(i * 16 + 4, r.fileNameOff, true);
          li.view.setUint32(i * 16 + 8, r.lineOff, true);
          li.view.setUint32(i * 16 + 12, r.lineCol, true);
        });
        v.setUint32(o.line_info_rec_size, LINE_INFO_REC, true);
        v.setBigUint64(o.line_info, li.address, true);
        v.setUint32(o.line_info_cnt, opts.lineInfo.length, true);
      }

      const wantLog = (opts.logLevel ?? 0) > 0;
      // First attempt without a log (fast, as libbpf), unless a log was asked for.
      if (!wantLog) {
        const fd = progLoadRaw(attr.addr);
        if (fd >= 0) return new Program(fd, type, name);
        const e = -fd;
        if (e !== 13 && e !== 22 && e !== 7 && e !== 28) throw new BpfError('BPF_PROG_LOAD', e, name || undefined);
      }
      // Again with a log, growing the buffer while the kernel says ENOSPC.
      checkWhole('program load: logSize', opts.logSize, 0, 0x7fffffff);
      let size = Math.max(opts.logSize ?? INITIAL_LOG, 4096);
      for (;;) {
        const log = new NativeBuffer(size);
        try {
          v.setUint32(o.log_level, Math.max(opts.logLevel ?? 1, 1), true);
          v.setUint32(o.log_size, size, true);
          v.setBigUint64(o.log_buf, log.address, true);
          const fd = progLoadRaw(attr.addr);
          const text = readLog(log);
          if (fd >= 0) return new Program(fd, type, name, text);
          const e = -fd;
          if (e === 28 /* ENOSPC */ && size < MAX_LOG) {
            size *= 4;
            continue;
          }
          if (text.trim() === '') throw new BpfError('BPF_PROG_LOAD', e, name || undefined);
          const parsed = parseVerifierLog(text);
          const source = parsed.source ?? (parsed.insn !== undefined ? sourceForSlot(sources(), parsed.insn) : undefined);
          throw new VerifierError({ program: name, errno: e, errnoName: errnoName(e), log: text, insn: parsed.insn, errorLines: parsed.errorLines, source });
        } finally {
          log.free();
        }
      }
    } finally {
      for (const b of keep) b.free();
    }
  }

  /**
   * Wrap an fd the Program owns once this returns (on a throw the caller still does); reads
   * type and name from the kernel. ObjectKindError when the fd is not a program.
   */
  static fromFd(fd: number): Program {
    expectObjectKind(fd, 'prog');
    return Program.#wrap(fd);
  }

  /** Open a program pinned on bpffs; ObjectKindError ("PATH is a map, not a program") when the pin is not a program. */
  static fromPinned(path: string): Program {
    const fd = openPinnedFdOf(path, 'prog');
    try {
      return Program.#wrap(fd);
    } catch (e) {
      closeFd(fd);
      throw e;
    }
  }

  /** Open a loaded program by its id. */
  static fromId(id: number): Program {
    const attr = scratchAttr();
    attr.view.setUint32(GetIdAttr.off.start_id, id, true);
    const fd = bpf(BpfCmd.PROG_GET_FD_BY_ID, attr, `program id ${id}`);
    try {
      return Program.#wrap(fd);
    } catch (e) {
      closeFd(fd);
      throw e;
    }
  }

  /** An fd known to be a program (checked, or from PROG_GET_FD_BY_ID). */
  static #wrap(fd: number): Program {
    const info = progInfo(fd);
    return new Program(fd, info.type, info.name);
  }

  /** Pin at `path` on bpffs; the program then outlives this process. */
  pin(path: string): void {
    pinFd(this.fd, path);
  }

  /** What the kernel knows about this program (id, tag, run counts, map ids…). */
  info(): ProgInfo {
    return progInfo(this.fd);
  }

  /** BPF_PROG_TEST_RUN. Buffers and the attr are kept between calls, so repeated runs allocate only the result. */
  testRun(opts: TestRunOptions = {}): TestRunResult {
    return (this.#testRunner ??= new TestRunner()).run(this.fd, opts, this.name);
  }

  protected override onClose(): void {
    this.#testRunner?.free();
    this.#testRunner = undefined;
  }
}

/**
 * BPF_PROG_LOAD, retried like libbpf (5 attempts) while the kernel says EAGAIN: the verifier
 * gives up with EAGAIN when a signal is pending (a profiler's SIGPROF, a timer), not for the program.
 */
function progLoadRaw(attr: number): number {
  let fd = bpfRaw(BpfCmd.PROG_LOAD, attr);
  for (let attempt = 1; fd === -11 /* EAGAIN */ && attempt < 5; attempt++) fd = bpfRaw(BpfCmd.PROG_LOAD, attr);
  return fd;
}

function readLog(log: NativeBuffer): string {
  let end = log.bytes.indexOf(0);
  if (end < 0) end = log.size;
  return new TextDecoder().decode(log.bytes.subarray(0, end));
}
