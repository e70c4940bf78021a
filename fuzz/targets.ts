// What the fuzzer feeds, and which errors each target may throw: the typed errors of the
// layer it calls. Anything else (a TypeError, a RangeError, a stack overflow) is a crash.
import { decode } from '../src/asm/encoding.js';
import { parseConformance } from '../src/asm/conformance.js';
import { assemble } from '../src/asm/text/index.js';
import { decodeBtf } from '../src/btf/decode-btf.js';
import { readElf } from '../src/elf/read-elf.js';
import { parseObject } from '../src/elf/parse-object.js';
import { lintBytes, lintElf, parseVerifierLog } from '../src/lint/index.js';
import { runXdp } from '../src/vm/index.js';

export type FuzzInput = { readonly kind: 'bytes'; readonly data: Uint8Array } | { readonly kind: 'text'; readonly data: string };

export interface FuzzTarget {
  readonly name: string;
  readonly input: 'bytes' | 'text';
  /** Error names this target may throw for bad input. */
  readonly expected: readonly string[];
  readonly run: (input: Uint8Array | string) => unknown;
}

const bytes = (x: Uint8Array | string): Uint8Array => (typeof x === 'string' ? new TextEncoder().encode(x) : x);
const text = (x: Uint8Array | string): string => (typeof x === 'string' ? x : new TextDecoder().decode(x));

export const TARGETS: readonly FuzzTarget[] = [
  { name: 'decode', input: 'bytes', expected: ['DecodeError'], run: (x) => decode(bytes(x)) },
  { name: 'elf', input: 'bytes', expected: ['ElfError'], run: (x) => readElf(bytes(x)) },
  { name: 'object', input: 'bytes', expected: ['ElfError', 'BtfError', 'DecodeError'], run: (x) => parseObject(bytes(x), { name: 'fuzz' }) },
  { name: 'btf', input: 'bytes', expected: ['BtfError'], run: (x) => { const b = decodeBtf(bytes(x)); for (let i = 1; i < Math.min(b.typeCount, 2000); i++) { b.describe(i); try { b.sizeOf(i); b.alignOf(i); } catch (e) { if (!(e instanceof Error && e.name === 'BtfError')) throw e; } } return b; } },
  { name: 'asm', input: 'text', expected: ['AsmError'], run: (x) => assemble(text(x)) },
  { name: 'conformance', input: 'text', expected: ['AsmError'], run: (x) => parseConformance(text(x)) },
  { name: 'verifier-log', input: 'text', expected: [], run: (x) => parseVerifierLog(text(x)) },
  { name: 'lint-bytes', input: 'bytes', expected: ['LintInputError', 'DecodeError'], run: (x) => lintBytes(bytes(x).subarray(0, 4096 * 8), { type: 'xdp' }) },
  { name: 'lint-object', input: 'bytes', expected: ['ElfError', 'BtfError', 'DecodeError', 'LintInputError'], run: (x) => lintElf(bytes(x), { objectName: 'fuzz' }) },
  {
    name: 'vm', input: 'bytes', expected: ['VmError', 'VmFault', 'DecodeError'],
    run: (x) => {
      const b = bytes(x);
      const insns = decode(b.subarray(0, b.length - (b.length % 8)), { validate: false });
      return runXdp(insns, new Uint8Array(64), { budget: 100_000 });
    },
  },
];
