import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { LIBRARY_ENTRIES } from './tsup.config.js';

/** `plex-diagnose` and every `plex-diagnose/<subpath>` of tsup.config.ts, each mapped to its source entry. */
export const packageAliases = Object.entries(LIBRARY_ENTRIES).map(([entry, file]) => ({
  find: entry === 'index' ? 'plex-diagnose' : `plex-diagnose/${entry}`,
  replacement: fileURLToPath(new URL(`./${file}`, import.meta.url)),
}));

export default defineConfig({
  resolve: {
    // The docs' examples import the package by name, as users do; here that name is the source. Exact matches only:
    // a prefix match of 'plex-diagnose' would also catch 'plex-diagnose/testing'.
    alias: packageAliases.map(({ find, replacement }) => ({
      find: new RegExp(`^${find}$`),
      replacement,
    })),
  },
  test: {
    // docs/examples: the worked example of docs/writing-rules.md ships with its own test, run as part of ours.
    include: ['test/**/*.test.ts', 'docs/examples/**/*.test.ts'],
    // The namespace lab has its own command (`npm run test:lab`): it needs root and builds real networks. The browser
    // test has its own too (`npm run test:browser`): it needs Chromium.
    exclude: ['test/lab/**', 'test/browser/**', 'node_modules/**'],
    // Builds the CLI into .test-dist/ for the subprocess tests in test/cli (see the file for why per run).
    globalSetup: ['test/cli/global-setup.ts'],
    // RuleTester (plex-diagnose/testing) finds describe/it on globalThis, as ESLint's does; hand it vitest's.
    setupFiles: ['test/setup/test-globals.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
