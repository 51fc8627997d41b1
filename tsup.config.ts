import { defineConfig } from 'tsup';

// The library is built dual (ESM + CJS, with .d.ts/.d.cts); the CLI is ESM (cli.js) behind a small CommonJS launcher
// (launcher.cjs, the bin), and keeps heavy modules behind dynamic import() so `--help` and `--version` start fast.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
  },
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    platform: 'node',
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
    banner: { js: '#!/usr/bin/env node' },
  },
]);
