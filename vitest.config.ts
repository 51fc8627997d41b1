import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The docs' examples import the package by name, as users do; here that name is the source.
    alias: {
      'plex-diagnose/testing': fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)),
      'plex-diagnose': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
    },
  },
  test: {
    // docs/examples: the worked example of docs/writing-rules.md ships with its own test, run as part of ours.
    include: ['test/**/*.test.ts', 'docs/examples/**/*.test.ts'],
    // The namespace lab has its own command (`npm run test:lab`): it needs root and builds real networks.
    exclude: ['test/lab/**', 'node_modules/**'],
    // Builds the CLI into .test-dist/ for the subprocess tests in test/cli (see the file for why per run).
    globalSetup: ['test/cli/global-setup.ts'],
    // RuleTester (plex-diagnose/testing) finds describe/it on globalThis, as ESLint's does; hand it vitest's.
    setupFiles: ['test/setup/test-globals.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
