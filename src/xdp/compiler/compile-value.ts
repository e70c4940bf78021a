// Evaluate value trees into registers and conditions into jumps.
// Registers: r6 holds the context for the whole program; expressions use r1..r5 then r0 by
// depth, so they are computed right before the statement that needs them.
import type { Instruction } from '../../asm/instruction.js';
import { r0, r1, r2, r3, r4, r5, r6, r10, type Reg } from '../../asm/dsl/registers.js';
import { add, and, div, lsh, mod, mov, mul, or, rsh, sub, toBe, xor } from '../../asm/dsl/alu.js';
import { ja, jumpIf, type Comparison } from '../../asm/dsl/jump.js';
import { lddw, ldMapValue } from '../../asm/dsl/ld-imm64.js';
import { load } from '../../asm/dsl/memory.js';
import type { Emitter } from './emitter.js';
import type { BinOp, CondNode, Node } from './value.js';

export const EXPR_REGS: readonly Reg[] = [r1, r2, r3, r4, r5, r0];
export const CTX = r6;

const ALU: Record<BinOp, (d: Reg, s: Reg | number) => Instruction> = {
  add, sub, mul, div, mod, and, or, xor, lsh, rsh,
};

const fitsImm = (v: bigint): boolean => v >= 0n && v <= 0x7fffffffn;

/** Load the constant v into reg. */
export function movImm(e: Emitter, reg: Reg, v: bigint | number): void {
  const b = BigInt.asUintN(64, BigInt(v));
  e.emit(fitsImm(b) ? mov(reg, Number(b)) : lddw(reg, b));
}

const WIDTH = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' } as const;

/** Evaluate `node` into EXPR_REGS[depth] and return that register. */
export function evalNode(e: Emitter, node: Node, depth = 0): Reg {
  if (depth >= EXPR_REGS.length) throw e.error('expression too deep: split it with p.let()');
  const t = EXPR_REGS[depth]!;
  switch (node.k) {
    case 'imm':
      movImm(e, t, node.v);
      return t;
    case 'slot':
      e.checkScope(node.owner);
      e.emit(load('u64', t, r10, node.off));
      return t;
    case 'ctx':
      e.emit(load('u32', t, CTX, node.off));
      return t;
    case 'pktlen':
      throw e.error('packet length is a statement: use p.packetLength()');
    case 'const': {
      const off = e.rodata.offsetOf(node.def);
      const s = node.def.schema;
      e.emit(ldMapValue(t, '.rodata', off), load(WIDTH[s.size], t, t, 0));
      if (s.bigEndian && s.size > 1) e.emit(toBe(t, (s.size * 8) as 16 | 32 | 64));
      return t;
    }
    case 'mem': {
      const ref = node.ref;
      if ('gen' in ref) e.checkPacket(ref);
      else e.checkScope(ref);
      e.emit(load('u64', t, r10, ref.slot), load(WIDTH[node.size], t, t, node.off));
      if (node.be && node.size > 1) e.emit(toBe(t, (node.size * 8) as 16 | 32 | 64));
      return t;
    }
    case 'pkt': {
      e.checkPacket(node.ref);
      e.emit(load('u64', t, r10, node.ref.slot));
      if (node.size === 6) {
        if (depth + 1 >= EXPR_REGS.length) throw e.error('expression too deep: split it with p.let()');
        const u = EXPR_REGS[depth + 1]!;
        e.emit(load('u32', u, t, node.off), toBe(u, 32), lsh(u, 16), load('u16', t, t, node.off + 4), toBe(t, 16), or(t, u));
      } else {
        e.emit(load(WIDTH[node.size], t, t, node.off));
        if (node.be && node.size > 1) e.emit(toBe(t, (node.size * 8) as 16 | 32 | 64));
      }
      if (node.shift !== 0) e.emit(rsh(t, node.shift));
      if (node.mask !== 0) e.emit(and(t, node.mask));
      return t;
    }
    case 'bin': {
      evalNode(e, node.a, depth);
      if (node.b.k === 'imm' && fitsImm(node.b.v)) {
        e.emit(ALU[node.op](t, Number(node.b.v)));
      } else {
        const u = evalNode(e, node.b, depth + 1);
        e.emit(ALU[node.op](t, u));
      }
      return t;
    }
  }
}

const NEGATE: Partial<Record<Comparison, Comparison>> = {
  '==': '!=', '!=': '==', '>': '<=', '>=': '<', '<': '>=', '<=': '>', 's>': 's<=', 's>=': 's<', 's<': 's>=', 's<=': 's>',
};

function cmpJump(e: Emitter, op: Comparison, a: Node, b: Node, to: string): void {
  const ra = evalNode(e, a, 0);
  if (b.k === 'imm' && fitsImm(b.v)) e.emit(jumpIf(ra, op, Number(b.v), to));
  else e.emit(jumpIf(ra, op, evalNode(e, b, 1), to));
}

/** Jump to `to` when the condition is false; fall through when true. */
export function jumpIfFalse(e: Emitter, c: CondNode, to: string): void {
  switch (c.k) {
    case 'bool':
      if (!c.v) e.emit(ja(to));
      return;
    case 'not':
      jumpIfTrue(e, c.c, to);
      return;
    case 'and':
      for (const p of c.parts) jumpIfFalse(e, p, to);
      return;
    case 'or': {
      if (c.parts.length === 0) {
        e.emit(ja(to));
        return;
      }
      const yes = e.newLabel('or_true');
      c.parts.slice(0, -1).forEach((p) => jumpIfTrue(e, p, yes));
      jumpIfFalse(e, c.parts[c.parts.length - 1]!, to);
      e.place(yes);
      return;
    }
    case 'cmp': {
      const neg = NEGATE[c.op];
      if (neg !== undefined) {
        cmpJump(e, neg, c.a, c.b, to);
        return;
      }
      const yes = e.newLabel('set');
      cmpJump(e, c.op, c.a, c.b, yes);
      e.emit(ja(to));
      e.place(yes);
      return;
    }
  }
}

/** Jump to `to` when the condition is true; fall through when false. */
export function jumpIfTrue(e: Emitter, c: CondNode, to: string): void {
  switch (c.k) {
    case 'bool':
      if (c.v) e.emit(ja(to));
      return;
    case 'not':
      jumpIfFalse(e, c.c, to);
      return;
    case 'or':
      for (const p of c.parts) jumpIfTrue(e, p, to);
      return;
    case 'and': {
      if (c.parts.length === 0) {
        e.emit(ja(to));
        return;
      }
      const no = e.newLabel('and_false');
      c.parts.slice(0, -1).forEach((p) => jumpIfFalse(e, p, no));
      jumpIfTrue(e, c.parts[c.parts.length - 1]!, to);
      e.place(no);
      return;
    }
    case 'cmp':
      cmpJump(e, c.op, c.a, c.b, to);
      return;
  }
}
