/**
 * Two fixes at once against one server (issue 15 item 7: the second printed "false → true", then "Applied 0"): the
 * journal's lock lets one apply and refuses the other with 'busy' before it reads or changes anything; a lock left by
 * a process that is gone is taken over. Against the real fake PMS on loopback.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { applyFix, undoFix } from '../../src/fix/apply.js';
import { FixError } from '../../src/fix/errors.js';
import { fixJournalPath } from '../../src/fix/journal.js';
import { journalLockPath } from '../../src/fix/journal-lock.js';
import { planFix } from '../../src/fix/plan.js';
import { createServerClient } from '../../src/clients/server/client.js';
import { startFakePlexServer, type FakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { diagnosis, report, setPref } from './helpers.js';

const TOKEN = 'lock-test-token-0ddba11';
const MACHINE = 'b'.repeat(40);
let dir: string;
let fake: FakePlexServer;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plex-diagnose-lock-'));
  fake = await startFakePlexServer({ token: TOKEN, machineIdentifier: MACHINE });
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

async function setup() {
  const server = createServerClient({ baseUrl: fake.url, token: TOKEN, timeoutMs: 2000 });
  const found = report([diagnosis('isp-blocks-port', 'root-cause', [setPref('ManualPortMappingPort', 443)])], MACHINE);
  const plan = planFix(found, await server.prefs());
  const journalPath = fixJournalPath(MACHINE, { configDir: join(dir, 'config') });
  return { server, plan, journalPath };
}

const puts = (): number => fake.requests.filter((r) => r.method === 'PUT' && r.path === '/:/prefs').length;

it('two applies at once: one applies, the other is refused as busy and changes nothing', async () => {
  const { server, plan, journalPath } = await setup();
  const results = await Promise.allSettled([
    applyFix(plan, { server, journalPath, journalKey: TOKEN }),
    applyFix(plan, { server, journalPath, journalKey: TOKEN }),
  ]);
  const applied = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(applied).toHaveLength(1);
  expect(refused).toHaveLength(1);
  expect(refused[0]!.reason).toBeInstanceOf(FixError);
  expect((refused[0]!.reason as FixError).reason).toBe('busy');
  expect((refused[0]!.reason as FixError).message).toMatch(/nothing was changed/);
  expect(puts()).toBe(1);
  expect(fake.state.prefs.ManualPortMappingPort).toBe('443');
  expect(existsSync(journalLockPath(journalPath))).toBe(false);
  // The journal kept the value from before plex-diagnose: undo puts it back.
  await undoFix({ server, journalPath, journalKey: TOKEN });
  expect(fake.state.prefs.ManualPortMappingPort).not.toBe('443');
});

it('a lock held by a live process refuses; one left by a process that is gone is taken over', async () => {
  const { server, plan, journalPath } = await setup();
  await mkdir(dirname(journalPath), { recursive: true });
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    await writeFile(journalLockPath(journalPath), `${sleeper.pid}\n`);
    const error = await applyFix(plan, { server, journalPath }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as FixError).reason).toBe('busy');
    expect((error as FixError).message).toContain(`pid ${sleeper.pid}`);
    expect(puts()).toBe(0);
  } finally {
    sleeper.kill('SIGKILL');
    await new Promise((resolve) => sleeper.once('exit', resolve));
  }
  // Its holder is gone now: a crash must not block every later fix.
  const result = await applyFix(plan, { server, journalPath });
  expect(result.applied.map((c) => c.pref)).toEqual(['ManualPortMappingPort']);
  expect(existsSync(journalLockPath(journalPath))).toBe(false);
  expect(JSON.parse(await readFile(journalPath, 'utf8'))).toMatchObject({ state: 'applied' });
});

it('undo with no journal creates no lock and no directory', async () => {
  const { server } = await setup();
  const journalPath = join(dir, 'never', 'made', 'journal.json');
  const error = await undoFix({ server, journalPath }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((error as FixError).reason).toBe('no-journal');
  expect(existsSync(join(dir, 'never'))).toBe(false);
});
