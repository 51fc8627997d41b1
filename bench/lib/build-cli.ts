/**
 * A fresh build of the package for the CLI benches, from the current source, with tsup.config.ts's own entries and
 * options (no type emit), into a folder of its own under .test-dist/ (git-ignored; node_modules resolve from there).
 * Never dist/: other people run tests against it.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Options } from 'tsup';
import config from '../../tsup.config.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BuiltCli {
  /** Absolute path of the bin users run (the CommonJS launcher, package.json `bin`). */
  bin: string;
  /** Absolute path of cli.js (the ES module CLI the launcher imports). */
  cli: string;
  dir: string;
  remove(): Promise<void>;
}

/** @param extraEntries more ESM entries to build alongside (name → source path), e.g. a module not exported yet */
export async function buildCli(extraEntries: Record<string, string> = {}): Promise<BuiltCli> {
  const dir = join(REPO_ROOT, '.test-dist', `bench-${process.pid}-${Date.now().toString(36)}`);
  await mkdir(dir, { recursive: true });
  const configs = (Array.isArray(config) ? config : [config]) as Options[];
  for (const options of configs)
    await build({ ...options, dts: false, clean: false, outDir: dir, silent: true, config: false });
  if (Object.keys(extraEntries).length) {
    await build({
      ...configs[0],
      entry: extraEntries,
      format: ['esm'],
      dts: false,
      clean: false,
      outDir: dir,
      silent: true,
      config: false,
    });
  }
  return {
    bin: join(dir, 'launcher.cjs'),
    cli: join(dir, 'cli.js'),
    dir,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
