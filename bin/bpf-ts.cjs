#!/usr/bin/env node
// Entry point for `npx bpf-ts` and global installs: runs the bundled CLI (dist/cli-bundle,
// made by `npm run build`; scripts/bundle-cli.ts says why it is bundled, and why CommonJS).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'cli-bundle', 'main.cjs');
if (!existsSync(main)) {
  process.stderr.write('bpf-ts: not built yet; run `npm run build` in the package directory\n');
  process.exit(2);
}
require(main);
