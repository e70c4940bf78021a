// `xdp(name, body)` declares a program; `compileProgram` runs the body against a fresh
// builder and assembles the result. A program that falls off its end passes the packet.
import { assemble } from '../asm/dsl/assemble.js';
import { r1, r6 } from '../asm/dsl/registers.js';
import { mov } from '../asm/dsl/alu.js';
import { exit } from '../asm/dsl/call.js';
import { withSourceLocation, callerLocation } from '../asm/dsl/location.js';
import type { Instruction } from '../asm/instruction.js';
import type { Label } from '../asm/dsl/label.js';
import type { SourceLocation } from '../asm/source-location.js';
import { r0 } from '../asm/dsl/registers.js';
import { XdpBuilder } from './builder.js';
import { Emitter, RodataLayout } from './compiler/emitter.js';
import { pruneUnreachable } from './compiler/prune.js';
import { userCode } from './compiler/statement.js';
import type { MapDef } from './declarations.js';
import { DslError, SchemaError } from './errors.js';
import { ACTION_BY_NAME, type ActionName } from './packet/layouts.js';
import { MAX_VLAN_TAGS } from './packet/parse.js';

export interface XdpOptions {
  /** ELF section (default "xdp"; "xdp.frags" for multi-buffer). */
  readonly section?: string;
  /** VLAN tags walked before L3 (default 2, at most 4). */
  readonly maxVlans?: number;
  /** Action when the body ends without one (default 'pass'). */
  readonly fallthrough?: ActionName;
  readonly license?: string;
}

export interface XdpProgramDef {
  readonly kind: 'xdp-program';
  readonly name: string;
  readonly section: string;
  readonly body: (p: XdpBuilder) => void;
  readonly options: XdpOptions;
  /** Where the program was declared. */
  readonly loc?: SourceLocation;
}

/** Declare an XDP program: `export const drop_udp = xdp('drop_udp', (p) => { ... })`. */
export function xdp(name: string, body: (p: XdpBuilder) => void, options: XdpOptions = {}): XdpProgramDef {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SchemaError(`program name '${name}' must be a C identifier`);
  const loc = callerLocation();
  return Object.freeze({ kind: 'xdp-program', name, section: options.section ?? 'xdp', body, options, ...(loc ? { loc } : {}) });
}

export function isProgramDef(x: unknown): x is XdpProgramDef {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'xdp-program';
}

export interface CompiledProgram {
  readonly name: string;
  readonly section: string;
  readonly license: string;
  /** Assembled instructions; map and `.rodata` references stay symbolic (`ref`). */
  readonly insns: Instruction[];
  /** Maps the program uses. */
  readonly maps: readonly MapDef[];
  /** Stack bytes used. */
  readonly stackDepth: number;
  /** Where each bpf-to-bpf function starts in `insns` (instruction index); the program itself starts at 0. */
  readonly functions: readonly { readonly name: string; readonly start: number }[];
  /** The program and its subprograms apart, bpf-to-bpf calls left as references (for objects). */
  readonly parts: {
    readonly main: Instruction[];
    readonly subprograms: readonly { readonly name: string; readonly arity: number; readonly insns: Instruction[] }[];
  };
}

export function compileProgram(def: XdpProgramDef, rodata: RodataLayout = new RodataLayout()): CompiledProgram {
  const maxVlans = def.options.maxVlans ?? 2;
  if (!Number.isInteger(maxVlans) || maxVlans < 0 || maxVlans > MAX_VLAN_TAGS) {
    throw new DslError(`maxVlans must be an integer in 0..${MAX_VLAN_TAGS}`, def.loc);
  }
  const e = new Emitter(rodata, def.name);
  const p = new XdpBuilder(e, maxVlans);
  withSourceLocation(def.loc, () => e.emit(mov(r6, r1)));
  userCode(() => def.body(p));
  withSourceLocation(def.loc, () => e.emit(mov(r0, ACTION_BY_NAME[def.options.fallthrough ?? 'pass']), exit()));
  for (const t of e.tails) e.items.push(...t);
  // Subprograms, each once, including those called by subprograms.
  const subItems = new Map<string, (Instruction | Label)[]>();
  for (let more = true; more; ) {
    more = false;
    for (const [name, ref] of [...e.calls]) {
      if (subItems.has(name)) continue;
      subItems.set(name, pruneUnreachable(ref.compile(e)));
      more = true;
    }
  }
  const main = pruneUnreachable(e.items);
  // Linked: the program with its subprograms after it (for BPF_PROG_LOAD, the VM, the lint).
  const { insns, relocations, labels } = assemble([main, ...subItems.values()]);
  for (const r of relocations) {
    const known = r.symbol === '.rodata' || [...e.maps].some((m) => m.name === r.symbol);
    if (!known) throw new DslError(`internal: unresolved reference '${r.symbol}'`, insns[r.index]?.loc);
  }
  const functions = [{ name: def.name, start: 0 }, ...[...subItems.keys()].map((name) => ({ name, start: labels.get(e.calls.get(name)!.label)! }))];
  // Unlinked: each function alone, calls left as references (for ELF objects: .text subprograms).
  const parts = {
    main: assemble(main).insns,
    subprograms: [...subItems].map(([name, items]) => ({ name, arity: e.calls.get(name)!.arity, insns: assemble(items).insns })),
  };
  return { name: def.name, section: def.section, license: def.options.license ?? 'GPL', insns, maps: [...e.maps], stackDepth: e.stackDepth, functions, parts };
}
