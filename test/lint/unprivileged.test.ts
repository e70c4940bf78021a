// --unprivileged: the rules the kernel applies without CAP_BPF/CAP_PERFMON. This machine
// has kernel.unprivileged_bpf_disabled=2, so these expectations come from the kernel
// selftests (verifier_cfg.c, verifier_basic_stack.c, verifier_unpriv.c) quoted in the
// reference catalogue, not from a live load.
import { describe, expect, it } from 'vitest';
import { lintInstructions } from '../../src/lint/lint.js';
import { ALU, ALU64_IMM, CALL_LOCAL, EXIT_INSN, JA, JMP, JMP_REG, LDX_MEM, MOV64_IMM, MOV64_REG, ST_MEM, SZ } from './insn.js';

const priv = (insns: Parameters<typeof lintInstructions>[0], type = 'socket_filter') => lintInstructions(insns, { type });
const unpriv = (insns: Parameters<typeof lintInstructions>[0], type = 'socket_filter') => lintInstructions(insns, { type, unprivileged: true });

describe('unprivileged rules', () => {
  it('l0: goto l0 is unreachable insn 1 privileged, a back-edge unprivileged', () => {
    const p = [JA(-1), EXIT_INSN()];
    expect(priv(p).diagnostics[0]!.message).toBe('unreachable insn 1');
    expect(unpriv(p).diagnostics[0]!.message).toBe('back-edge from insn 0 to 0');
  });

  it('uninitialised stack reads are allowed only with privileges', () => {
    // below allocated_stack (nothing written yet) the read is out of bounds; above it, uninitialised
    const p = [LDX_MEM(SZ.DW, 0, 10, -8), EXIT_INSN()];
    expect(priv(p).verdict).toBe('accept');
    expect(unpriv(p).diagnostics[0]!.message).toBe('invalid read from stack R10 off=-8 size=8');
    const inside = [ST_MEM(SZ.DW, 10, -16, 0), LDX_MEM(SZ.DW, 0, 10, -8), MOV64_IMM(0, 0), EXIT_INSN()];
    expect(priv(inside).verdict).toBe('accept');
    expect(unpriv(inside).diagnostics[0]!.message).toBe('invalid read from stack off -8+0 size 8');
  });

  it('returning a pointer leaks an address', () => {
    const p = [MOV64_REG(0, 10), EXIT_INSN()];
    expect(priv(p).verdict).toBe('accept');
    expect(unpriv(p).diagnostics[0]!.message).toBe('R0 leaks addr as return value');
  });

  it('pointer comparisons are prohibited', () => {
    const p = [MOV64_REG(2, 10), JMP_REG(JMP.JEQ, 1, 2, 0), MOV64_IMM(0, 0), EXIT_INSN()];
    expect(priv(p).verdict).toBe('accept');
    expect(unpriv(p).diagnostics[0]!.message).toBe('R2 pointer comparison prohibited');
  });

  it('stack pointer arithmetic must stay in range', () => {
    const p = [MOV64_REG(1, 10), ALU64_IMM(ALU.ADD, 1, -520), MOV64_IMM(0, 0), EXIT_INSN()];
    expect(unpriv(p).diagnostics[0]!.message).toMatch(/^R1 stack pointer arithmetic goes out of range/);
  });

  it('bpf-to-bpf calls need CAP_SYS_ADMIN/CAP_BPF', () => {
    const p = [CALL_LOCAL(1), EXIT_INSN(), MOV64_IMM(0, 0), EXIT_INSN()];
    expect(priv(p).verdict).toBe('accept');
    expect(unpriv(p).diagnostics[0]!.message).toBe('loading/calling other bpf or kernel functions are allowed for CAP_SYS_ADMIN');
  });
});
