// bpf-ts load IN.o [--pin-dir DIR] [--type T]: load every program and map of an object into
// the kernel (libbpf's way). With --pin-dir they stay loaded after the CLI exits:
// DIR/progs/<program>, DIR/maps/<map>. Also the shared helpers of the loader commands.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from '../args.js';
import { UsageError } from '../errors.js';
import { printError, printJson, printLine } from '../output.js';
import { loadObject, type LoadObjectOptions, type LoadedObject } from '../../src/loader/object.js';
import { DEFAULT_PIN_ROOT, ensureBpffs, inInitialMountNamespace, isBpffs } from '../../src/loader/pin.js';
import { Program } from '../../src/loader/program.js';
import { progTypeName } from '../../src/loader/names.js';
import { VerifierError } from '../../src/loader/verifier-error.js';

interface LoadOptions {
  pinDir?: string;
  type?: string;
  json?: boolean;
}

/** The object's name as libbpf derives it: the file name up to the first '.'. */
export function objectName(path: string): string {
  return basename(path).split('.')[0] || 'obj';
}

/** Read an object file, or a UsageError saying why not. */
export function readObjectFile(path: string): Uint8Array {
  if (!existsSync(path)) throw new UsageError(`no such file: ${path}`);
  return new Uint8Array(readFileSync(path));
}

/** Pin names the way libbpf/bpftool sanitise them ('.' is not allowed in a pin name). */
export const pinName = (name: string): string => name.replace(/\./g, '_');

/** loadObject; a verifier rejection learns which file it came from (for the lint-style report). */
function loadObjectFile(path: string, bytes: Uint8Array, opts: LoadObjectOptions): LoadedObject {
  try {
    return loadObject(bytes, opts);
  } catch (e) {
    if (e instanceof VerifierError) e.input ??= path;
    throw e;
  }
}

export interface ProgramSource {
  pinned?: string;
  object?: string;
  prog?: string;
  type?: string;
}

/** A program from a pin or from an object (loaded with its maps). Close `owner` when done. */
export function openProgram(src: ProgramSource): { prog: Program; owner: { close(): void } } {
  if (src.pinned !== undefined) {
    if (src.object !== undefined) throw new UsageError('give either --pinned or an object file, not both');
    if (!existsSync(src.pinned)) throw new UsageError(`nothing is pinned at ${src.pinned}`);
    const prog = Program.fromPinned(src.pinned);
    return { prog, owner: prog };
  }
  if (src.object === undefined) throw new UsageError('give --pinned PATH or an object file with --prog NAME');
  const bytes = readObjectFile(src.object);
  // Every program is loaded, as libbpf does: tail calls into the others must work.
  const obj: LoadedObject = loadObjectFile(src.object, bytes, { name: objectName(src.object), ...(src.type ? { type: src.type } : {}) });
  let prog: Program | undefined;
  if (src.prog !== undefined) prog = obj.programs.get(src.prog);
  else if (obj.programs.size === 1) prog = [...obj.programs.values()][0];
  if (!prog) {
    obj.close();
    if (src.prog !== undefined) throw new UsageError(`no program named ${src.prog} in ${src.object} (have: ${[...obj.programs.keys()].join(', ')})`);
    throw new UsageError(`the object has several programs (${[...obj.programs.keys()].join(', ')}): choose one with --prog`);
  }
  return { prog, owner: obj };
}

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description('load an ELF object (programs, maps, BTF) into the kernel; --pin-dir keeps it loaded')
    .argument('<object>', 'BPF ELF object (.o)')
    .option('--pin-dir <dir>', `pin programs under DIR/progs and maps under DIR/maps (on bpffs, e.g. ${DEFAULT_PIN_ROOT}/myapp)`)
    .option('--type <type>', 'program type for sections that do not name one (xdp, sched_cls, …)')
    .option('--json', 'print JSON')
    .action((input: string, o: LoadOptions) => {
      const bytes = readObjectFile(input);
      const pins: string[] = [];
      if (o.pinDir?.startsWith(DEFAULT_PIN_ROOT) === true && !isBpffs(DEFAULT_PIN_ROOT) && inInitialMountNamespace() === false) {
        printError(`note: ${DEFAULT_PIN_ROOT} is not bpffs in this private mount namespace (\`ip netns exec\`?): bpf-ts mounts one, and what it pins there goes away with the namespace; run \`bpf-ts load\` outside it to keep the pins`);
      }
      const obj = loadObjectFile(input, bytes, { name: objectName(input), ...(o.type ? { type: o.type } : {}), ...(o.pinDir ? { pinRoot: join(o.pinDir, 'maps') } : {}) });
      try {
        if (o.pinDir !== undefined) {
          if (o.pinDir.startsWith(DEFAULT_PIN_ROOT)) ensureBpffs();
          try {
            for (const [name, p] of obj.programs) {
              const path = join(o.pinDir, 'progs', pinName(name));
              p.pin(path);
              pins.push(path);
            }
            for (const [name, m] of obj.maps) {
              if (obj.reusedPins.includes(name)) continue;
              const path = join(o.pinDir, 'maps', pinName(name));
              if (existsSync(path)) continue; // pinned by name already (LIBBPF_PIN_BY_NAME)
              m.pin(path);
              pins.push(path);
            }
          } catch (e) {
            for (const path of pins) rmSync(path, { force: true });
            throw e;
          }
        }
        const programs = [...obj.programs].map(([name, p]) => {
          const info = p.info();
          return { name, type: progTypeName(p.type), id: info.id, tag: info.tag, ...(o.pinDir ? { pinned: join(o.pinDir, 'progs', pinName(name)) } : {}) };
        });
        const maps = [...obj.maps].map(([name, m]) => ({ name, type: m.typeName, id: m.info().id, ...(o.pinDir ? { pinned: join(o.pinDir, 'maps', pinName(name)) } : {}) }));
        if (o.json) printJson({ object: input, programs, maps });
        else {
          for (const p of programs) printLine(`prog ${p.name}: ${p.type} id ${p.id} tag ${p.tag}${p.pinned ? ` pinned ${p.pinned}` : ''}`);
          for (const m of maps) printLine(`map ${m.name}: ${m.type} id ${m.id}${m.pinned ? ` pinned ${m.pinned}` : ''}`);
          if (!o.pinDir) printLine('(not pinned: everything is unloaded when bpf-ts exits; use --pin-dir to keep it)');
        }
      } finally {
        obj.close();
      }
    });
}
