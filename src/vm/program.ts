// A program made ready for the VM: instructions laid out by slot (ld_imm64 takes two),
// fields in typed arrays for the interpreter, map references resolved to VM maps.
import type { Instruction } from '../asm/instruction.js';
import { CALLX, LD_IMM64, PseudoLd } from '../asm/opcode.js';
import { invalidReason } from '../asm/validate.js';
import { VmError } from './errors.js';
import type { VmMap } from './maps/map.js';

export interface ProgramOptions {
  /** Maps by name: resolves `ref` on ld_imm64 map forms (DSL programs, linked objects). */
  readonly maps?: Readonly<Record<string, VmMap>> | ReadonlyMap<string, VmMap>;
  /** Maps by number: ld_imm64 src=1 (fd) / src=5 (fd_array index) with no `ref` use imm as the index. */
  readonly mapsByIndex?: readonly VmMap[] | Readonly<Record<number, VmMap>>;
  /** A name for reports. */
  readonly name?: string;
}

export interface VmProgram {
  readonly name: string;
  readonly insns: readonly Instruction[];
  /** Number of 8-byte slots. */
  readonly slots: number;
  readonly op: Uint8Array;
  readonly dst: Uint8Array;
  readonly src: Uint8Array;
  readonly off: Int32Array;
  readonly imm: Int32Array;
  /** ld_imm64 high word. */
  readonly imm2: Int32Array;
  /** Instruction index of each slot (-1 for the second slot of ld_imm64). */
  readonly insnOfSlot: Int32Array;
  /** For ld_imm64 map forms: index into `maps`, else -1. */
  readonly mapOfSlot: Int32Array;
  /** Every map the program references, in first-use order. */
  readonly maps: readonly VmMap[];
}

function lookupByName(maps: ProgramOptions['maps'], name: string): VmMap | undefined {
  if (maps === undefined) return undefined;
  if (maps instanceof Map) return maps.get(name);
  return Object.prototype.hasOwnProperty.call(maps, name) ? (maps as Record<string, VmMap>)[name] : undefined;
}

/**
 * Lay out and check a program. Throws VmError for a structurally invalid instruction, an
 * unresolved label or symbol, or a map reference that names no map.
 */
export function prepareProgram(insns: readonly Instruction[], opts: ProgramOptions = {}): VmProgram {
  let slots = 0;
  for (const i of insns) slots += i.code === LD_IMM64 ? 2 : 1;
  if (slots === 0) throw new VmError('the program is empty');
  if (slots > 1_000_000) throw new VmError(`the program has ${slots} slots, more than the kernel's 1M limit`);
  const p = {
    op: new Uint8Array(slots), dst: new Uint8Array(slots), src: new Uint8Array(slots),
    off: new Int32Array(slots), imm: new Int32Array(slots), imm2: new Int32Array(slots),
    insnOfSlot: new Int32Array(slots).fill(-1), mapOfSlot: new Int32Array(slots).fill(-1),
  };
  const maps: VmMap[] = [];
  const mapIndex = (m: VmMap): number => {
    let i = maps.indexOf(m);
    if (i < 0) i = maps.push(m) - 1;
    return i;
  };
  let s = 0;
  insns.forEach((insn, n) => {
    const where = `insn ${n}${insn.loc ? ` (${insn.loc.file ? `${insn.loc.file}:` : ''}${insn.loc.line})` : ''}`;
    if (insn.code !== CALLX) {
      const why = invalidReason(insn);
      if (why !== undefined) throw new VmError(`${where}: ${why}`);
    } else if (insn.src !== 0 || insn.off !== 0) {
      throw new VmError(`${where}: callx uses reserved fields`);
    }
    p.op[s] = insn.code; p.dst[s] = insn.dst; p.src[s] = insn.src;
    p.off[s] = insn.off; p.imm[s] = insn.imm; p.insnOfSlot[s] = n;
    if (insn.code === LD_IMM64) {
      p.imm2[s] = insn.imm2 ?? 0;
      const src = insn.src;
      if (src === PseudoLd.MAP_FD || src === PseudoLd.MAP_VALUE || src === PseudoLd.MAP_IDX || src === PseudoLd.MAP_IDX_VALUE) {
        let m: VmMap | undefined;
        if (insn.ref !== undefined) {
          m = lookupByName(opts.maps, insn.ref);
          if (m === undefined) throw new VmError(`${where}: no map named '${insn.ref}' was given to the VM`);
        } else {
          const byIndex = opts.mapsByIndex as Record<number, VmMap> | undefined;
          m = byIndex?.[insn.imm];
          if (m === undefined) throw new VmError(`${where}: no map at index/fd ${insn.imm} was given to the VM`);
        }
        p.mapOfSlot[s] = mapIndex(m);
      } else if (insn.ref !== undefined && src === PseudoLd.NONE) {
        throw new VmError(`${where}: symbol '${insn.ref}' is not linked (link the object first)`);
      }
      s += 2;
    } else {
      if (insn.ref !== undefined && insn.code !== LD_IMM64) {
        throw new VmError(`${where}: unresolved reference '${insn.ref}'`);
      }
      s += 1;
    }
  });
  return { name: opts.name ?? 'prog', insns, slots, ...p, maps };
}
