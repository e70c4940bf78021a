// Subprograms: bpf-to-bpf functions of up to five numeric arguments returning a number, with
// their own stack frame. They see no packet (the verifier gives them no context here); what
// they compute comes back through `p.call(fn, ...args)`.
//
//   export const mix = subprogram('mix', 2, (f, a, b) => a.bitXor(b).mul(31));
//   const h = p.call(mix, ip.saddr, ip.daddr);
import { exit } from '../asm/dsl/call.js';
import { label as asmLabel, type Label } from '../asm/dsl/label.js';
import { callerLocation, withSourceLocation } from '../asm/dsl/location.js';
import { r0, r1, r2, r3, r4, r5, r10 } from '../asm/dsl/registers.js';
import { mov } from '../asm/dsl/alu.js';
import { store } from '../asm/dsl/memory.js';
import type { Instruction } from '../asm/instruction.js';
import type { SourceLocation } from '../asm/source-location.js';
import { XdpBuilder } from './builder.js';
import { evalNode } from './compiler/compile-value.js';
import { Emitter } from './compiler/emitter.js';
import { userCode } from './compiler/statement.js';
import { toNode, Val, type Operand } from './compiler/value.js';
import { SchemaError } from './errors.js';

export type Arity = 0 | 1 | 2 | 3 | 4 | 5;
type Args<N extends Arity> = N extends 0 ? [] : N extends 1 ? [Val] : N extends 2 ? [Val, Val] : N extends 3 ? [Val, Val, Val] : N extends 4 ? [Val, Val, Val, Val] : [Val, Val, Val, Val, Val];

export interface SubprogramDef<N extends Arity = Arity> {
  readonly kind: 'xdp-subprogram';
  readonly name: string;
  readonly arity: N;
  readonly body: (f: XdpBuilder, ...args: Args<N>) => Operand | void;
  readonly loc?: SourceLocation;
}

export function subprogram<N extends Arity>(name: string, arity: N, body: (f: XdpBuilder, ...args: Args<N>) => Operand | void): SubprogramDef<N> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SchemaError(`subprogram name '${name}' must be a C identifier`);
  if (!Number.isInteger(arity) || arity < 0 || arity > 5) throw new SchemaError('a subprogram takes 0 to 5 arguments (BPF passes them in r1..r5)');
  const loc = callerLocation();
  return Object.freeze({ kind: 'xdp-subprogram', name, arity, body, ...(loc ? { loc } : {}) });
}

const ARG_REGS = [r1, r2, r3, r4, r5];

export function subprogramLabel(def: SubprogramDef): string {
  return def.name;
}

/** The subprogram's code, starting with its label, for `parent`'s program. */
export function compileSubprogram(def: SubprogramDef, parent: Emitter): (Instruction | Label)[] {
  const e = new Emitter(parent.rodata, parent.programName, def.name, parent.maps, parent.calls);
  const f = new XdpBuilder(e, 0);
  const args: Val[] = [];
  withSourceLocation(def.loc, () => {
    e.items.push(asmLabel(subprogramLabel(def)));
    for (let i = 0; i < def.arity; i++) {
      const off = e.alloc(8, 'argument');
      e.emit(store('u64', r10, off, ARG_REGS[i]!));
      args.push(new Val({ k: 'slot', off, owner: { block: 0, what: `argument ${i + 1} of ${def.name}` } }));
    }
  });
  const result = userCode(() => (def.body as (f: XdpBuilder, ...a: Val[]) => Operand | void)(f, ...args));
  withSourceLocation(def.loc, () => {
    if (result === undefined) e.emit(mov(r0, 0), exit());
    else {
      const reg = evalNode(e, toNode(result), 0);
      e.emit(mov(r0, reg), exit());
    }
  });
  for (const t of e.tails) e.items.push(...t);
  return e.items;
}
