// Every command, in the order `bpf-ts --help` lists them. Each is loaded only when it is the
// command being run (or for the full --help), so `bpf-ts asm` does not load koffi or the VM.
import type { Command } from '../args.js';

export type RegisterCommand = (program: Command) => void;

export interface CommandEntry {
  readonly name: string;
  readonly load: () => Promise<RegisterCommand>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'asm', load: async () => (await import('./asm.js')).registerAsm },
  { name: 'disasm', load: async () => (await import('./disasm.js')).registerDisasm },
  { name: 'build', load: async () => (await import('./build.js')).registerBuild },
  { name: 'lint', load: async () => (await import('./lint.js')).registerLint },
  { name: 'load', load: async () => (await import('./load.js')).registerLoad },
  { name: 'attach', load: async () => (await import('./attach.js')).registerAttach },
  { name: 'detach', load: async () => (await import('./detach.js')).registerDetach },
  { name: 'prog', load: async () => (await import('./prog.js')).registerProg },
  { name: 'map', load: async () => (await import('./map.js')).registerMap },
  { name: 'net', load: async () => (await import('./net.js')).registerNet },
  { name: 'test-run', load: async () => (await import('./test-run.js')).registerTestRun },
  { name: 'probe', load: async () => (await import('./probe.js')).registerProbe },
  { name: 'xsk', load: async () => (await import('./xsk.js')).registerXsk },
  { name: 'run', load: async () => (await import('./run.js')).registerRun },
  { name: 'demo', load: async () => (await import('./demo.js')).registerDemo },
  { name: 'conformance', load: async () => (await import('./conformance.js')).registerConformance },
];
