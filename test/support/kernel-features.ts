// Features that differ between kernels of the same release line (machines of one kind have
// been seen with and without them): a test that needs one skips, saying which, when the
// running kernel refuses it. Missing root or bpf() still fails under BPF_TS_REQUIRE_KERNEL=1
// (needKernel runs first); a kernel that lacks one helper or mode is not a missing kernel.
import { helperId, helperName } from '../../src/asm/helpers.js';
import type { Instruction } from '../../src/asm/instruction.js';
import { Program } from '../../src/loader/program.js';
import { probeHelper } from '../../src/loader/probe.js';
import { BpfError } from '../../src/sys/errors.js';
import { needKernel } from './env.js';

interface Skippable {
  skip(note?: string): void;
}

const cache = new Map<string, string | undefined>();

function once(key: string, why: () => string | undefined): string | undefined {
  if (!cache.has(key)) cache.set(key, why());
  return cache.get(key);
}

/** Why programs of `progType` cannot call helper `name` here, or undefined when they can. */
export function helperMissingReason(progType: string, name: string): string | undefined {
  return once(`helper:${progType}:${name}`, () => {
    const id = helperId(name);
    if (id === undefined) throw new Error(`unknown helper ${name}`);
    return probeHelper(progType, id) ? undefined : `this kernel refuses bpf_${name} in ${progType} programs ("program of this type cannot use helper")`;
  });
}

/** Why BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES fails here, or undefined when it works. */
export function liveFramesMissingReason(): string | undefined {
  return once('live-frames', () => {
    // XDP_DROP on loopback: the probe frame goes nowhere.
    const prog = Program.load({ type: 'xdp', name: 'probe_live', insns: [{ code: 0xb7, dst: 0, src: 0, off: 0, imm: 1 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }] });
    try {
      const ctx = new Uint8Array(24);
      new DataView(ctx.buffer).setUint32(4, 64, true); // data_end
      new DataView(ctx.buffer).setUint32(12, 1, true); // ingress_ifindex: lo
      prog.testRun({ data: new Uint8Array(64), ctx, repeat: 1, flags: 2 /* BPF_F_TEST_XDP_LIVE_FRAMES */ });
      return undefined;
    } catch (e) {
      if (e instanceof BpfError) return `this kernel refuses XDP live-frames test runs (${e.errnoName})`;
      throw e;
    } finally {
      prog.close();
    }
  });
}

/** needKernel, then skip with the reason when the kernel lacks the helper. */
export function needHelper(ctx: Skippable, progType: string, name: string): void {
  needKernel(ctx);
  const why = helperMissingReason(progType, name);
  if (why !== undefined) ctx.skip(why);
}

/** needHelper for every helper the instructions call (CALL with src 0). */
export function needHelpersOf(ctx: Skippable, progType: string, insns: readonly Pick<Instruction, 'code' | 'src' | 'imm'>[]): void {
  needKernel(ctx);
  for (const insn of insns) {
    if (insn.code !== 0x85 || insn.src !== 0) continue;
    const name = helperName(insn.imm);
    if (name !== undefined) needHelper(ctx, progType, name);
  }
}
