import { defineConfig } from 'tsup';

// The library is built dual (ESM + CJS, with .d.ts/.d.cts); the CLI is ESM only.
// The CLI entry keeps heavy modules behind dynamic import() so that `--help` and `--version` start fast.
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
]);
