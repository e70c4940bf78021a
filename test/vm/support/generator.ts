// A seeded generator of well-formed XDP programs the kernel verifier accepts: ALU mixes on
// scalar registers, forward branches (64- and 32-bit), packet reads and writes behind one
// data_end check, stack traffic on pre-initialised slots, and array/hash map operations.
// At the end every scalar register is stored in the `out` map and r0 & 3 is returned.
import * as d from '../../../src/asm/dsl/index.js';
import type { Instruction } from '../../../src/asm/instruction.js';
import { AluOp, Class, Source } from '../../../src/asm/opcode.js';
import type { MapSetup } from './both.js';
import { rng } from './rng.js';

type Item = Parameters<typeof d.assemble>[0][number];

/** Bytes of packet the program may touch after its bounds check. */
export const PACKET_WINDOW = 48;
const SCALARS = [d.r0, d.r1, d.r2, d.r3, d.r4, d.r5, d.r9] as const;
const STACK_SLOTS = [-8, -16, -24, -32, -40, -48];
const ALU_OPS = [AluOp.ADD, AluOp.SUB, AluOp.MUL, AluOp.DIV, AluOp.MOD, AluOp.OR, AluOp.AND, AluOp.XOR, AluOp.LSH, AluOp.RSH, AluOp.ARSH, AluOp.MOV, AluOp.NEG];
const CMPS = ['==', '!=', '>', '>=', '<', '<=', 's>', 's>=', 's<', 's<=', '&'] as const;

export const GENERATED_MAPS: Readonly<Record<string, MapSetup>> = {
  arr: { type: 'array', keySize: 4, valueSize: 16, maxEntries: 8 },
  h: { type: 'hash', keySize: 4, valueSize: 8, maxEntries: 8 },
  out: { type: 'array', keySize: 4, valueSize: 8 * SCALARS.length, maxEntries: 1 },
};

export function generateXdpProgram(seed: number, blocks = 24): Instruction[] {
  const g = rng(seed);
  const items: Item[] = [];
  const scalar = () => g.pick(SCALARS);
  const imm = (): number => g.pick([0, 1, -1, 2, 7, 0x7fffffff, -0x80000000, 255, 0x1000, g.u32() | 0, g.int(64)]);
  const initScalars = (regs: readonly d.Reg[]) => {
    for (const r of regs) items.push(g.chance(0.3) ? d.lddw(r, g.u64()) : d.mov(r, imm()));
  };

  items.push(d.mov(d.r6, d.r1), d.ldxw(d.r7, d.r6, 0), d.ldxw(d.r8, d.r6, 4));
  items.push(d.mov(d.r1, d.r7), d.add(d.r1, PACKET_WINDOW), d.jgt(d.r1, d.r8, 'short'));
  initScalars(SCALARS);
  for (const off of STACK_SLOTS) items.push(d.storeImm('u64', d.r10, off, imm()));

  for (let b = 0; b < blocks; b++) {
    items.push(d.label(`b${b}`));
    const kind = g.int(100);
    if (kind < 45) {
      const op = g.pick(ALU_OPS);
      const is64 = g.chance(0.6);
      const cls = is64 ? Class.ALU64 : Class.ALU;
      const dst = scalar().n;
      if (op === AluOp.NEG) {
        items.push({ code: cls | AluOp.NEG, dst, src: 0, off: 0, imm: 0 });
      } else if (g.chance(0.5)) {
        const signed = (op === AluOp.DIV || op === AluOp.MOD) && g.chance(0.4);
        items.push({ code: cls | op | Source.X, dst, src: scalar().n, off: signed ? 1 : 0, imm: 0 });
      } else {
        let k = imm();
        if (op === AluOp.LSH || op === AluOp.RSH || op === AluOp.ARSH) k = g.int(is64 ? 64 : 32);
        if ((op === AluOp.DIV || op === AluOp.MOD) && k === 0) k = 3;
        const signed = (op === AluOp.DIV || op === AluOp.MOD) && g.chance(0.4);
        items.push({ code: cls | op | Source.K, dst, src: 0, off: signed ? 1 : 0, imm: k });
      }
    } else if (kind < 55) {
      const w = g.pick(['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32'] as const);
      const size = w.endsWith('8') ? 1 : w.endsWith('16') ? 2 : w.endsWith('32') ? 4 : 8;
      items.push(d.load(w, scalar(), d.r7, g.int(PACKET_WINDOW - size + 1)));
    } else if (kind < 62) {
      const w = g.pick(['u8', 'u16', 'u32', 'u64'] as const);
      const size = { u8: 1, u16: 2, u32: 4, u64: 8 }[w];
      const off = g.int(PACKET_WINDOW - size + 1);
      items.push(g.chance(0.7) ? d.store(w, d.r7, off, scalar()) : d.storeImm(w, d.r7, off, imm()));
    } else if (kind < 68) {
      const off = g.pick(STACK_SLOTS);
      items.push(g.chance(0.5) ? d.stxdw(d.r10, off, scalar()) : d.ldxdw(scalar(), d.r10, off));
    } else if (kind < 82 && b + 1 < blocks) {
      const to = `b${b + 1 + g.int(Math.min(4, blocks - b - 1))}`;
      const src = g.chance(0.5) ? scalar() : imm();
      items.push(g.chance(0.6) ? d.jumpIf(scalar(), g.pick(CMPS), src, to) : d.jumpIf32(scalar(), g.pick(CMPS), src, to));
    } else if (kind < 88) {
      // arr[key & 7]: value[0] += x; value[8..16) = y
      const [x, y] = [scalar(), scalar()];
      items.push(d.mov(d.r6, d.r6)); // keep ctx in r6 (no-op marker)
      items.push(d.stxdw(d.r10, -56, x), d.stxdw(d.r10, -64, y));
      items.push(d.mov(d.r1, scalar()), d.and(d.r1, 7), d.stxw(d.r10, -72, d.r1));
      items.push(d.ldMap(d.r1, 'arr'), d.mov(d.r2, d.r10), d.add(d.r2, -72), d.call('map_lookup_elem'));
      items.push(d.jeq(d.r0, 0, `m${b}`));
      const atomicKind = g.int(4);
      if (atomicKind === 0) items.push(d.ldxdw(d.r1, d.r0, 0), d.ldxdw(d.r2, d.r10, -56), d.add(d.r1, d.r2), d.stxdw(d.r0, 0, d.r1));
      else if (atomicKind === 1) items.push(d.ldxdw(d.r2, d.r10, -56), d.atomicAdd('u64', d.r0, 0, d.r2));
      else if (atomicKind === 2) items.push(d.ldxdw(d.r2, d.r10, -56), d.atomicAdd('u64', d.r0, 0, d.r2, { fetch: true }), d.stxdw(d.r0, 8, d.r2));
      else items.push(d.ldxdw(d.r2, d.r10, -56), d.atomicAdd('u32', d.r0, 4, d.r2, { fetch: g.chance(0.5) }), d.stxw(d.r0, 12, d.r2));
      items.push(d.ldxdw(d.r2, d.r10, -64), d.stxw(d.r0, 8 + 4 * g.int(2), d.r2), d.label(`m${b}`));
      initScalars([d.r0, d.r1, d.r2, d.r3, d.r4, d.r5]);
    } else if (kind < 94) {
      // h[key & 15] = value, flags any/noexist/exist; r9 = the helper's return
      items.push(d.stxdw(d.r10, -56, scalar()), d.mov(d.r1, scalar()), d.and(d.r1, 15), d.stxw(d.r10, -72, d.r1));
      items.push(d.ldMap(d.r1, 'h'), d.mov(d.r2, d.r10), d.add(d.r2, -72), d.mov(d.r3, d.r10), d.add(d.r3, -56), d.mov(d.r4, g.int(3)));
      items.push(d.call('map_update_elem'), d.mov(d.r9, d.r0));
      initScalars([d.r0, d.r1, d.r2, d.r3, d.r4, d.r5]);
    } else {
      // delete or look up h[key & 15]
      items.push(d.mov(d.r1, scalar()), d.and(d.r1, 15), d.stxw(d.r10, -72, d.r1), d.ldMap(d.r1, 'h'), d.mov(d.r2, d.r10), d.add(d.r2, -72));
      if (g.chance(0.5)) {
        items.push(d.call('map_delete_elem'), d.mov(d.r9, d.r0));
        initScalars([d.r0, d.r1, d.r2, d.r3, d.r4, d.r5]);
      } else {
        items.push(d.call('map_lookup_elem'), d.mov(d.r9, -1), d.jeq(d.r0, 0, `m${b}`), d.ldxdw(d.r9, d.r0, 0), d.label(`m${b}`));
        initScalars([d.r0, d.r1, d.r2, d.r3, d.r4, d.r5]);
      }
    }
  }
  items.push(d.label(`b${blocks}`));
  items.push(d.stxdw(d.r10, -56, d.r0), d.stxdw(d.r10, -64, d.r1));
  items.push(d.ldMapValue(d.r1, 'out'));
  items.push(d.ldxdw(d.r0, d.r10, -56), d.stxdw(d.r1, 0, d.r0), d.ldxdw(d.r0, d.r10, -64), d.stxdw(d.r1, 8, d.r0));
  SCALARS.slice(2).forEach((r, i) => items.push(d.stxdw(d.r1, 16 + 8 * i, r)));
  items.push(d.ldxdw(d.r0, d.r10, -56), d.and(d.r0, 3), d.exit());
  items.push(d.label('short'), d.mov(d.r0, 1), d.exit());
  return d.assemble(items).insns;
}

export function randomPacket(seed: number, len: number): Uint8Array {
  const g = rng(seed ^ 0x5bd1e995);
  return Uint8Array.from({ length: len }, () => g.int(256));
}

/** Map state to start from: some arr values and a few hash keys. */
export function initialMaps(seed: number): Record<string, MapSetup> {
  const g = rng(seed ^ 0x1234567);
  const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => g.int(256));
  return {
    arr: { ...GENERATED_MAPS.arr!, init: [0, 3, 5].map((k) => [u32(k), bytes(16)] as const) },
    h: { ...GENERATED_MAPS.h!, init: Array.from({ length: g.int(9) }, (_, i) => [u32(i * 2), bytes(8)] as const) },
    out: GENERATED_MAPS.out!,
  };
}
