/**
 * Builds the CLI (and the library entries, for `--rules` modules that `import 'plex-diagnose'`) from the current source
 * before the suite runs, with tsup.config.ts's own entries and options but no type emit: `npm test` on a clean clone
 * needs no `npm run build`, and the subprocess tests never run a stale build.
 *
 * Each vitest run builds into its own folder under `.test-dist/` (git-ignored) and removes it afterwards: several
 * engineers (or editors) run vitest at once in this tree, and one run rebuilding the folder under another's running
 * CLI would delete the chunks that CLI is about to import.
 */
import { readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { build, type Options } from 'tsup';
import config, { LIBRARY_ENTRIES } from '../../tsup.config.js';
import { TEST_DIST } from './paths.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder with this run's build: `cli.js`, every library entry and a package.json naming it plex-diagnose. */
    cliDist: string;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Folders of runs whose vitest process is gone (killed before its teardown). */
async function removeStaleRuns(): Promise<void> {
  const entries = await readdir(TEST_DIST).catch(() => [] as string[]);
  await Promise.all(
    entries.map(async (name) => {
      const pid = Number(/^run-(\d+)-/.exec(name)?.[1]);
      if (Number.isInteger(pid) && pid !== process.pid && !alive(pid))
        await rm(join(TEST_DIST, name), { recursive: true, force: true });
    }),
  );
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await removeStaleRuns();
  const outDir = join(TEST_DIST, `run-${process.pid}-${Date.now().toString(36)}`);
  await mkdir(outDir, { recursive: true });
  const configs = (Array.isArray(config) ? config : [config]) as Options[];
  // One after the other, into one folder: the configs share it (tsup.config.ts cleans in its first config only).
  for (const options of configs) {
    await build({ ...options, dts: false, clean: false, outDir, silent: true, config: false });
  }
  // The folder doubles as an installed copy of the package, for `--rules` modules that `import 'plex-diagnose'`.
  const exports = Object.fromEntries(
    Object.keys(LIBRARY_ENTRIES).map((entry) => [
      entry === 'index' ? '.' : `./${entry}`,
      { import: `./${entry}.js`, require: `./${entry}.cjs` },
    ]),
  );
  await writeFile(
    join(outDir, 'package.json'),
    `${JSON.stringify({ name: 'plex-diagnose', type: 'module', exports }, null, 2)}\n`,
  );
  project.provide('cliDist', outDir);
  return async () => {
    await rm(outDir, { recursive: true, force: true });
  };
}
