import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
/** Where test/cli/global-setup.ts builds the CLI, one folder per vitest run (git-ignored). */
export const TEST_DIST = join(REPO_ROOT, '.test-dist');
