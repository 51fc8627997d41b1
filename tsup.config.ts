import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

/**
 * The package's entry points: `index` is the root (`plex-diagnose`), every other key is a subpath
 * (`plex-diagnose/<key>`). package.json "exports"/"typesVersions", the API reports (scripts/api-report.ts) and the
 * package tests read this list; test/api-surface.test.ts fails when package.json and this list disagree.
 */
export const LIBRARY_ENTRIES = {
  index: 'src/index.ts',
  clients: 'src/clients/index.ts',
  probes: 'src/probes/index.ts',
  'this-host': 'src/this-host/index.ts',
  watch: 'src/watch/index.ts',
  fix: 'src/fix/index.ts',
  experiments: 'src/experiments/index.ts',
  outside: 'src/outside/index.ts',
  testing: 'src/testing/index.ts',
} as const;

// The library is built dual (ESM + CJS, with .d.ts/.d.cts); the CLI is one CommonJS bundle (cli.cjs) behind a small
// CommonJS launcher (launcher.cjs, the bin) that answers `--help` and `--version` itself and runs cli.cjs with a V8
// code cache; cli.js is a one-line ES module for `node dist/cli.js`.
// No source maps: the output is not minified (a stack trace already names real functions and readable lines), and the
// maps were 4.3 MB of the 6.8 MB unpacked package; with their sources inlined they duplicated src/, without them they
// would point at a src/ the package does not ship.
type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * The CLI is one bundle with its dependencies inlined (resolving and loading a few hundred files of node_modules, most
 * of them ES modules, was most of its start-up; docs/performance.md, "Start-up"), minus what it never runs:
 * - `undici` resolves to scripts/build/undici-lean.cjs (Agent, buildConnector, request) instead of undici's index, which
 *   also loads fetch, WebSocket, cookies, the mock agents and the cache stores;
 * - zod's locale table (40-odd languages, 340 kB of source) is replaced by an empty module: nothing here calls
 *   `z.locales`, and zod imports the English messages it uses by default from their own file.
 * Only the CLI: the library entries keep their dependencies external, so a user's zod and undici are the ones it uses.
 */
const cliBundlePlugins: EsbuildPlugin[] = [
  {
    name: 'lean-undici',
    setup(build) {
      const lean = fileURLToPath(new URL('scripts/build/undici-lean.cjs', import.meta.url));
      build.onResolve({ filter: /^undici$/ }, () => ({ path: lean }));
    },
  },
  {
    name: 'no-zod-locales',
    setup(build) {
      build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
        contents: 'export {};',
        loader: 'js',
      }));
    },
  },
];

/**
 * What the CLI's three outputs share. better-sqlite3 stays external: an optional native dependency, and a bundled
 * better-sqlite3 cannot find its .node binary (history would silently never load).
 */
const cliBuild = {
  dts: false,
  sourcemap: false,
  clean: false,
  target: 'node20',
  platform: 'node',
  external: ['better-sqlite3'],
} satisfies Options;

export default defineConfig([
  {
    entry: LIBRARY_ENTRIES,
    format: ['esm', 'cjs'],
    // CJS too: one shared chunk per module instead of a copy per entry, so an HttpError thrown by
    // `require('plex-diagnose/clients')` is `instanceof` the HttpError of `require('plex-diagnose')`.
    splitting: true,
    dts: true,
    sourcemap: false,
    clean: true,
    target: 'node20',
    platform: 'node',
    // An optional native dependency: tsup bundles what is not in dependencies/peerDependencies, and a bundled
    // better-sqlite3 cannot find its .node binary (history would silently never load).
    external: ['better-sqlite3'],
  },
  {
    // CommonJS, one file: Node 20 runs no ES module loader for it, and the launcher can compile it with a V8 code cache
    // (vm.Script cachedData; Node 20 has no code cache for ES modules). Commands still evaluate on demand: esbuild
    // keeps each dynamically imported module behind a lazy init function. Measured: docs/performance.md.
    entry: { cli: 'src/cli/bin.ts' },
    format: ['cjs'],
    ...cliBuild,
    noExternal: [/^(?!better-sqlite3)/],
    esbuildPlugins: cliBundlePlugins,
    // import.meta does not exist in CommonJS; the CLI reads only its url (to find docs/rules and tsx next to it).
    define: { 'import.meta.url': '__pdImportMetaUrl' },
    banner: { js: "const __pdImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  },
  {
    // `node dist/cli.js` (scripts, the lab): an ES module that requires cli.cjs.
    entry: { cli: 'src/cli/esm-entry.ts' },
    format: ['esm'],
    ...cliBuild,
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // The bin: a CommonJS launcher (faster to start on Node 20) that answers --version/--help and runs cli.cjs.
    entry: { launcher: 'src/cli/launcher.ts' },
    format: ['cjs'],
    ...cliBuild,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
