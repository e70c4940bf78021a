// The object model: what a BPF ELF object means, in the terms libbpf uses — programs found by
// section name, their instructions and relocations, maps (BTF-defined, legacy, and the internal
// maps global data becomes), license, version, BTF. Pure data, produced by parseObject() and
// consumed by linkProgram(), the loader, the VM, lint and the object writer.

import type { Instruction } from '../asm/instruction.js';
import type { Btf } from '../btf/btf.js';
import type { BtfExt } from '../btf/btf-ext.js';
import type { ElfFile } from './elf-file.js';
import type { SectionDef } from './section-defs.js';

/** A function's location: section name and byte offset of its first instruction. */
export interface FunctionRef {
  readonly section: string;
  readonly offset: number;
}

/**
 * Something in an instruction the loader (or VM) must fill in. `insn` is an index into the
 * owning function's `insns` (an Instruction index, not an 8-byte slot index).
 */
export type ProgramRelocation =
  /** LD_IMM64 of a map: becomes BPF_PSEUDO_MAP_FD with the map's fd. */
  | { readonly kind: 'map'; readonly insn: number; readonly map: string }
  /**
   * LD_IMM64 of an address inside a map's value (global data, .kconfig externs): becomes
   * BPF_PSEUDO_MAP_VALUE with the fd in imm and `offset` in the second slot's imm.
   */
  | { readonly kind: 'map_value'; readonly insn: number; readonly map: string; readonly offset: number }
  /** A bpf-to-bpf call into another function (fixed by linkProgram). */
  | { readonly kind: 'call'; readonly insn: number; readonly target: FunctionRef }
  /** LD_IMM64 of a function's address (callbacks: bpf_loop, timers): fixed by linkProgram. */
  | { readonly kind: 'func_addr'; readonly insn: number; readonly target: FunctionRef }
  /**
   * An extern kernel symbol (.ksyms): a variable (LD_IMM64 → BPF_PSEUDO_BTF_ID) or a kfunc
   * (CALL → BPF_PSEUDO_KFUNC_CALL); the loader resolves `name` in the kernel's BTF.
   */
  | {
    readonly kind: 'ksym'; readonly insn: number; readonly name: string; readonly call: boolean; readonly weak: boolean;
    /** `extern const void x __ksym`: its address comes from kallsyms (libbpf), not a BTF id. */
    readonly typeless?: boolean;
  };

/** func_info/line_info/CO-RE records of one function, positions as Instruction indices into it. */
export interface FunctionLineInfo {
  readonly insn: number;
  readonly fileName: string;
  readonly line: string;
  readonly lineNum: number;
  readonly column: number;
}

export interface FunctionCoreRelo {
  readonly insn: number;
  /** Root type id in the object's BTF. */
  readonly typeId: number;
  readonly accessStr: string;
  /** CoreReloKind value. */
  readonly kind: number;
}

/** A function symbol's code: an entry program, or a subprogram in .text. */
export interface BpfFunction {
  readonly name: string;
  readonly section: string;
  /** Byte offset of the first instruction within the section. */
  readonly offset: number;
  /** Size in bytes. */
  readonly size: number;
  /** Global (or weak) symbol: for subprograms, a global function the verifier checks separately. */
  readonly global: boolean;
  readonly insns: readonly Instruction[];
  readonly relocations: readonly ProgramRelocation[];
  /** The FUNC type id from .BTF.ext func_info, when the object has BTF. */
  readonly btfFuncId: number | undefined;
  readonly lineInfo: readonly FunctionLineInfo[];
  readonly coreRelos: readonly FunctionCoreRelo[];
}

/** An entry program: a function in a program section. */
export interface BpfProgram extends BpfFunction {
  /** ProgType value (UNSPEC when the section name is unknown to libbpf). */
  readonly progType: number;
  /** AttachType value for expected_attach_type, or undefined. */
  readonly expectedAttachType: number | undefined;
  /** ProgFlag bits (sleepable, xdp frags). */
  readonly progFlags: number;
  /** What to attach to, from the section name: "do_unlinkat" for kprobe/do_unlinkat. */
  readonly attachTarget: string | undefined;
  /** The libbpf section definition that matched, if any. */
  readonly sectionDef: SectionDef | undefined;
}

/** An initial entry of a prog_array or map-in-map (`.values = { [i] = &x }`). */
export interface MapInitialValue {
  readonly index: number;
  /** A program name (prog_array) or a map name (map-in-map). */
  readonly target: string;
}

export type MapOrigin = 'btf' | 'legacy' | 'data' | 'kconfig';

export interface BpfMap {
  /** The name the kernel gets (internal maps: libbpf's "<obj>.rodata" naming). */
  readonly name: string;
  readonly origin: MapOrigin;
  /** MapType value. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** MapFlag bits. */
  readonly flags: number;
  readonly numaNode: number;
  readonly mapExtra: bigint;
  /** Pinning value (0 none, 1 by name). */
  readonly pinning: number;
  /** BTF ids of the key and value types in the object's BTF (0 when none). */
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  /** Inner map template for array/hash of maps. */
  readonly inner: BpfMap | undefined;
  readonly initialValues: readonly MapInitialValue[];
  /** ELF section the map comes from (".maps", "maps", ".rodata", …). For internal maps also its real name. */
  readonly section: string;
  /** Byte offset of the definition within that section. */
  readonly offset: number;
  /** Internal maps: the initial value (zeros for .bss); undefined for other maps. */
  readonly data: Uint8Array | undefined;
  /** Internal maps of .rodata sections and .kconfig: frozen after the initial update (read-only to programs). */
  readonly readonly: boolean;
}

/** An extern from `.kconfig`: its place in the kconfig map's value. */
export interface KconfigExtern {
  readonly name: string;
  /** The VAR's type id in the object's BTF. */
  readonly btfTypeId: number;
  readonly offset: number;
  readonly size: number;
  readonly weak: boolean;
}

export interface BpfObject {
  /** Object name (libbpf: file basename up to the first '.'), used in internal map names. */
  readonly name: string;
  readonly bigEndian: boolean;
  /** Contents of the `license` section ('' when absent). */
  readonly license: string;
  /** Contents of the `version` section, when present. */
  readonly kernelVersion: number | undefined;
  /** Entry programs, in section order then offset. */
  readonly programs: readonly BpfProgram[];
  /** Functions of .text (subprograms, static or global), by offset. */
  readonly subprograms: readonly BpfFunction[];
  /** Maps: BTF-defined and legacy first (in section order), then internal maps. */
  readonly maps: readonly BpfMap[];
  readonly kconfig: readonly KconfigExtern[];
  /** The object's BTF with DATASEC sizes and offsets fixed up the way libbpf does, when present. */
  readonly btf: Btf | undefined;
  readonly btfExt: BtfExt | undefined;
  /** The low-level ELF view it was parsed from. */
  readonly elf: ElfFile;
}
