// The kernel's verifier log (log_level 1 or 2) read into the lint's diagnostic shape, so a
// load failure reads like a lint finding: the failing instruction, the first line of the
// complaint, the lines after it, and the class from the reference catalogue.
import type { Diagnostic } from './diagnostic.js';
import { hintFor } from './hints.js';

export interface ParsedVerifierLog {
  /** the rejection, or undefined when the log shows no error (an accepted program) */
  readonly diagnostic?: Diagnostic;
  /** "processed N insns" */
  readonly processed?: number;
}

const INSN_LINE = /^(\d+): \([0-9a-f]{2}\)/;
const STATE_LINE = /^(\d+): (frame\d+: )?R\d+/;
const SUMMARY = /^processed (\d+) insns/;
const NOISE = [/^verification time/, /^stack depth/, /^processed \d+ insns/, /^\s*$/, /^func#\d+ @\d+/, /^Live regs/,
  /^Validating /, /^from \d+ to \d+:/, /^; /, /^cur state:/, /^old state:/, /^\s+\d+: /, /^mark_precise/, /^last_idx/];

/** Classify a kernel message into the catalogue's rejection classes. */
export function classifyMessage(msg: string): string {
  const rules: Array<[RegExp, string]> = [
    [/^R0 !read_ok/, 'uninit_r0'], [/^R\d+ !read_ok/, 'uninit_reg'], [/^unreachable insn/, 'unreachable_insn'],
    [/^jump out of range/, 'jump_out_of_range'], [/^last insn is not an exit or jmp/, 'last_insn_not_exit'],
    [/^infinite loop detected/, 'infinite_loop'], [/^BPF program is too large/, 'too_many_insns'],
    [/^The sequence of \d+ jumps is too complex/, 'too_complex'],
    [/^frame pointer is read only/, 'frame_pointer_write'], [/^invalid (write to|read from) stack R/, 'stack_oob'],
    [/^misaligned stack access/, 'stack_misaligned'], [/^invalid size of register fill/, 'stack_partial_ptr_fill'],
    [/^invalid size of register spill/, 'stack_partial_spill'],
    [/^invalid (indirect )?read from stack( R\d+)? off \S+\+/, 'stack_uninit_read'],
    [/invalid mem access 'scalar'/, 'invalid_mem_access_scalar'], [/invalid mem access 'pkt_end'/, 'invalid_mem_access_pkt_end'],
    [/invalid mem access 'map_value_or_null'/, 'map_value_or_null'], [/invalid mem access/, 'invalid_mem_access'],
    [/^invalid access to packet/, 'pkt_oob'], [/offset is outside of the packet/, 'pkt_oob'],
    [/pointer arithmetic on pkt_end prohibited/, 'pkt_end_arith'],
    [/^math between \S+ pointer and register with unbounded min value/, 'unbounded_ptr_math'],
    [/^invalid access to map value/, 'map_value_oob'], [/value is outside of the allowed memory range/, 'map_value_oob'],
    [/^invalid bpf_context access/, 'ctx_invalid_access'], [/^dereference of modified ctx ptr/, 'ctx_modified_ptr'],
    [/^BPF_ATOMIC stores into/, 'atomic_on_ctx_or_pkt'],
    [/(subtraction from stack pointer|bitwise operator|pointer arithmetic with|32-bit pointer arithmetic|pointer [+-]= pointer|pointer arithmetic on)\b.* prohibited/, 'pointer_arith_prohibited'],
    [/^invalid access to memory/, 'mem_oob'],
    [/^invalid func /, 'helper_invalid_id'], [/^unknown func /, 'helper_invalid_id'],
    [/^program of this type cannot use helper/, 'helper_not_allowed'], [/^R\d+ type=\S+ expected=/, 'helper_arg_type'],
    [/^R\d+ min value is negative, either use unsigned or/, 'helper_unbounded_size'],
    [/invalid zero-sized read/, 'helper_arg_size'], [/^Unreleased reference/, 'ref_leak'],
    [/^div by zero/, 'div_by_zero_imm'], [/^invalid shift/, 'invalid_shift'],
    [/^BPF_LD_\[ABS\|IND\] instructions not allowed/, 'ld_abs_not_allowed'], [/^unknown opcode/, 'bad_opcode'],
    [/uses reserved fields/, 'reserved_fields'], [/^R\d+ is invalid/, 'invalid_register'],
    [/bpf_ld_imm64 insn/, 'bad_ld_imm64'], [/^jump into the middle of ldimm64/, 'jump_into_ld_imm64'],
    [/is not pointing to valid bpf_map/, 'bad_map_fd'], [/^the call stack of \d+ frames is too deep/, 'call_stack_too_deep'],
    [/^combined stack size/, 'combined_stack_too_large'], [/^cannot return stack pointer/, 'subprog_ret_non_scalar'],
    [/^missing btf func_info/, 'missing_btf_func_info'], [/^At program exit the register R0/, 'retval_range'],
    [/^back-edge from insn/, 'back_edge'], [/leaks addr/, 'pointer_leak'], [/pointer comparison prohibited/, 'pointer_comparison'],
    [/^cannot pass map_type/, 'map_func_mismatch'], [/must be referenced when passed to release function/, 'ref_release'],
  ];
  for (const [re, k] of rules) if (re.test(msg)) return k;
  return 'other';
}

/** Parse a verifier log. The error is the first non-trace line after the last instruction line. */
export function parseVerifierLog(log: string): ParsedVerifierLog {
  const lines = log.split('\n');
  let processed: number | undefined;
  let lastInsn = -1;
  let lastInsnLine = -1;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const s = SUMMARY.exec(l);
    if (s) processed = Number(s[1]);
    const m = INSN_LINE.exec(l) ?? STATE_LINE.exec(l);
    if (m) { lastInsn = Number(m[1]); lastInsnLine = i; }
  }
  const msgs: string[] = [];
  for (let i = lastInsnLine + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (NOISE.some((re) => re.test(l))) {
      if (SUMMARY.test(l) || /^cur state:/.test(l)) break;
      continue;
    }
    // a message printed without its newline runs into the summary line
    msgs.push(l.replace(/processed \d+ insns \(limit.*$/, '').trim());
    if (/processed \d+ insns \(limit/.test(l)) break;
  }
  if (msgs.length === 0) return processed === undefined ? {} : { processed };
  const message = msgs[0]!;
  // structural errors name their instruction in the text
  const named = /(?:from insn|unreachable insn|ldimm64 insn|detected at insn) (\d+)/.exec(message);
  const insn = named !== null ? Number(named[1]) : Math.max(lastInsn, 0);
  const kind = classifyMessage(message);
  const hint = hintFor(kind);
  const diagnostic: Diagnostic = {
    insn, severity: 'error', message, kind,
    ...(msgs.length > 1 ? { notes: msgs.slice(1) } : {}),
    ...(hint !== undefined ? { hint } : {}),
  };
  return processed === undefined ? { diagnostic } : { diagnostic, processed };
}

/** "; return 0; @ prog.c:12": how the kernel prints a BTF line_info record ahead of its instructions. */
const SOURCE_COMMENT = /^; (.*) @ (.+):(\d+)$/;
/** Messages that name their instruction (as parseVerifierLog reads them). */
const NAMED_INSN = /(?:from insn|unreachable insn|ldimm64 insn|detected at insn) (\d+)/;

/** A load rejection as the kernel's log tells it: the lint's diagnostic plus what only the log knows. */
export interface KernelRejection {
  /** parseVerifierLog's diagnostic, with `source` from the log's own "; text @ file:line" comment when it has one */
  readonly diagnostic: Diagnostic;
  /** whether the log places the error at an instruction (traced, or named in the message); if not, diagnostic.insn is 0 */
  readonly located: boolean;
}

/**
 * Read a rejected load's log: parseVerifierLog's diagnostic, with the source line the log names for
 * the failing instruction (the last line_info comment before the last traced instruction), if any.
 * Undefined when the log shows no error.
 */
export function parseKernelRejection(log: string): KernelRejection | undefined {
  const { diagnostic } = parseVerifierLog(log);
  if (diagnostic === undefined) return undefined;
  const lines = log.split('\n').map((l) => l.replace(/\s+$/, ''));
  let lastInsnLine = -1;
  for (let i = 0; i < lines.length; i++) if (INSN_LINE.test(lines[i]!) || STATE_LINE.test(lines[i]!)) lastInsnLine = i;
  const located = lastInsnLine >= 0 || NAMED_INSN.test(diagnostic.message);
  for (let i = lastInsnLine; i >= 0; i--) {
    const m = SOURCE_COMMENT.exec(lines[i]!);
    if (m) return { diagnostic: { ...diagnostic, source: { file: m[2]!, line: Number(m[3]), text: m[1]!.trim() } }, located };
  }
  return { diagnostic, located };
}
