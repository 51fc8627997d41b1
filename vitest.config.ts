import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The namespace lab has its own command (`npm run test:lab`): it needs root and builds real networks.
    exclude: ['test/lab/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
