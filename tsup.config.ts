import { defineConfig } from 'tsup';

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

// The library is built dual (ESM + CJS, with .d.ts/.d.cts); the CLI is ESM (cli.js) behind a small CommonJS launcher
// (launcher.cjs, the bin), and keeps heavy modules behind dynamic import() so `--help` and `--version` start fast.
// No source maps: the output is not minified (a stack trace already names real functions and readable lines), and the
// maps were 4.3 MB of the 6.8 MB unpacked package; with their sources inlined they duplicated src/, without them they
// would point at a src/ the package does not ship.
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
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: false,
    clean: false,
    target: 'node20',
    platform: 'node',
    // An optional native dependency: tsup bundles what is not in dependencies/peerDependencies, and a bundled
    // better-sqlite3 cannot find its .node binary (history would silently never load).
    external: ['better-sqlite3'],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // The bin: a CommonJS launcher (faster to start on Node 20) that answers --version/--help and imports cli.js.
    entry: { launcher: 'src/cli/launcher.ts' },
    format: ['cjs'],
    dts: false,
    sourcemap: false,
    clean: false,
    target: 'node20',
    platform: 'node',
    // An optional native dependency: tsup bundles what is not in dependencies/peerDependencies, and a bundled
    // better-sqlite3 cannot find its .node binary (history would silently never load).
    external: ['better-sqlite3'],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
