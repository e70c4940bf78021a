// Bundles the compiled CLI (dist/cli, from tsc) into one CommonJS file per command, which is
// what bin/bpf-ts.cjs runs: dist/cli-bundle/main.cjs (the argument parser, the command list,
// error handling) and dist/cli-bundle/commands/<name>.cjs (one command with all of bpf-ts it
// uses).
//
// Why: Node 20's ES-module loader costs each module a file read, a resolution and a link step,
// and starting the loader at all costs more: `bpf-ts asm` loaded 23 ES modules; as two
// CommonJS files a 200,000-line run is ~40 ms quicker (BENCHMARKS.md). The library itself
// (dist/src, the package's exports) stays ES modules, one per file.
//
// Usage: node --import tsx scripts/bundle-cli.ts   (after tsc; `npm run build` runs both)
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const compiled = `${root}dist/cli/`;
const out = `${root}dist/cli-bundle/`;

// The command list loads each command with import('./<name>.js'); those become the bundles.
const index = readFileSync(`${compiled}commands/index.js`, 'utf8');
const commands = [...index.matchAll(/import\('\.\/([a-z0-9-]+)\.js'\)/g)].map((m) => m[1]!);
if (commands.length === 0) throw new Error(`${compiled}commands/index.js: no command imports found`);

/** In main.cjs, the command list's imports stay imports, of the command bundles. */
const commandsStayExternal: Plugin = {
  name: 'commands-stay-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z0-9-]+\.js$/ }, (args) => {
      if (args.importer !== `${compiled}commands/index.js`) return undefined;
      return { path: `./commands/${args.path.slice(2, -3)}.cjs`, external: true };
    });
  },
};

const common: BuildOptions = {
  bundle: true,
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  platform: 'node',
  target: 'node20',
  packages: 'external', // koffi, zod, tsx: required from node_modules at run time
  // import.meta.url (source locations, the demo's example file, tsx's parent) is the bundle's.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  sourcemap: 'linked', // esbuild follows tsc's maps: the bundles' maps name the TypeScript
  sourcesContent: false,
  logLevel: 'warning',
};

rmSync(out, { recursive: true, force: true });
// main.cjs requires the command bundles (import() would start the ES-module loader); in the
// command bundles the only import() left is of tsx, which has to stay one (its CommonJS API
// cannot import TypeScript modules).
await build({
  ...common, entryPoints: [`${compiled}main.js`], outfile: `${out}main.cjs`, plugins: [commandsStayExternal],
  supported: { 'dynamic-import': false },
});
await build({ ...common, entryPoints: commands.map((c) => `${compiled}commands/${c}.js`), outdir: `${out}commands` });

// The top-level help, made by the CLI's own code: `bpf-ts --help` prints it without loading
// every command's bundle (cli/program.ts prebuiltHelp).
const { buildProgram } = (await import(`${compiled}program.js`)) as { buildProgram: () => Promise<{ helpText(): string }> };
writeFileSync(`${out}help.txt`, (await buildProgram()).helpText());
