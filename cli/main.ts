import { runCli } from './program.js';

// BPF_TS_DEBUG prints stacks for internal errors: through the bundles' source maps they name
// the TypeScript files and lines (set before the command's bundle is loaded).
if (process.env.BPF_TS_DEBUG) process.setSourceMapsEnabled(true);

// A reader that goes away (`bpf-ts disasm x.o | head`) is not an error: the rest of the output
// is dropped, and commands that run until stopped (run, demo, xsk) stop and clean up as on
// SIGTERM. Any other failure to write the output is reported once.
let outputGone = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (outputGone) return;
  outputGone = true;
  if (e.code !== 'EPIPE') {
    process.stderr.write(`bpf-ts: cannot write the output: ${e.message}\n`);
    process.exitCode = 3;
  }
  process.emit('SIGTERM', 'SIGTERM');
});

// No top-level await: the CLI is bundled as CommonJS (scripts/bundle-cli.ts). runCli turns
// every error into an exit code, so the promise does not reject.
void runCli(process.argv.slice(2)).then((code) => {
  if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = code;
});
