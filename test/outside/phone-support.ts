/** Helpers shared by the phone-check tests (not a test file itself). */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startFakeIgd, type FakeIgd } from '../../src/testing/fake-igd/index.js';

/** A pid that surely does not run: a child that already exited. */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

/**
 * A temp directory (the journal's home) and the fake IGD as the router, fresh for each test and removed after it.
 * Call at the top of a test file; read `setup.dir` and `setup.igd` inside the tests.
 */
export function useDirAndIgd(prefix: string): { dir: string; igd: FakeIgd } {
  const setup = {} as { dir: string; igd: FakeIgd };
  beforeEach(async () => {
    setup.dir = await mkdtemp(join(tmpdir(), prefix));
    setup.igd = await startFakeIgd({ externalIp: '84.1.1.2' });
  });
  afterEach(async () => {
    await setup.igd.close();
    await rm(setup.dir, { recursive: true, force: true });
  });
  return setup;
}
