import { runCli } from './program.js';

// No top-level await: the CLI is bundled as CommonJS (scripts/bundle-cli.ts). runCli turns
// every error into an exit code, so the promise does not reject.
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
