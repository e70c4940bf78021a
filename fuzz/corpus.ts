// Seeds: the project's real fixtures (clang objects, assembler sources, the conformance
// suite) and the sections inside them (.BTF), so mutations start from valid inputs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readElf } from '../src/elf/read-elf.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function files(dir: string, ext: string): string[] {
  const d = join(ROOT, dir);
  return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith(ext)).sort().map((f) => join(d, f)) : [];
}

export interface Corpus {
  readonly objects: Uint8Array[];
  readonly btf: Uint8Array[];
  readonly code: Uint8Array[];
  readonly asm: string[];
  readonly conformance: string[];
  readonly logs: string[];
}

const SAMPLE_LOG = `func#0 @0
0: R1=ctx() R10=fp0
0: (61) r2 = *(u32 *)(r1 +0)          ; R1=ctx() R2_w=pkt(r=0)
1: (61) r3 = *(u32 *)(r1 +4)          ; R1=ctx() R3_w=pkt_end()
; return *(u8 *)data; @ prog.c:12
2: (71) r0 = *(u8 *)(r2 +0)
invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)
R2 offset is outside of the packet
processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
`;

export function loadCorpus(): Corpus {
  const objects = [...files('test/fixtures/obj', '.o'), ...files('test/lint/fixtures', '.o')].map((f) => new Uint8Array(readFileSync(f)));
  const btf: Uint8Array[] = [];
  const code: Uint8Array[] = [];
  for (const o of objects) {
    const elf = readElf(o);
    for (const s of elf.sections) {
      if (s.name === '.BTF') btf.push(s.data);
      if ((s.flags & 0x4) !== 0 && s.data.length > 0) code.push(s.data);
    }
  }
  const asm = [...files('test/fixtures/asm', '.s'), ...files('test/asm-text/fixtures', '.s')].map((f) => readFileSync(f, 'utf8'));
  const conformance = files('../shared/conformance', '.data').map((f) => readFileSync(f, 'utf8'));
  return { objects, btf, code, asm: asm.length > 0 ? asm : conformance.slice(0, 1), conformance, logs: [SAMPLE_LOG] };
}

/** The seeds each target mutates. */
export function seedsFor(target: string, c: Corpus): Uint8Array[] | string[] {
  switch (target) {
    case 'decode': case 'lint-bytes': case 'vm': return c.code;
    case 'elf': case 'object': case 'lint-object': return c.objects;
    case 'btf': return c.btf;
    case 'asm': return c.asm;
    case 'conformance': return c.conformance;
    default: return c.logs;
  }
}
