// Test helpers: load a compiled DSL module into the kernel and lint it, with the same code
// `bpf-ts run` and `bpf-ts demo` use.
import type { CompiledModule } from '../../src/xdp/index.js';
import type { ProgramReport } from '../../src/lint/index.js';
import { lintCompiled, loadCompiledModule, type LoadedModule } from '../../cli/commands/run.js';

export type { LoadedModule };
export const loadCompiled = (mod: CompiledModule): LoadedModule => loadCompiledModule(mod);
export const lintModule = (mod: CompiledModule): ProgramReport[] => lintCompiled(mod);
