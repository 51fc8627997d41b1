import { defineConfig } from 'vitest/config';

// The status page in a real browser (`npm run test:browser`): Debian's Chromium at /usr/bin/chromium, driven by
// playwright-core, against the CLI built by test/cli/global-setup.ts. Skips itself with one line without Chromium.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/cli/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
