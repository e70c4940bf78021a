#!/usr/bin/env node
// Entry point for `npx bpf-ts` and global installs: runs the bundled CLI (dist/cli-bundle,
// made by `npm run build`; scripts/bundle-cli.ts says why it is bundled).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli-bundle/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('bpf-ts: not built yet; run `npm run build` in the package directory\n');
  process.exit(2);
}
await import(main.href);
