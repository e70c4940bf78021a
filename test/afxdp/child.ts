// Child processes for the AF_XDP tests: the CLI (through tsx, so no build is needed) or a
// tool, every one with a hard timeout, collected asynchronously so the test can receive
// in-process at the same time.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/cli.js';

export interface Child {
  readonly proc: ChildProcess;
  /** Resolves when the child exits (killed by SIGKILL at its timeout). */
  readonly done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
  /** Resolves true when stderr or stdout matches `re`, false after `ms` or at exit. */
  waitFor(re: RegExp, ms: number): Promise<boolean>;
  output(): { stdout: string; stderr: string };
  kill(signal?: NodeJS.Signals): void;
}

/** argv of the CLI run from source. */
export function cliArgv(args: readonly string[]): string[] {
  return [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'cli/main.ts'), ...args];
}

export function startChild(argv: readonly string[], timeoutMs: number): Child {
  const proc = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  proc.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const l of listeners) l();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const l of listeners) l();
  });
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const l of listeners) l();
      resolve({ code, signal, stdout, stderr });
    });
  });
  let exited = false;
  void done.then(() => (exited = true));
  const waitFor = (re: RegExp, ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (re.test(stdout) || re.test(stderr)) finish(true);
        else if (exited) finish(false);
      };
      const t = setTimeout(() => finish(false), ms);
      const finish = (v: boolean): void => {
        clearTimeout(t);
        listeners.delete(check);
        resolve(v);
      };
      listeners.add(check);
      check();
    });
  return { proc, done, waitFor, output: () => ({ stdout, stderr }), kill: (s = 'SIGKILL') => void proc.kill(s) };
}
