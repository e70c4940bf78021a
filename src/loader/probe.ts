// Feature probes, as bpftool feature / libbpf_probe_*: load tiny programs and create tiny
// maps, and record what this kernel accepts. The profile can be saved as JSON and used later
// to check programs against a kernel we do not run on.
import { release } from 'node:os';
import { HELPER_NAMES } from '../asm/helper-ids.js';
import type { Instruction } from '../asm/instruction.js';
import { Class, JmpOp, Source, AluOp, CALL, EXIT } from '../asm/opcode.js';
import { encodeBtf } from '../btf/encode-btf.js';
import { BpfError, closeFd, ProgFlags } from '../sys/index.js';
import { MapType, ProgType } from '../elf/bpf-enums.js';
import { loadBtf } from './object.js';
import { BpfMap } from './map.js';
import { Program } from './program.js';
import { TypeNameError } from './names.js';
import { VerifierError } from './verifier-error.js';

const MOV0: Instruction = { code: Class.ALU64 | AluOp.MOV | Source.K, dst: 0, src: 0, off: 0, imm: 0 };
const EXIT_I: Instruction = { code: EXIT, dst: 0, src: 0, off: 0, imm: 0 };

/** Attach types some program types require at load time. */
const EXPECTED_ATTACH: Readonly<Record<string, string>> = {
  CGROUP_SOCK_ADDR: 'CGROUP_INET4_CONNECT',
  SK_LOOKUP: 'SK_LOOKUP',
  CGROUP_SOCKOPT: 'CGROUP_GETSOCKOPT',
};

export interface ProbeOutcome {
  readonly supported: boolean;
  /** errno name when refused. */
  readonly error?: string;
}

/** prog_flags some program types require (libbpf: syscall programs are sleepable). */
const PROG_FLAGS: Readonly<Record<string, number>> = { SYSCALL: ProgFlags.SLEEPABLE };
/** errno that means "the type exists" (libbpf: struct_ops without a BTF target says ENOTSUPP). */
const EXPECTED_ERRNO: Readonly<Record<string, string>> = { STRUCT_OPS: 'ENOTSUPP' };

function tryLoad(type: string, insns: readonly Instruction[], logLevel = 0): { ok: boolean; error?: string; log?: string } {
  try {
    const attach = EXPECTED_ATTACH[type];
    Program.load({ type, insns, name: 'probe', flags: PROG_FLAGS[type] ?? 0, ...(attach ? { expectedAttachType: attach } : {}), logLevel, logSize: 4096 }).close();
    return { ok: true };
  } catch (e) {
    if (e instanceof VerifierError) return { ok: false, error: e.errnoName, log: e.log };
    if (e instanceof BpfError) return { ok: false, error: e.errnoName };
    throw e;
  }
}

/** Whether the kernel loads a trivial program of `type` ("xdp", …). */
export function probeProgType(type: string): ProbeOutcome {
  const key = type.toUpperCase();
  const r = tryLoad(key, [MOV0, EXIT_I]);
  if (!r.ok && r.error !== undefined && EXPECTED_ERRNO[key] === r.error) return { supported: true };
  return r.ok ? { supported: true } : { supported: false, ...(r.error ? { error: r.error } : {}) };
}

const MAP_PARAMS: Readonly<Record<string, { keySize: number; valueSize: number; maxEntries: number; flags?: number; mapExtra?: bigint }>> = {
  LPM_TRIE: { keySize: 8, valueSize: 8, maxEntries: 1, flags: 1 },
  QUEUE: { keySize: 0, valueSize: 4, maxEntries: 1 },
  STACK: { keySize: 0, valueSize: 4, maxEntries: 1 },
  BLOOM_FILTER: { keySize: 0, valueSize: 4, maxEntries: 1 },
  RINGBUF: { keySize: 0, valueSize: 0, maxEntries: 4096 },
  USER_RINGBUF: { keySize: 0, valueSize: 0, maxEntries: 4096 },
  SK_STORAGE: { keySize: 4, valueSize: 4, maxEntries: 0, flags: 1 },
  INODE_STORAGE: { keySize: 4, valueSize: 4, maxEntries: 0, flags: 1 },
  TASK_STORAGE: { keySize: 4, valueSize: 4, maxEntries: 0, flags: 1 },
  CGRP_STORAGE: { keySize: 4, valueSize: 4, maxEntries: 0, flags: 1 },
  CGROUP_STORAGE: { keySize: 16, valueSize: 4, maxEntries: 0 },
  PERCPU_CGROUP_STORAGE: { keySize: 16, valueSize: 4, maxEntries: 0 },
  STACK_TRACE: { keySize: 4, valueSize: 8, maxEntries: 1 },
  ARENA: { keySize: 0, valueSize: 0, maxEntries: 1, flags: 1 << 10 },
};

/** Local-storage maps need BTF for their value: int key (id 1), struct val { int; bpf_spin_lock } (id 3). */
const STORAGE_MAPS = new Set(['SK_STORAGE', 'INODE_STORAGE', 'TASK_STORAGE', 'CGRP_STORAGE']);
function storageBtf(): Uint8Array {
  return encodeBtf([
    { kind: 'int', name: 'int', size: 4, encoding: 1, bitOffset: 0, bits: 32 },
    { kind: 'struct', name: 'bpf_spin_lock', size: 4, kindFlag: false, members: [{ name: 'val', type: 1, bitOffset: 0, bitfieldSize: 0 }] },
    { kind: 'struct', name: 'val', size: 8, kindFlag: false, members: [{ name: 'cnt', type: 1, bitOffset: 0, bitfieldSize: 0 }, { name: 'l', type: 2, bitOffset: 32, bitfieldSize: 0 }] },
  ]);
}

/** Whether the kernel creates a small map of `type`. Map-in-map types get an array inner map. */
export function probeMapType(type: string): ProbeOutcome {
  const key = type.toUpperCase();
  const p = MAP_PARAMS[key] ?? { keySize: 4, valueSize: 4, maxEntries: 1 };
  let inner: BpfMap | undefined;
  let btfFd: number | undefined;
  try {
    if (key === 'ARRAY_OF_MAPS' || key === 'HASH_OF_MAPS') inner = BpfMap.create({ type: 'ARRAY', keySize: 4, valueSize: 4, maxEntries: 1 });
    if (STORAGE_MAPS.has(key)) {
      btfFd = loadBtf(storageBtf());
      if (btfFd === undefined) return { supported: false, error: 'BTF' };
    }
    const extra = {
      ...(inner ? { innerMapFd: inner.fd } : {}),
      ...(btfFd !== undefined ? { btfFd, btfKeyTypeId: 1, btfValueTypeId: 3, valueSize: 8 } : {}),
      // struct_ops: an invalid vmlinux value type id gives ENOTSUPP when the type exists (libbpf).
      ...(key === 'STRUCT_OPS' ? { btfVmlinuxValueTypeId: 1 } : {}),
    };
    BpfMap.create({ type: key, ...p, ...extra, name: 'probe' }).close();
    return { supported: true };
  } catch (e) {
    if (e instanceof BpfError) {
      if (key === 'STRUCT_OPS' && e.errno === 524) return { supported: true };
      return { supported: false, error: e.errnoName };
    }
    throw e;
  } finally {
    inner?.close();
    if (btfFd !== undefined) closeFd(btfFd);
  }
}

/** Whether programs of `progType` may call helper `id` (libbpf: the log says "invalid func"). */
export function probeHelper(progType: string, id: number): boolean {
  const call: Instruction = { code: CALL, dst: 0, src: 0, off: 0, imm: id };
  const r = tryLoad(progType, [call, MOV0, EXIT_I], 1);
  if (r.ok) return true;
  const log = r.log ?? '';
  return !(log.includes('invalid func ') || log.includes('unknown func ') || log.includes('program of this type cannot use helper'));
}

/** Highest ISA version the kernel accepts: v2 (jlt…), v3 (jmp32), v4 (sign extension, gotol). */
export function probeIsa(type = 'SOCKET_FILTER'): 'v1' | 'v2' | 'v3' | 'v4' {
  const jlt = { code: Class.JMP | JmpOp.JLT | Source.K, dst: 0, src: 0, off: 0, imm: 1 };
  const jlt32 = { code: Class.JMP32 | JmpOp.JLT | Source.K, dst: 0, src: 0, off: 0, imm: 1 };
  const movsx = { code: Class.ALU64 | AluOp.MOV | Source.X, dst: 0, src: 0, off: 8, imm: 0 };
  if (tryLoad(type, [MOV0, movsx, EXIT_I]).ok) return 'v4';
  if (tryLoad(type, [MOV0, jlt32, EXIT_I]).ok) return 'v3';
  if (tryLoad(type, [MOV0, jlt, EXIT_I]).ok) return 'v2';
  return 'v1';
}

export interface FeatureProfile {
  readonly kernel: string;
  readonly arch: string;
  readonly isa: string;
  readonly progTypes: Record<string, ProbeOutcome>;
  readonly mapTypes: Record<string, ProbeOutcome>;
  /** Helper names available per probed program type. */
  readonly helpers: Record<string, string[]>;
}

export interface ProbeOptions {
  /** Program types to probe helpers for (default xdp and sched_cls); see {@link PROBE_PROG_TYPES}. */
  readonly helperProgTypes?: readonly string[];
}

/** The program types the probe knows, by the names the profile uses ("xdp", "sched_cls", …). */
export const PROBE_PROG_TYPES: readonly string[] = Object.keys(ProgType).filter((n) => n !== 'UNSPEC').map((n) => n.toLowerCase());

/** The profile's name for program type `name` ("XDP", "sched-cls" → "xdp", "sched_cls"); TypeNameError (exit 2) for any other. */
export function probeProgTypeName(name: string): string {
  const key = name.trim().toLowerCase().replace(/-/g, '_');
  if (!PROBE_PROG_TYPES.includes(key)) throw new TypeNameError(`unknown program type "${name}" (known: ${PROBE_PROG_TYPES.join(', ')})`);
  return key;
}

const ACCESS_ERRNOS = new Set(['EPERM', 'EACCES']);

/**
 * Whether this process may load programs at all: loads the simplest program there is (a
 * socket filter returning 0) and throws its BpfError when the kernel refuses it with EPERM or
 * EACCES — without that privilege every probe would say "no", a profile of this process's
 * rights rather than of the kernel. Other refusals are left to the probes that follow.
 */
export function checkProbeAccess(): void {
  try {
    Program.load({ type: 'SOCKET_FILTER', insns: [MOV0, EXIT_I], name: 'probe' }).close();
  } catch (e) {
    if (e instanceof BpfError && ACCESS_ERRNOS.has(e.errnoName)) {
      const why = 'no feature can be probed without loading programs';
      throw new BpfError(e.command, e.errno, 'probe socket_filter, the simplest program', e.hint ? `${e.hint} (${why})` : why);
    }
    if (e instanceof BpfError || e instanceof VerifierError) return;
    throw e;
  }
}

/**
 * Probe everything. Throws TypeNameError for an unknown helper program type (before probing),
 * and BpfError when this process may not load programs at all ({@link checkProbeAccess}).
 */
export function probeAll(opts: ProbeOptions = {}): FeatureProfile {
  const helperTypes = [...new Set((opts.helperProgTypes ?? ['xdp', 'sched_cls']).map(probeProgTypeName))];
  checkProbeAccess();
  const progTypes: Record<string, ProbeOutcome> = {};
  for (const name of PROBE_PROG_TYPES) progTypes[name] = probeProgType(name);
  const mapTypes: Record<string, ProbeOutcome> = {};
  for (const name of Object.keys(MapType)) if (name !== 'UNSPEC') mapTypes[name.toLowerCase()] = probeMapType(name);
  const helpers: Record<string, string[]> = {};
  for (const t of helperTypes) {
    if (!progTypes[t]?.supported) continue;
    helpers[t] = HELPER_NAMES.filter((_n, id) => id > 0 && probeHelper(t.toUpperCase(), id));
  }
  return { kernel: release(), arch: process.arch, isa: probeIsa(), progTypes, mapTypes, helpers };
}
