// Capturing the TypeScript source location of each DSL call, so ELF line info, lint findings
// and verifier errors can point at the user's line. Capture parses a stack trace, which costs
// about a microsecond: it can be switched off for bulk emission.
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

// Frames inside the bpf-ts library itself (src/ and dist/src/) are skipped: the first frame
// outside is the user's.
// tsx's tsImport loads modules with a query (?tsx-namespace=…): drop it before matching the path.
const here = import.meta.url.replace(/[?#].*$/, '');
const libRoot = here.replace(/\/(dist\/)?src\/asm\/dsl\/location\.[jt]s$/, '/');
const libPrefixes = [`${libRoot}src/`, `${libRoot}dist/src/`].flatMap((u) => [u, u.replace(/^file:\/\//, '')]);

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
    if (file.startsWith('node:') || libPrefixes.some((p) => file.startsWith(p))) continue;
    if (file.includes('/node_modules/')) continue;
    return { file: file.replace(/^file:\/\//, ''), line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
