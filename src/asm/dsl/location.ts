// Capturing the TypeScript source location of each DSL call, so ELF line info, lint findings
// and verifier errors can point at the user's line. Capture walks the stack, which costs a
// few microseconds: it can be switched off for bulk emission.
import { findSourceMap, type SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from '../source-location.js';

let capture = true;

/** Turn source-location capture on or off (default on). Returns the previous setting. */
export function setSourceLocationCapture(on: boolean): boolean {
  const was = capture;
  capture = on;
  return was;
}

export function sourceLocationCaptureEnabled(): boolean {
  return capture;
}

// Frames inside the bpf-ts library itself (src/, and dist/ with the CLI's bundles in
// dist/cli-bundle/, where this file is part of a command's bundle) are skipped: the first frame
// outside is the user's.
// tsx's tsImport loads modules with a query (?tsx-namespace=…): drop it before matching the path.
const here = import.meta.url.replace(/[?#].*$/, '');
const libRoot = here.replace(/\/(?:(?:dist\/)?src\/asm\/dsl\/location\.[jt]s|dist\/cli-bundle\/.*)$/, '/');
const libPrefixes = [`${libRoot}src/`, `${libRoot}dist/`].flatMap((u) => [u, u.replace(/^file:\/\//, '')]);

const FRAME = /\(?((?:file:\/\/)?\/[^():]+|[A-Za-z]:[^():]+):(\d+):(\d+)\)?$/;

let pinned: SourceLocation | undefined;

/**
 * Run `fn` with every instruction it emits attributed to `loc`, without capturing stacks:
 * higher-level DSLs capture the user's statement once and emit many instructions under it.
 */
export function withSourceLocation<T>(loc: SourceLocation | undefined, fn: () => T): T {
  const outer = pinned;
  pinned = loc;
  try {
    return fn();
  } finally {
    pinned = outer;
  }
}

/** The location set by withSourceLocation, if any. */
export function pinnedLocation(): SourceLocation | undefined {
  return pinned;
}

/** The caller's location outside the library, or undefined when capture is off or unknown. */
export function callerLocation(): SourceLocation | undefined {
  if (pinned !== undefined) return pinned;
  if (!capture) return undefined;
  const fast = locationFromCallSites();
  return fast !== SLOW ? fast : locationFromFormattedStack();
}

function isLibraryFile(file: string): boolean {
  return file.startsWith('node:') || file.includes('/node_modules/') || libPrefixes.some((p) => file.startsWith(p));
}

const SLOW = Symbol('slow');
const TS_FILE = /\.[cm]?tsx?$/;
const sourceMaps = new Map<string, SourceMap>();

function sourceMapOf(file: string): SourceMap | undefined {
  let map = sourceMaps.get(file);
  if (map === undefined) {
    map = findSourceMap(file);
    if (map !== undefined) sourceMaps.set(file, map);
  }
  return map;
}

function keepCallSites(_e: Error, sites: NodeJS.CallSite[]): NodeJS.CallSite[] {
  return sites;
}

/**
 * The user's frame from V8's structured call sites, mapped through the source map Node holds
 * for the file (tsx registers one per TypeScript module): a few microseconds, where formatting
 * the stack through a loader's source-map hook costs about twenty. SLOW when the frame is in a
 * TypeScript file Node has no map for (a test runner's own transform): the formatted stack
 * then gives the mapped position.
 */
function locationFromCallSites(): SourceLocation | undefined | typeof SLOW {
  let sites: unknown;
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = keepCallSites;
  Error.stackTraceLimit = 8;
  const holder: { stack?: unknown } = {};
  try {
    // Frames start at callerLocation's caller (the DSL builder).
    Error.captureStackTrace(holder, callerLocation);
    sites = holder.stack;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  if (!Array.isArray(sites)) return SLOW;
  for (let i = 0; i < sites.length; i++) {
    const site = sites[i] as NodeJS.CallSite;
    const name = site.getFileName();
    if (name === undefined || name === null) continue;
    const q = name.search(/[?#]/);
    const file = q < 0 ? name : name.slice(0, q);
    if (isLibraryFile(file)) continue;
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    if (line === null || column === null) return SLOW;
    const map = sourceMapOf(name);
    if (map === undefined) return TS_FILE.test(file) ? SLOW : { file: toPath(file), line, column };
    const entry = map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) return SLOW;
    return { file: toPath(entry.originalSource), line: entry.originalLine + 1, column: entry.originalColumn + 1 };
  }
  return SLOW;
}

const paths = new Map<string, string>();

function toPath(file: string): string {
  let path = paths.get(file);
  if (path === undefined) {
    path = file;
    if (file.startsWith('file://')) {
      try {
        path = fileURLToPath(file.replace(/[?#].*$/, ''));
      } catch {
        path = file.replace(/^file:\/\//, '');
      }
    }
    paths.set(file, path);
  }
  return path;
}

/** The user's frame from the formatted stack (whatever source-map hook is installed applies). */
function locationFromFormattedStack(): SourceLocation | undefined {
  // Formatting a frame applies source maps (tsx, vitest), which is what costs: keep the
  // trace short. The user's frame is within a few frames of the DSL entry point.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 6;
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  if (stack === undefined) return undefined;
  const lines = stack.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const m = FRAME.exec(lines[i]!.trim());
    if (m === null) continue;
    const file = m[1]!;
    if (isLibraryFile(file)) continue;
    return { file: file.replace(/^file:\/\//, ''), line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
