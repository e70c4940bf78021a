// Programs the verifier could not accept are DslErrors at build time, on the user's line.
import { describe, expect, it } from 'vitest';
import { compileModule, compileProgram, DslError, map, u32, u64, xdp, type XdpProgramDef } from '../../src/xdp/index.js';

const here = new URL(import.meta.url).pathname;

/** The error compileProgram throws, and the line of `marker` in this file. */
function failure(def: XdpProgramDef): DslError {
  try {
    compileProgram(def);
  } catch (e) {
    if (e instanceof DslError) return e;
    throw e;
  }
  throw new Error('expected a DslError');
}

describe('DslError', () => {
  it('rejects a loop whose bound is not known at build time, on that line', () => {
    const def = xdp('bad_loop', (p) => {
      const n = p.ipv4().ttl;
      p.loop(n as unknown as number, () => {}); // LOOP-LINE
    });
    const err = failure(def);
    expect(err.reason).toMatch(/unbounded loop/);
    expect(err.loc?.file).toBe(here);
    expect(err.loc?.line).toBe(lineOf('LOOP-LINE'));
    expect(err.message).toContain(`${here}:${lineOf('LOOP-LINE')}:`);
  });

  it('rejects a value used outside the branch that computed it', () => {
    const def = xdp('bad_scope', (p) => {
      let t = p.let(0);
      p.if(p.ipv4().ttl.gt(3), () => {
        t = p.let(5);
      });
      p.if(t.eq(5), () => p.drop()); // SCOPE-LINE
    });
    const err = failure(def);
    expect(err.reason).toMatch(/outside the branch/);
    expect(err.loc?.line).toBe(lineOf('SCOPE-LINE'));
  });

  it('rejects a header read after the packet was resized', () => {
    const def = xdp('bad_resize', (p) => {
      const ip = p.ipv4();
      p.vlanPop();
      p.if(ip.ttl.eq(1), () => p.drop()); // RESIZE-LINE
    });
    const err = failure(def);
    expect(err.reason).toMatch(/resized/);
    expect(err.loc?.line).toBe(lineOf('RESIZE-LINE'));
  });

  it('rejects programs that need more than 512 bytes of stack', () => {
    const def = xdp('bad_stack', (p) => {
      p.unroll(70, () => void p.let(1)); // STACK-LINE
    });
    const err = failure(def);
    expect(err.reason).toMatch(/BPF stack/);
    expect(err.loc?.line).toBe(lineOf('STACK-LINE'));
  });

  it('rejects unknown fields and mismatched keys', () => {
    const m = map('m', { type: 'hash', key: u32, value: u64, maxEntries: 4 });
    expect(() => compileProgram(xdp('x', (p) => p.update(m, { a: 1 } as unknown as number, 1)))).toThrow(DslError);
    expect(() => compileProgram(xdp('y', (p) => void (p.ipv4() as unknown as { field(n: string): unknown }).field('nope')))).toThrow(/no field 'nope'/);
    expect(() => compileProgram(xdp('z', (p) => void p.ipv6().field('saddr')))).toThrow(/16 bytes/);
  });

  it('rejects a module without programs and duplicate names', () => {
    expect(() => compileModule({})).toThrow(/no xdp\(\) program/);
    const a = xdp('same', () => {});
    const b = xdp('same', () => {});
    expect(() => compileModule({ a, b })).toThrow(/two programs are named 'same'/);
  });
});

describe('source locations', () => {
  it('gives every instruction of a statement the statement’s TypeScript line', () => {
    const def = xdp('lines', (p) => {
      const ip = p.ipv4(); // L-PARSE
      p.if(ip.ttl.lt(2), () => p.drop()); // L-IF
    });
    const prog = compileProgram(def);
    const lines = new Set(prog.insns.map((i) => i.loc?.line));
    expect(prog.insns.every((i) => i.loc?.file === here)).toBe(true);
    expect(lines.has(lineOf('L-PARSE'))).toBe(true);
    expect(lines.has(lineOf('L-IF'))).toBe(true);
    // The drop inside the branch is on the same line as the if here; the parse has many instructions.
    expect(prog.insns.filter((i) => i.loc?.line === lineOf('L-PARSE')).length).toBeGreaterThan(10);
  });
});

import { readFileSync } from 'node:fs';
const SOURCE = readFileSync(here, 'utf8').split('\n');
function lineOf(marker: string): number {
  const i = SOURCE.findIndex((l) => l.includes(`// ${marker}`));
  if (i < 0) throw new Error(`no marker ${marker}`);
  return i + 1;
}
