// Calls and exit. `call('map_lookup_elem')` calls a helper by name; `callLocal('fn')` a
// bpf-to-bpf function by label; `callKfunc('bpf_xyz')` a kernel function resolved at load.
import { AsmError } from '../errors.js';
import type { Instruction } from '../instruction.js';
import { CALL, CALLX, EXIT, PseudoCall } from '../opcode.js';
import { helperId, type HelperName } from '../helpers.js';
import { callerLocation } from './location.js';
import { makeInsn, regOf, toImm32 } from './make.js';
import type { Reg } from './registers.js';

/** Call a helper by name (`map_lookup_elem` or `bpf_map_lookup_elem`) or id. */
export function call(helper: HelperName | `bpf_${HelperName}` | number): Instruction {
  if (typeof helper === 'number') return makeInsn(CALL, 0, PseudoCall.HELPER, 0, toImm32(helper, 'helper id'));
  const id = helperId(helper);
  if (id === undefined) throw AsmError.at(`unknown helper '${helper}'`, callerLocation());
  return makeInsn(CALL, 0, PseudoCall.HELPER, 0, id);
}

/** Call the bpf-to-bpf function at `label`. */
export function callLocal(label: string): Instruction {
  return makeInsn(CALL, 0, PseudoCall.LOCAL, 0, -1, label);
}

/** Call a kernel function (kfunc); its BTF id is filled in at load time. */
export function callKfunc(name: string): Instruction {
  return makeInsn(CALL, 0, PseudoCall.KFUNC, 0, 0, name);
}

/** Call through a register (not accepted by the Linux verifier; register in dst, LLVM ≥ 19). */
export function callx(target: Reg): Instruction {
  return makeInsn(CALLX, regOf(target), 0, 0, 0);
}

/** Return r0. */
export function exit(): Instruction {
  return makeInsn(EXIT, 0, 0, 0, 0);
}
