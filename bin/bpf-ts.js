#!/usr/bin/env node
// Entry point for `npx bpf-ts` and global installs: runs the compiled CLI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('bpf-ts: not built yet; run `npm run build` in the package directory\n');
  process.exit(2);
}
await import(main.href);
