// A program module, compiled: every exported xdp() program, the maps they use (exported or
// not), and `.rodata` holding the load-time constants with their initial (or overridden) values.
import { RodataLayout } from './compiler/emitter.js';
import { isConstDef, isMapDef, type ConstDef, type MapDef } from './declarations.js';
import { DslError, SchemaError } from './errors.js';
import { compileProgram, isProgramDef, type CompiledProgram, type XdpProgramDef } from './program.js';
import { encode } from './schema/codec.js';
import type { ValueOf } from './schema/types.js';

export interface RodataVar {
  readonly name: string;
  readonly offset: number;
  readonly def: ConstDef;
}

export interface CompiledModule {
  readonly programs: readonly CompiledProgram[];
  readonly maps: readonly MapDef[];
  /** `.rodata` contents (empty when no constant is used) and its variables. */
  readonly rodata: { readonly bytes: Uint8Array; readonly vars: readonly RodataVar[] };
  readonly license: string;
}

export interface CompileModuleOptions {
  /** Only these programs (by name). */
  readonly programs?: readonly string[];
  /** Override constants' initial values by name. */
  readonly constants?: Readonly<Record<string, number | bigint>>;
}

/** The definitions a module exports, in export order. */
export function collectDefinitions(exports: Readonly<Record<string, unknown>>): { programs: XdpProgramDef[]; maps: MapDef[]; constants: ConstDef[] } {
  const programs: XdpProgramDef[] = [];
  const maps: MapDef[] = [];
  const constants: ConstDef[] = [];
  for (const value of Object.values(exports)) {
    if (isProgramDef(value)) programs.push(value);
    else if (isMapDef(value)) maps.push(value);
    else if (isConstDef(value)) constants.push(value);
  }
  return { programs, maps, constants };
}

export function compileModule(exports: Readonly<Record<string, unknown>>, opts: CompileModuleOptions = {}): CompiledModule {
  const defs = collectDefinitions(exports);
  let programs = defs.programs;
  if (opts.programs !== undefined) {
    const want = new Set(opts.programs);
    programs = programs.filter((p) => want.has(p.name));
    for (const n of want) if (!programs.some((p) => p.name === n)) throw new SchemaError(`no exported program named '${n}' (have: ${defs.programs.map((p) => p.name).join(', ') || 'none'})`);
  }
  if (programs.length === 0) throw new SchemaError('the module exports no xdp() program');
  const names = new Set<string>();
  for (const p of programs) {
    if (names.has(p.name)) throw new DslError(`two programs are named '${p.name}'`, p.loc);
    names.add(p.name);
  }
  const rodata = new RodataLayout();
  for (const c of defs.constants) rodata.offsetOf(c);
  const compiled = programs.map((p) => compileProgram(p, rodata));
  const maps = new Map<string, MapDef>();
  for (const m of [...defs.maps, ...compiled.flatMap((p) => p.maps)]) {
    const prev = maps.get(m.name);
    if (prev !== undefined && prev !== m) throw new SchemaError(`two different maps are named '${m.name}'`);
    maps.set(m.name, m);
  }
  return {
    programs: compiled,
    maps: [...maps.values()],
    rodata: rodataBytes(rodata, opts.constants ?? {}),
    license: compiled[0]!.license,
  };
}

function rodataBytes(layout: RodataLayout, overrides: Readonly<Record<string, number | bigint>>): CompiledModule['rodata'] {
  const bytes = new Uint8Array(layout.byteLength);
  const vars: RodataVar[] = [];
  const known = new Set<string>();
  for (const { def, offset } of layout.entries()) {
    known.add(def.name);
    const v = overrides[def.name] ?? def.initial;
    const val = (def.schema.size === 8 ? BigInt(v) : Number(v)) as ValueOf<typeof def.schema>;
    bytes.set(encode(def.schema, val), offset);
    vars.push({ name: def.name, offset, def });
  }
  for (const name of Object.keys(overrides)) if (!known.has(name)) throw new SchemaError(`no constant named '${name}' (have: ${[...known].join(', ') || 'none'})`);
  return { bytes, vars };
}

/** Set constants in a compiled module's `.rodata` before load (libbpf's skeleton `rodata->x = …`). */
export function withConstants(mod: CompiledModule, values: Readonly<Record<string, number | bigint>>): CompiledModule {
  const bytes = mod.rodata.bytes.slice();
  for (const [name, v] of Object.entries(values)) {
    const rv = mod.rodata.vars.find((x) => x.name === name);
    if (rv === undefined) throw new SchemaError(`no constant named '${name}' (have: ${mod.rodata.vars.map((x) => x.name).join(', ') || 'none'})`);
    const val = (rv.def.schema.size === 8 ? BigInt(v) : Number(v)) as ValueOf<typeof rv.def.schema>;
    bytes.set(encode(rv.def.schema, val), rv.offset);
  }
  return { ...mod, rodata: { bytes, vars: mod.rodata.vars } };
}

