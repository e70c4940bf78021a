// Bundles the compiled CLI (dist/cli, from tsc) into one ES module per command, which is what
// bin/bpf-ts.js runs: dist/cli-bundle/main.js (the argument parser, the command list, error
// handling) and dist/cli-bundle/commands/<name>.js (one command with all of bpf-ts it uses).
//
// Why: Node 20's ES-module loader costs each module a file read, a resolution and a link
// step, and code that reads another module's bindings goes through the module's cells. `bpf-ts
// asm` loads 23 modules; as three files a 200,000-line run is ~20 ms quicker (BENCHMARKS.md).
// The library itself (dist/src, the package's exports) stays one file per module.
//
// Usage: node --import tsx scripts/bundle-cli.ts   (after tsc; `npm run build` runs both)
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const compiled = `${root}dist/cli/`;
const out = `${root}dist/cli-bundle/`;

// The command list loads each command with import('./<name>.js'); those become the bundles.
const index = readFileSync(`${compiled}commands/index.js`, 'utf8');
const commands = [...index.matchAll(/import\('\.\/([a-z0-9-]+)\.js'\)/g)].map((m) => m[1]!);
if (commands.length === 0) throw new Error(`${compiled}commands/index.js: no command imports found`);

/** In main.js, the command list's imports stay imports, of the command bundles. */
const commandsStayExternal: Plugin = {
  name: 'commands-stay-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z0-9-]+\.js$/ }, (args) => {
      if (args.importer !== `${compiled}commands/index.js`) return undefined;
      return { path: `./commands/${args.path.slice(2)}`, external: true };
    });
  },
};

const common: BuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external', // koffi, zod, tsx: resolved from node_modules at run time
  sourcemap: 'linked', // to dist/cli, whose own maps lead to the TypeScript
  sourcesContent: false,
  logLevel: 'warning',
};

rmSync(out, { recursive: true, force: true });
await build({ ...common, entryPoints: [`${compiled}main.js`], outfile: `${out}main.js`, plugins: [commandsStayExternal] });
await build({ ...common, entryPoints: commands.map((c) => `${compiled}commands/${c}.js`), outdir: `${out}commands` });
