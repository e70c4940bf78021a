// `bpf-ts disasm -l`: every source line we print (from .BTF.ext line_info) names the line that
// llvm-objdump-14 -l (from DWARF) attributes to the same instruction.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runBpfTs } from '../support/cli.js';
import { needOracle } from '../support/env.js';

const FIXTURES = ['globals.o', 'subprogs.o', 'tailcall.o', 'maps.o', 'core.o', 'mapinmap.o'];
const INSN = /^\s*(\d+):\t/;

/** section → slot → line number, as the most recent `; file:N` comment above each instruction. */
function attribution(text: string, comment: RegExp): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  let section = '';
  let line: number | undefined;
  for (const l of text.split('\n')) {
    const sec = /^Disassembly of section (.+):$/.exec(l);
    if (sec) { section = sec[1]!; line = undefined; out.set(section, new Map()); continue; }
    const c = comment.exec(l);
    if (c) { line = Number(c[1]); continue; }
    const i = INSN.exec(l);
    if (i && line !== undefined) out.get(section)!.set(Number(i[1]), line);
  }
  return out;
}

describe('disasm source lines agree with llvm-objdump-14 -l', () => {
  for (const fixture of FIXTURES) it(fixture, (ctx) => {
    const objdump = needOracle(ctx, 'llvm-objdump-14');
    const file = `test/fixtures/obj/${fixture}`;
    const ours = runBpfTs(['disasm', '-l', file]);
    expect(ours.stderr).toBe('');
    const theirs = spawnSync(objdump, ['-l', '-d', file], { encoding: 'utf8' }).stdout;
    // Only the lines we print ourselves: "; text @ file:N:col". A record without a column is
    // the function's own line (its declaration in BTF, its opening brace in DWARF): skipped,
    // as are instructions DWARF gives line 0 (compiler-generated).
    const ourNotes = new Map<string, Map<number, number>>();
    let section = '';
    let pending: number | undefined;
    for (const l of ours.stdout.split('\n')) {
      const sec = /^Disassembly of section (.+):$/.exec(l);
      if (sec) { section = sec[1]!; ourNotes.set(section, new Map()); continue; }
      const c = / @ [^:]+:(\d+)(:\d+)?$/.exec(l);
      if (l.startsWith('; ') && c) { pending = c[2] !== undefined ? Number(c[1]) : undefined; continue; }
      const i = INSN.exec(l);
      if (i && pending !== undefined) { ourNotes.get(section)!.set(Number(i[1]), pending); pending = undefined; }
    }
    const llvm = attribution(theirs, /^; \S+:(\d+)$/);
    let compared = 0;
    for (const [sec, notes] of ourNotes) {
      for (const [slot, line] of notes) {
        if (llvm.get(sec)?.get(slot) === 0) continue;
        expect(llvm.get(sec)?.get(slot), `${fixture} ${sec} insn ${slot}`).toBe(line);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0);
  });

  it('--json carries maps and per-instruction source lines', () => {
    const r = runBpfTs(['disasm', '--json', 'test/fixtures/obj/globals.o']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { maps: { name: string }[]; sections: { instructions: { source?: { line: number } }[] }[] };
    expect(j.maps.map((m) => m.name)).toEqual(expect.arrayContaining(['globals.rodata', 'globals.bss']));
    expect(j.sections.flatMap((s) => s.instructions).filter((i) => i.source !== undefined).length).toBeGreaterThan(3);
  });
});
