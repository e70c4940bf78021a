// Every command's register function, in the order `bpf-ts --help` lists them.
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [
];
