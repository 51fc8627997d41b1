import { defineConfig } from 'vitest/config';

// The namespace lab (`npm run test:lab`): real NAT, UPnP and DNS in Linux network namespaces; needs root, skips
// itself with one line otherwise (see test/lab/README.md). One file at a time: labs are cheap, but each starts a few
// node processes and the CI machine has 2 cores.
export default defineConfig({
  test: {
    include: ['test/lab/**/*.test.ts'],
    globalSetup: ['test/lab/global-setup.ts'],
    // Forks, not threads: each test file's signal and exit handlers (lab teardown) belong to its own process.
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
