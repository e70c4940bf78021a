// bpf-ts run FILE.ts --dev IF: build the module's XDP program, lint it, load it, attach it,
// and show its counters every second until Ctrl-C (or --seconds). Detaches and releases
// everything on exit, on SIGINT/SIGTERM and on error.
//
// Also the glue the other xdp commands and tests share: importing a TypeScript program module
// (through tsx), loading a compiled module into the kernel, linting it, reading its maps.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from '../args.js';
import { attachXdp, BpfMap, detachXdp, loadObject, Program, type XdpAttachment, type XdpAttachMode } from '../../src/loader/index.js';
import { writeObject } from '../../src/elf/write-object.js';
import { lintInstructions, type MapInfo, type ProgramReport } from '../../src/lint/index.js';
import {
  compileModule, MAP_TYPE_IDS, toObjectModel, typedMap, type CompiledModule, type MapDef, type Schema, type TypedMap,
} from '../../src/xdp/index.js';
import { exitCodeFor, UsageError } from '../errors.js';
import { interfaceIndex } from '../interface.js';
import { printError, printJson, printLine } from '../output.js';

// ---- module import and compile ----

/**
 * Whether Node treats the file as CommonJS: .cts/.cjs, or .ts/.js under a package.json whose
 * "type" is not "module" (Node's rule, which tsx follows).
 */
export function isCommonJsModule(path: string): boolean {
  if (/\.[cm][jt]s$/.test(path)) return /\.c[jt]s$/.test(path);
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type !== 'module';
      } catch {
        return true; // Node reads a broken package.json as CommonJS too (and reports it on import)
      }
    }
    if (dirname(dir) === dir) return true;
  }
}

/** Import a TypeScript (or JavaScript) program module and return its exports. */
export async function importProgramModule(file: string): Promise<Record<string, unknown>> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`${file}: no such file`);
  if (statSync(path).isDirectory()) throw new UsageError(`${file}: is a directory, not a program module`);
  if (!/\.[cm]?[jt]sx?$/.test(path)) throw new UsageError(`${file}: not a TypeScript or JavaScript module (.ts, .mts, .cts, .js, .mjs, .cjs)`);
  // tsx is loaded only here, so the other commands work where it is not installed.
  try {
    // A CommonJS module goes through tsx's require (tsImport would run it from a data: URL,
    // whose stack frames name no file or line: source locations need both).
    if (isCommonJsModule(path)) {
      const { require: tsxRequire } = (await import('tsx/cjs/api')) as { require: (id: string, from: string) => unknown };
      return tsxRequire(path, import.meta.url) as Record<string, unknown>;
    }
    const { tsImport } = (await import('tsx/esm/api')) as { tsImport: (specifier: string, parent: string) => Promise<unknown> };
    return (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
  } catch (e) {
    throw moduleImportError(file, e);
  }
}

/**
 * What went wrong importing the user's module, as bad input (exit 2, one line): its own
 * exception, a syntax error, an import that cannot be resolved. tsx missing is said so.
 */
function moduleImportError(file: string, e: unknown): unknown {
  if (exitCodeFor(e) !== 70) return e; // already one of ours (a DSL error on the user's line, say)
  const err = e as { code?: unknown; message?: unknown } | undefined;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  if ((err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') && /['"]tsx(\/[^'"]*)?['"]/.test(message)) {
    return new UsageError('importing a TypeScript module needs the tsx package (npm install tsx)');
  }
  // A syntax error comes from tsx's esbuild as "Transform failed with 1 error:" and then
  // "file:line:col: ERROR: text" on the next line: that line is the one to show.
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^Transform failed with \d+ errors?:$/.test(l));
  const syntax = /^(.+:\d+:\d+): ERROR: (.*)$/.exec(lines[0] ?? '');
  if (syntax !== null) return new UsageError(`${syntax[1]}: ${syntax[2]}`);
  return new UsageError(`${file}: ${lines[0] ?? message}`);
}

/** Parse `--const name=value` options. */
export function parseConstants(list: readonly string[] | undefined): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const item of list ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(0x[0-9a-fA-F]+|\d+)$/.exec(item);
    if (m === null) throw new UsageError(`--const ${item}: expected NAME=NUMBER`);
    out[m[1]!] = BigInt(m[2]!);
  }
  return out;
}

export async function buildFromFile(file: string, opts: { programs?: string[]; constants?: Record<string, bigint> } = {}): Promise<CompiledModule> {
  const exports = await importProgramModule(file);
  const mod = compileModule(exports, { ...(opts.programs ? { programs: opts.programs } : {}), ...(opts.constants ? { constants: opts.constants } : {}) });
  attachSourceText(mod);
  return mod;
}

/**
 * Fill each instruction's source location with the text of its TypeScript line, so the
 * object's line info reads like clang's (`; p.drop(); @ filter.ts:12` in bpftool, the verifier
 * log and `bpf-ts disasm -l`), and name files relative to the working directory as clang does,
 * so the same build gives the same bytes in any checkout. The compiler is pure and does not
 * read files; this is the edge.
 */
function attachSourceText(mod: CompiledModule): void {
  const files = new Map<string, readonly string[] | undefined>();
  const textOf = (file: string, line: number): string | undefined => {
    if (!files.has(file)) {
      try {
        files.set(file, readFileSync(file, 'utf8').split('\n'));
      } catch {
        files.set(file, undefined);
      }
    }
    return files.get(file)?.[line - 1]?.trim();
  };
  for (const p of mod.programs) {
    for (const list of [p.insns, p.parts.main, ...p.parts.subprograms.map((s) => s.insns)]) {
      for (const insn of list) {
        const loc = insn.loc as { file: string; line: number; text?: string } | undefined;
        if (loc === undefined || loc.text !== undefined) continue;
        const text = textOf(loc.file, loc.line);
        if (text !== undefined) loc.text = text;
        const rel = isAbsolute(loc.file) ? relative(process.cwd(), loc.file) : loc.file;
        if (!rel.startsWith('..') && !isAbsolute(rel)) loc.file = rel;
      }
    }
  }
}

// ---- lint ----

const BPF_F_RDONLY_PROG = 0x80;

export function lintMapInfo(mod: CompiledModule): Record<string, MapInfo> {
  const out: Record<string, MapInfo> = {};
  for (const m of mod.maps) {
    const ring = m.type === 'ringbuf';
    out[m.name] = { name: m.name, type: MAP_TYPE_IDS[m.type], keySize: ring ? 0 : m.key.size, valueSize: ring ? 0 : m.value.size, maxEntries: m.maxEntries, flags: m.flags };
  }
  if (mod.rodata.bytes.length > 0) out['.rodata'] = { name: '.rodata', type: MAP_TYPE_IDS.array, keySize: 4, valueSize: mod.rodata.bytes.length, maxEntries: 1, flags: BPF_F_RDONLY_PROG };
  return out;
}

export function lintCompiled(mod: CompiledModule): ProgramReport[] {
  const maps = lintMapInfo(mod);
  return mod.programs.map((p) => lintInstructions(p.insns, { type: 'xdp', maps, name: p.name, section: p.section }));
}

/** Lint rejection: the work was done and the answer is no (exit 1). */
export class LintRejectedError extends Error {
  override readonly name = 'LintRejectedError';
  readonly exitCode = 1;
}

export function describeLint(r: ProgramReport): string[] {
  return r.diagnostics.map((d) => {
    const where = d.source ? `${d.source.file}:${d.source.line}: ` : '';
    return `${where}${d.severity}: ${d.message} (insn ${d.insn}, program ${r.name})${d.hint ? ` — ${d.hint}` : ''}`;
  });
}

// ---- load into the kernel ----

export interface LoadedModule {
  readonly programs: Record<string, Program>;
  readonly maps: Record<string, BpfMap>;
  typed<K extends Schema, V extends Schema>(def: MapDef<K, V>): TypedMap<K, V>;
  close(): void;
}

/**
 * Create the module's maps (and `.rodata` as a frozen, program-read-only array, as libbpf
 * does) and load its programs with map references bound by name.
 */
export function loadCompiledModule(mod: CompiledModule): LoadedModule {
  const maps: Record<string, BpfMap> = {};
  const programs: Record<string, Program> = {};
  const close = (): void => {
    for (const p of Object.values(programs)) p.close();
    for (const m of Object.values(maps)) m.close();
  };
  try {
    for (const m of mod.maps) {
      const ring = m.type === 'ringbuf';
      maps[m.name] = BpfMap.create({
        type: m.type, keySize: ring ? 0 : m.key.size, valueSize: ring ? 0 : m.value.size, maxEntries: m.maxEntries, flags: m.flags, name: m.name,
      });
    }
    if (mod.rodata.bytes.length > 0) {
      const ro = BpfMap.create({ type: 'array', keySize: 4, valueSize: mod.rodata.bytes.length, maxEntries: 1, flags: BPF_F_RDONLY_PROG, name: '.rodata' });
      maps['.rodata'] = ro;
      ro.update(new Uint8Array(4), mod.rodata.bytes);
      ro.freeze();
    }
    for (const p of mod.programs) {
      programs[p.name] = Program.load({ type: 'xdp', insns: p.insns, name: p.name, license: p.license, maps });
    }
  } catch (err) {
    close();
    throw err;
  }
  return { programs, maps, typed: (def) => typedMap(def, maps[def.name]!), close };
}

/**
 * The path users get: write the ELF object (BTF-typed maps, line info pointing at the
 * TypeScript) and load it with the loader's loadObject, as libbpf would.
 */
export function loadModuleObject(mod: CompiledModule, name = 'bpfts'): LoadedModule {
  const obj = loadObject(writeObject(toObjectModel(mod)), { name });
  const programs = Object.fromEntries(obj.programs);
  const maps = Object.fromEntries(obj.maps);
  return { programs, maps, typed: (def) => typedMap(def, maps[def.name]!), close: () => obj.close() };
}

// ---- counters ----

const COUNTER_TYPES = new Set(['array', 'percpu_array', 'hash', 'percpu_hash', 'lru_hash', 'lru_percpu_hash', 'lpm_trie']);

export interface CounterRow {
  readonly map: string;
  readonly key: unknown;
  readonly value: unknown;
}

function isZero(v: unknown): boolean {
  if (typeof v === 'bigint') return v === 0n;
  if (typeof v === 'number') return v === 0;
  if (v instanceof Uint8Array) return v.every((b) => b === 0);
  if (Array.isArray(v)) return v.every(isZero);
  if (typeof v === 'object' && v !== null) return Object.values(v).every(isZero);
  return false;
}

/** Non-zero entries of the module's counter-like maps (at most `limit` per map). */
export function readCounters(mod: CompiledModule, loaded: LoadedModule, limit = 32): CounterRow[] {
  const rows: CounterRow[] = [];
  for (const def of mod.maps) {
    if (!COUNTER_TYPES.has(def.type)) continue;
    const t = loaded.typed(def);
    let n = 0;
    for (const [key, value] of t.entries(def.maxEntries)) {
      if (isZero(value)) continue;
      rows.push({ map: def.name, key, value });
      if (++n >= limit) break;
    }
  }
  return rows;
}

const show = (v: unknown): string => {
  if (v instanceof Uint8Array) return Array.from(v).join('.');
  if (typeof v === 'object' && v !== null) return Object.entries(v).map(([k, x]) => `${k}=${show(x)}`).join(' ');
  return String(v);
};

export function formatCounters(rows: readonly CounterRow[]): string {
  if (rows.length === 0) return '  (no counters yet)';
  const w = Math.max(...rows.map((r) => r.map.length), 3);
  return rows.map((r) => `  ${r.map.padEnd(w)}  ${show(r.key).padStart(6)}  ${show(r.value)}`).join('\n');
}


// ---- the command ----

interface RunOpts {
  dev: string;
  mode: string;
  prog?: string;
  const?: string[];
  seconds?: string;
  lint: boolean;
  json?: boolean;
}

function attachMode(v: string): XdpAttachMode {
  if (v !== 'skb' && v !== 'native' && v !== 'auto') throw new UsageError(`--mode ${v}: expected skb, native or auto`);
  return v;
}

export async function runCommand(file: string, o: RunOpts): Promise<void> {
  const mode = attachMode(o.mode);
  const seconds = o.seconds === undefined ? undefined : Number(o.seconds);
  if (seconds !== undefined && !(Number.isInteger(seconds) && seconds >= 1 && seconds <= 86400)) throw new UsageError(`--seconds ${o.seconds}: expected 1..86400`);
  const mod = await buildFromFile(file, { ...(o.prog ? { programs: [o.prog] } : {}), constants: parseConstants(o.const) });
  if (mod.programs.length > 1) throw new UsageError(`${file} exports ${mod.programs.length} programs (${mod.programs.map((p) => p.name).join(', ')}): choose one with --prog`);
  const prog = mod.programs[0]!;
  if (o.lint) {
    const reports = lintCompiled(mod);
    for (const r of reports) for (const line of describeLint(r)) printError(line);
    if (reports.some((r) => r.verdict === 'reject')) throw new LintRejectedError(`the lint rejects ${prog.name} (use --no-lint to try the kernel anyway)`);
  }
  const ifindex = interfaceIndex(o.dev);
  const loaded = loadModuleObject(mod);
  let attachment: XdpAttachment | undefined;
  let stop: () => void = () => {};
  const stopped = new Promise<string>((res) => {
    stop = () => res('stopped');
  });
  const onSignal = (): void => stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = Date.now();
  try {
    attachment = attachXdp(loaded.programs[prog.name]!.fd, ifindex, { mode });
    if (!o.json) printLine(`bpf-ts run: ${prog.name} attached to ${o.dev} (${attachment.kind}, mode ${mode}); Ctrl-C to stop`);
    const tty = process.stdout.isTTY === true && !o.json;
    for (let tick = 1; ; tick++) {
      const timer = new Promise<string>((res) => setTimeout(() => res('tick'), 1000));
      const why = await Promise.race([timer, stopped]);
      const rows = readCounters(mod, loaded);
      if (!o.json) {
        if (tty) process.stdout.write('\x1b[H\x1b[2J');
        printLine(`${prog.name} on ${o.dev} — ${tick}s\n${formatCounters(rows)}`);
      }
      if (why === 'stopped' || (seconds !== undefined && tick >= seconds)) {
        if (o.json) printJson({ program: prog.name, dev: o.dev, mode, attach: attachment.kind, seconds: Math.round((Date.now() - started) / 1000), counters: rows });
        break;
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    try {
      if (attachment?.kind === 'link') attachment.link.close();
      else if (attachment?.kind === 'netlink') detachXdp(ifindex);
    } finally {
      loaded.close();
    }
  }
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('build an XDP program module, lint, load and attach it, and show its counters every second until Ctrl-C')
    .argument('<file>', 'TypeScript module exporting xdp() programs')
    .requiredOption('--dev <if>', 'network interface')
    .option('--mode <mode>', 'skb, native or auto', 'auto')
    .option('--prog <name>', 'the program to attach (when the module exports several)')
    .option('--const <name=value...>', 'set load-time constants')
    .option('--seconds <n>', 'stop after n seconds')
    .option('--no-lint', 'skip the verifier lint')
    .option('--json', 'print a JSON summary at the end')
    .action(async (file: string, o: RunOpts) => {
      await runCommand(file, o);
    });
}
