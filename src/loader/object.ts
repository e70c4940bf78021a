// Loading a whole BPF ELF object the way libbpf's bpf_object__load does: BTF first, then the
// maps (reusing pinned ones for LIBBPF_PIN_BY_NAME), global data written and .rodata frozen,
// every program linked (src/elf linkProgram), CO-RE-relocated against the kernel's BTF,
// given map fds and loaded with func_info/line_info, then prog_array / map-in-map slots filled.
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type Instruction } from '../asm/instruction.js';
import { CALL, LD_IMM64, PseudoCall, PseudoLd } from '../asm/opcode.js';
import type { Btf } from '../btf/btf.js';
import { BtfStringBuilder } from '../btf/btf-strings.js';
import { decodeBtf } from '../btf/decode-btf.js';
import { encodeBtf } from '../btf/encode-btf.js';
import { applyCoreRelocations } from '../elf/core-apply.js';
import { type LinkedProgram, linkProgram } from '../elf/link.js';
import type { BpfMap as MapDef, BpfObject, BpfProgram } from '../elf/object-model.js';
import { parseObject } from '../elf/parse-object.js';
import { ATTR_SIZE, bpf, BpfCmd, BpfError, BtfLoadAttr, closeFd, NativeBuffer } from '../sys/index.js';
import { MapType } from '../elf/bpf-enums.js';
import { sanitizeBtf } from './btf-sanitize.js';
import { possibleCpus } from './cpus.js';
import { BpfMap } from './map.js';
import { kallsymsAddresses } from './kallsyms.js';
import { DEFAULT_PIN_ROOT } from './pin.js';
import { type LineInfoRecord, Program } from './program.js';
import type { SlotSource } from './verifier-log.js';

export interface LoadObjectOptions {
  /** Object name for internal map names ("<name>.rodata"); default "obj". */
  readonly name?: string;
  /** Where LIBBPF_PIN_BY_NAME maps live (default /sys/fs/bpf). */
  readonly pinRoot?: string;
  /** Override the program type of every program (for sections libbpf does not know). */
  readonly type?: string | number;
  /** Load only these programs (default: all). */
  readonly programs?: readonly string[];
  /** Kernel BTF for CO-RE; default /sys/kernel/btf/vmlinux, read when a program needs it. */
  readonly targetBtf?: Btf;
  /** Verifier log level for every program (0: only on failure). */
  readonly logLevel?: number;
}

export interface LoadedObject {
  readonly object: BpfObject;
  readonly programs: ReadonlyMap<string, Program>;
  readonly maps: ReadonlyMap<string, BpfMap>;
  /** The loaded BTF's fd, when the kernel accepted the object's BTF. */
  readonly btfFd: number | undefined;
  /** Maps reused from an existing pin (not created by this load). */
  readonly reusedPins: readonly string[];
  close(): void;
  [Symbol.dispose](): void;
}

/** Thrown when an object cannot be loaded for a reason in the object itself. */
export class ObjectLoadError extends Error {
  override readonly name = 'ObjectLoadError';
  readonly exitCode = 2;
}

let vmlinux: Btf | undefined;
function kernelBtf(): Btf {
  vmlinux ??= decodeBtf(new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux')));
  return vmlinux;
}

/** BPF_BTF_LOAD; returns the fd, or undefined when the kernel refuses (libbpf goes on without BTF). */
export function loadBtf(bytes: Uint8Array): number | undefined {
  const data = NativeBuffer.from(bytes);
  const attr = new NativeBuffer(ATTR_SIZE);
  try {
    attr.view.setBigUint64(BtfLoadAttr.off.btf, data.address, true);
    attr.view.setUint32(BtfLoadAttr.off.btf_size, bytes.length, true);
    return bpf(BpfCmd.BTF_LOAD, attr, 'object BTF');
  } catch (e) {
    if (e instanceof BpfError && e.errnoName !== 'EPERM') return undefined;
    throw e;
  } finally {
    data.free();
    attr.free();
  }
}

/** KERNEL_VERSION(a, b, c) of the running kernel, as libbpf computes LINUX_KERNEL_VERSION. */
function kernelVersionCode(): number {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release());
  if (!m) return 0;
  return (Number(m[1]) << 16) + (Number(m[2]) << 8) + Math.min(Number(m[3] ?? 0), 255);
}

/** CONFIG_* values from /proc/config.gz or /boot/config-<release>, when readable. */
function kernelConfig(): Map<string, string> {
  const out = new Map<string, string>();
  let text = '';
  try {
    if (existsSync('/proc/config.gz')) text = gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
    else if (existsSync(`/boot/config-${release()}`)) text = readFileSync(`/boot/config-${release()}`, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const m = /^(CONFIG_\w+)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** The .kconfig map's value: LINUX_KERNEL_VERSION and CONFIG_* externs filled like libbpf. */
function kconfigData(obj: BpfObject, size: number): Uint8Array {
  const data = new Uint8Array(size);
  const dv = new DataView(data.buffer);
  let config: Map<string, string> | undefined;
  for (const ext of obj.kconfig) {
    let value: bigint | undefined;
    if (ext.name === 'LINUX_KERNEL_VERSION') value = BigInt(kernelVersionCode());
    else if (ext.name.startsWith('CONFIG_')) {
      config ??= kernelConfig();
      const raw = config.get(ext.name);
      if (raw === 'y') value = 1n;
      else if (raw === 'm') value = 2n;
      else if (raw !== undefined && /^-?(0x[0-9a-f]+|\d+)$/i.test(raw)) value = BigInt(raw);
      else if (raw === undefined && !ext.weak) throw new ObjectLoadError(`kconfig extern ${ext.name} is not set in this kernel's config and is not __weak`);
    }
    if (value === undefined || ext.offset + ext.size > size) continue;
    if (ext.size === 1) dv.setUint8(ext.offset, Number(value & 0xffn));
    else if (ext.size === 2) dv.setUint16(ext.offset, Number(value & 0xffffn), true);
    else if (ext.size === 4) dv.setUint32(ext.offset, Number(value & 0xffffffffn), true);
    else if (ext.size === 8) dv.setBigUint64(ext.offset, value, true);
  }
  return data;
}

/** Map sizes the kernel wants that the object leaves to the loader (libbpf's adjustments). */
function adjustedMaxEntries(def: MapDef): number {
  if (def.type === MapType.PERF_EVENT_ARRAY && def.maxEntries === 0) return possibleCpus();
  if ((def.type === MapType.RINGBUF || def.type === MapType.USER_RINGBUF) && def.maxEntries % 4096 !== 0) return Math.ceil(def.maxEntries / 4096) * 4096;
  return def.maxEntries;
}

function createMap(def: MapDef, btfFd: number | undefined, innerFd: number | undefined): BpfMap {
  const base = {
    type: def.type,
    keySize: def.keySize,
    valueSize: def.valueSize,
    maxEntries: adjustedMaxEntries(def),
    flags: def.flags,
    name: def.name,
    numaNode: def.numaNode,
    mapExtra: def.mapExtra,
    ...(innerFd !== undefined ? { innerMapFd: innerFd } : {}),
  };
  const withBtf = btfFd !== undefined && def.btfValueTypeId !== 0;
  if (withBtf) {
    try {
      return BpfMap.create({ ...base, btfFd, btfKeyTypeId: def.btfKeyTypeId, btfValueTypeId: def.btfValueTypeId });
    } catch (e) {
      // libbpf retries without BTF when the kernel rejects the map's BTF description.
      if (!(e instanceof BpfError) || e.errnoName === 'EPERM') throw e;
    }
  }
  return BpfMap.create(base);
}

/** Whether a pinned map matches the definition (libbpf's map_is_reuse_compat). */
function compatible(m: BpfMap, def: MapDef): boolean {
  return m.type === def.type && m.keySize === def.keySize && m.valueSize === def.valueSize && m.maxEntries === adjustedMaxEntries(def) && m.flags === def.flags;
}

interface ResolvedLine extends LineInfoRecord {
  readonly source: SlotSource;
}

/** Load every program and map of an ELF object into the kernel. */
export function loadObject(bytes: Uint8Array, opts: LoadObjectOptions = {}): LoadedObject {
  const obj = parseObject(bytes, { name: opts.name ?? 'obj' });
  const maps = new Map<string, BpfMap>();
  const programs = new Map<string, Program>();
  const reusedPins: string[] = [];
  let btfFd: number | undefined;
  let closed = false;
  const closeAll = (): void => {
    if (closed) return;
    closed = true;
    for (const p of programs.values()) p.close();
    for (const m of maps.values()) m.close();
    if (btfFd !== undefined) closeFd(btfFd);
  };

  try {
    // 1. BTF, with the line_info strings in its string section so line_info can point at them.
    const wanted = obj.programs.filter((p) => !opts.programs || opts.programs.includes(p.name));
    if (opts.programs) {
      for (const n of opts.programs) if (!obj.programs.some((p) => p.name === n)) throw new ObjectLoadError(`no program named ${n} (have: ${obj.programs.map((p) => p.name).join(', ')})`);
    }
    const linked = new Map<string, LinkedProgram>();
    for (const p of wanted) linked.set(p.name, linkProgram(obj, p.name));
    const strings = new BtfStringBuilder();
    const lines = new Map<string, ResolvedLine[]>();
    let btfBytes: Uint8Array | undefined;
    if (obj.btf) {
      for (const [name, l] of linked) {
        lines.set(
          name,
          l.lineInfo.map((li) => ({
            insnOff: li.insnOff,
            fileNameOff: strings.add(li.fileName),
            lineOff: strings.add(li.line),
            lineCol: (li.lineNum << 10) | (li.column & 0x3ff),
            source: { insnOff: li.insnOff, loc: { file: li.fileName, line: li.lineNum, column: li.column, text: li.line } },
          })),
        );
      }
      btfBytes = encodeBtf(sanitizeBtf(obj.btf), { strings, firstId: obj.btf.firstId, bigEndian: obj.btf.bigEndian });
      btfFd = loadBtf(btfBytes);
    }

    // 2. Maps: inner templates, pinned reuse, creation, global data, freezing.
    const pinRoot = opts.pinRoot ?? DEFAULT_PIN_ROOT;
    const toPin: [BpfMap, string][] = [];
    for (const def of obj.maps) {
      const pinPath = def.pinning === 1 ? join(pinRoot, def.name) : undefined;
      if (pinPath && existsSync(pinPath)) {
        const m = BpfMap.fromPinned(pinPath);
        if (!compatible(m, def)) {
          m.close();
          throw new ObjectLoadError(`pinned map ${pinPath} does not match map ${def.name} of the object (type, key/value size, max_entries or flags differ)`);
        }
        maps.set(def.name, m);
        reusedPins.push(def.name);
        continue;
      }
      let inner: BpfMap | undefined;
      try {
        if (def.inner) inner = createMap(def.inner, btfFd, undefined);
        const m = createMap(def, btfFd, inner?.fd);
        maps.set(def.name, m);
        if (def.data !== undefined || def.origin === 'kconfig') {
          const value = def.origin === 'kconfig' ? kconfigData(obj, def.valueSize) : def.data!;
          if (value.length === def.valueSize) m.update(new Uint8Array(4), value);
          if (def.readonly) m.freeze();
        }
        if (pinPath) toPin.push([m, pinPath]);
      } finally {
        inner?.close();
      }
    }
    for (const def of obj.maps) {
      if (def.type !== MapType.ARRAY_OF_MAPS && def.type !== MapType.HASH_OF_MAPS) continue;
      if (reusedPins.includes(def.name)) continue;
      const outer = maps.get(def.name)!;
      for (const iv of def.initialValues) {
        const target = maps.get(iv.target);
        if (!target) throw new ObjectLoadError(`map ${def.name}: initial value refers to unknown map ${iv.target}`);
        outer.update(u32(iv.index), u32(target.fd));
      }
    }

    // 3. Programs.
    let target: Btf | undefined = opts.targetBtf;
    let kallsyms: Map<string, bigint> | undefined;
    for (const p of wanted) {
      let l = linked.get(p.name)!;
      if (l.coreRelos.length > 0) {
        if (!obj.btf) throw new ObjectLoadError(`program ${p.name} has CO-RE relocations but the object has no BTF`);
        target ??= kernelBtf();
        l = applyCoreRelocations(l, obj.btf, target).program;
      }
      const insns = l.insns.slice() as Instruction[];
      for (const ref of l.mapRefs) {
        const m = maps.get(ref.map);
        if (!m) throw new ObjectLoadError(`program ${p.name} refers to unknown map ${ref.map}`);
        const insn = insns[ref.insn]!;
        insns[ref.insn] = { ...insn, src: ref.kind === 'map' ? PseudoLd.MAP_FD : PseudoLd.MAP_VALUE, imm: m.fd, imm2: ref.kind === 'map' ? 0 : ref.offset, ref: undefined };
      }
      for (const k of l.ksyms) {
        const insn = insns[k.insn]!;
        if (k.typeless === true) {
          kallsyms ??= kallsymsAddresses(new Set([...obj.programs, ...obj.subprograms].flatMap((q) => q.relocations.flatMap((r) => (r.kind === 'ksym' && r.typeless === true ? [r.name] : [])))));
          const addr = kallsyms.get(k.name);
          if (addr === undefined && !k.weak) throw new ObjectLoadError(`program ${p.name}: kernel symbol ${k.name} not found in /proc/kallsyms`);
          // libbpf: a weak one that is missing is 0
          const a = addr ?? 0n;
          insns[k.insn] = { ...insn, src: 0, imm: Number(BigInt.asIntN(32, a)), imm2: Number(BigInt.asIntN(32, a >> 32n)), ref: undefined };
          continue;
        }
        target ??= kernelBtf();
        const id = k.call ? target.findOne(k.name, 'func') : target.findOne(k.name, 'var');
        if (id === undefined) {
          if (!k.weak) throw new ObjectLoadError(`program ${p.name}: kernel symbol ${k.name} not found in the kernel's BTF`);
          insns[k.insn] = k.call ? { ...insn, ref: undefined } : { ...insn, src: 0, imm: 0, imm2: 0, ref: undefined };
          continue;
        }
        insns[k.insn] = k.call ? { ...insn, code: CALL, src: PseudoCall.KFUNC, imm: id, off: 0, ref: undefined } : { ...insn, code: LD_IMM64, src: PseudoLd.BTF_ID, imm: id, imm2: 0, ref: undefined };
      }
      for (let i = 0; i < insns.length; i++) if (insns[i]!.ref !== undefined) insns[i] = { ...insns[i]!, ref: undefined };
      const progLines = lines.get(p.name) ?? [];
      const sourceLines = progLines.map((x) => x.source);
      const attach = attachBtfId(p, () => (target ??= kernelBtf()));
      const prog = Program.load({
        type: opts.type ?? (p.progType === 0 ? unknownSection(p) : p.progType),
        insns,
        license: obj.license || 'GPL',
        name: p.name,
        ...(p.expectedAttachType !== undefined ? { expectedAttachType: p.expectedAttachType } : {}),
        flags: p.progFlags,
        ...(obj.kernelVersion !== undefined ? { kernVersion: obj.kernelVersion } : {}),
        ...(btfFd !== undefined ? { progBtfFd: btfFd, funcInfo: l.funcInfo, lineInfo: progLines } : {}),
        ...(attach !== undefined ? { attachBtfId: attach } : {}),
        sourceLines,
        logLevel: opts.logLevel ?? 0,
      });
      programs.set(p.name, prog);
    }

    // 4. prog_array initial slots, then pins of newly created maps.
    for (const def of obj.maps) {
      if (def.type !== MapType.PROG_ARRAY || reusedPins.includes(def.name)) continue;
      for (const iv of def.initialValues) {
        const prog = programs.get(iv.target);
        if (prog) maps.get(def.name)!.update(u32(iv.index), u32(prog.fd));
      }
    }
    for (const [m, path] of toPin) m.pin(path);
  } catch (e) {
    closeAll();
    throw e;
  }

  return {
    object: obj,
    programs,
    maps,
    btfFd,
    reusedPins,
    close: closeAll,
    [Symbol.dispose]: closeAll,
  };
}

function unknownSection(p: BpfProgram): number {
  throw new ObjectLoadError(`program ${p.name} is in section "${p.section}", which does not say its type: pass a type (--type)`);
}

/** attach_btf_id for tracing-style sections (fentry/fexit/fmod_ret, tp_btf, lsm), like libbpf. */
function attachBtfId(p: BpfProgram, target: () => Btf): number | undefined {
  const t = p.attachTarget;
  if (t === undefined) return undefined;
  const sec = p.section;
  let id: number | undefined;
  if (/^(fentry|fexit|fmod_ret)(\.s)?\//.test(sec)) id = target().findOne(t, 'func');
  else if (sec.startsWith('tp_btf/')) id = target().findOne(`btf_trace_${t}`, 'typedef');
  else if (/^lsm(\.s)?\//.test(sec)) id = target().findOne(`bpf_lsm_${t}`, 'func');
  else if (sec.startsWith('iter/')) id = target().findOne(`bpf_iter_${t}`, 'func');
  else return undefined;
  if (id === undefined) throw new ObjectLoadError(`program ${p.name}: attach target ${t} not found in the kernel's BTF`);
  return id;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

