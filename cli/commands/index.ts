// Every command's register function, in the order `bpf-ts --help` lists them.
import type { Command } from 'commander';
import { registerAsm } from './asm.js';
import { registerDisasm } from './disasm.js';
import { registerConformance } from './conformance.js';
import { registerXsk } from './xsk.js';
import { registerBuild } from './build.js';
import { registerRun } from './run.js';
import { registerDemo } from './demo.js';
import { registerLint } from './lint.js';
import { registerLoad } from './load.js';
import { registerAttach } from './attach.js';
import { registerDetach } from './detach.js';
import { registerProg } from './prog.js';
import { registerMap } from './map.js';
import { registerNet } from './net.js';
import { registerTestRun } from './test-run.js';
import { registerProbe } from './probe.js';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerAsm,
  registerDisasm,
  registerConformance,
  registerXsk,
  registerBuild,
  registerRun,
  registerDemo,
  registerLint,
  registerLoad,
  registerAttach,
  registerDetach,
  registerProg,
  registerMap,
  registerNet,
  registerTestRun,
  registerProbe,
];
