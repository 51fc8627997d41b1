import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The namespace lab has its own command (`npm run test:lab`): it needs root and builds real networks.
    exclude: ['test/lab/**', 'node_modules/**'],
    // Builds the CLI into .test-dist/ for the subprocess tests in test/cli (see the file for why per run).
    globalSetup: ['test/cli/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
