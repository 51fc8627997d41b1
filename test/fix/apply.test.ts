/** applyFix / undoFix against the real fake PMS on loopback, with journals in a temp directory. */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyFix, undoFix } from '../../src/fix/apply.js';
import { FixError } from '../../src/fix/errors.js';
import { FixJournal, fixJournalPath, undoneJournalPath } from '../../src/fix/journal.js';
import { planFix, type FixPlan } from '../../src/fix/plan.js';
import { createServerClient, type ServerClient } from '../../src/clients/server/client.js';
import {
  startFakePlexServer,
  type FakePlexServer,
  type FakePlexServerOptions,
} from '../../src/testing/fake-plex-server/index.js';
import { diagnosis, report, setPref } from './helpers.js';

const TOKEN = 'fix-test-token-5c0ffee';
const MACHINE = 'a'.repeat(40);

let dir: string;
const fakes: FakePlexServer[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plex-diagnose-fix-'));
});
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
  await rm(dir, { recursive: true, force: true });
});

async function setup(
  options: FakePlexServerOptions = {},
  format: 'json' | 'xml' = 'json',
): Promise<{ fake: FakePlexServer; server: ServerClient; journalPath: string }> {
  const fake = await startFakePlexServer({ token: TOKEN, machineIdentifier: MACHINE, ...options });
  fakes.push(fake);
  const server = createServerClient({ baseUrl: fake.url, token: TOKEN, timeoutMs: 2000, format });
  return { fake, server, journalPath: fixJournalPath(fake.machineIdentifier, { configDir: join(dir, 'config') }) };
}

/** The fix a docker-bridge + ISP-blocks report asks for: a manual port, a custom URL, relay off. */
async function planFor(server: ServerClient): Promise<FixPlan> {
  const found = report(
    [
      diagnosis('isp-blocks-port', 'root-cause', [setPref('ManualPortMappingPort', 443)]),
      diagnosis('docker-bridge', 'contributing', [
        setPref('customConnections', 'https://plex.example.com:443'),
        setPref('RelayEnabled', false),
      ]),
    ],
    MACHINE,
  );
  return planFix(found, await server.prefs());
}

const puts = (fake: FakePlexServer): number =>
  fake.requests.filter((r) => r.method === 'PUT' && r.path === '/:/prefs').length;

async function expectFixError(promise: Promise<unknown>, reason: string): Promise<FixError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FixError);
  expect((error as FixError).reason).toBe(reason);
  return error as FixError;
}

describe('applyFix', () => {
  it('writes a 0600 journal with the previous values, applies every change in one PUT and verifies them', async () => {
    const { fake, server, journalPath } = await setup();
    const plan = await planFor(server);
    expect(plan.changes.map((c) => c.pref)).toEqual(['ManualPortMappingPort', 'customConnections', 'RelayEnabled']);

    const result = await applyFix(plan, { server, journalPath, now: () => new Date('2026-11-25T10:00:00Z') });

    expect(result).toMatchObject({ verified: true, mismatches: [], skipped: [], journalPath });
    expect(fake.state.prefs).toMatchObject({
      ManualPortMappingPort: '443',
      customConnections: 'https://plex.example.com:443',
      RelayEnabled: '0',
    });
    expect(puts(fake)).toBe(1);
    expect((await stat(journalPath)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'config'))).mode & 0o777).toBe(0o700);
    const text = await readFile(journalPath, 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(FixJournal.parse(JSON.parse(text))).toEqual({
      version: 1,
      machineIdentifier: MACHINE,
      serverUrl: server.baseUrl,
      appliedAt: '2026-11-25T10:00:00.000Z',
      state: 'applied',
      changes: [
        { pref: 'ManualPortMappingPort', previous: 32400, applied: 443 },
        { pref: 'customConnections', previous: '', applied: 'https://plex.example.com:443' },
        { pref: 'RelayEnabled', previous: true, applied: false },
      ],
    });
  });

  it('refuses a plan made for another server and sends nothing', async () => {
    const { fake, server, journalPath } = await setup();
    const plan = { ...(await planFor(server)), machineIdentifier: 'b'.repeat(40) };
    const error = await expectFixError(applyFix(plan, { server, journalPath }), 'other-server');
    expect(error.code).toBe('PLEXDIAG_USAGE');
    expect(puts(fake)).toBe(0);
    await expect(stat(journalPath)).rejects.toThrow(/ENOENT/);
  });

  it('leaves no journal when PMS refuses the PUT (500), and the prefs are unchanged', async () => {
    const { fake, server, journalPath } = await setup({
      faults: [{ method: 'PUT', path: '/:/prefs', fault: { kind: 'status', status: 500 } }],
    });
    const before = { ...fake.state.prefs };
    const error = await expectFixError(applyFix(await planFor(server), { server, journalPath }), 'server-refused');
    expect(error.code).toBe('PLEXDIAG_HTTP');
    expect(error.message).not.toContain(TOKEN);
    expect(fake.state.prefs).toEqual(before);
    await expect(stat(journalPath)).rejects.toThrow(/ENOENT/);
  });

  it('puts an earlier journal back untouched when a later PUT is refused', async () => {
    const { fake, server, journalPath } = await setup();
    await applyFix(await planFor(server), { server, journalPath });
    const earlier = await readFile(journalPath, 'utf8');
    fake.setFault({ method: 'PUT', path: '/:/prefs', fault: { kind: 'status', status: 400 } });
    const plan = planFix(
      report([diagnosis('x', 'root-cause', [setPref('secureConnections', 0)])], MACHINE),
      await server.prefs(),
    );
    await expectFixError(applyFix(plan, { server, journalPath }), 'server-refused');
    expect(await readFile(journalPath, 'utf8')).toBe(earlier);
  });

  it('keeps a pending journal when the PUT is interrupted, and undo from it restores the prefs', async () => {
    const { fake, server, journalPath } = await setup({
      faults: [{ method: 'PUT', path: '/:/prefs', fault: { kind: 'hang' }, times: 1 }],
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const error = await applyFix(await planFor(server), { server, journalPath, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).toBe('PLEXDIAG_ABORTED');
    const journal = FixJournal.parse(JSON.parse(await readFile(journalPath, 'utf8')));
    expect(journal.state).toBe('pending');
    // Pretend the lost PUT did land, then undo.
    Object.assign(fake.state.prefs, { ManualPortMappingPort: '443', RelayEnabled: '0' });
    const undone = await undoFix({ server, journalPath });
    expect(undone.verified).toBe(true);
    expect(fake.state.prefs).toMatchObject({
      ManualPortMappingPort: '32400',
      RelayEnabled: '1',
      customConnections: '',
    });
  });

  it('applies nothing and writes no journal when the server already has every value', async () => {
    const { fake, server, journalPath } = await setup();
    const plan = await planFor(server);
    Object.assign(fake.state.prefs, {
      ManualPortMappingPort: '443',
      customConnections: 'https://plex.example.com:443',
      RelayEnabled: '0',
    });
    const result = await applyFix(plan, { server, journalPath });
    expect(result.applied).toEqual([]);
    expect(result.skipped.map((s) => s.pref)).toEqual(['ManualPortMappingPort', 'customConnections', 'RelayEnabled']);
    expect(puts(fake)).toBe(0);
    await expect(stat(journalPath)).rejects.toThrow(/ENOENT/);
  });
});

describe('undoFix', () => {
  it('restores every previous value exactly (an empty text pref included), then keeps the journal as *.undone.json', async () => {
    const { fake, server, journalPath } = await setup({}, 'xml');
    const before = { ...fake.state.prefs };
    await applyFix(await planFor(server), { server, journalPath });
    expect(fake.state.prefs.customConnections).toBe('https://plex.example.com:443');

    const result = await undoFix({ server, journalPath, now: () => new Date('2026-11-26T08:00:00Z') });

    expect(result).toMatchObject({
      verified: true,
      mismatches: [],
      drifted: [],
      undoneJournalPath: undoneJournalPath(journalPath),
    });
    expect(fake.state.prefs).toEqual(before);
    expect(fake.state.prefs.customConnections).toBe('');
    await expect(stat(journalPath)).rejects.toThrow(/ENOENT/);
    const undone = FixJournal.parse(JSON.parse(await readFile(undoneJournalPath(journalPath), 'utf8')));
    expect(undone).toMatchObject({ state: 'undone', undoneAt: '2026-11-26T08:00:00.000Z' });
    expect((await stat(undoneJournalPath(journalPath))).mode & 0o777).toBe(0o600);
  });

  it('says "nothing to undo" the second time, and "no journal" when nothing was ever applied', async () => {
    const { fake, server, journalPath } = await setup();
    await expectFixError(undoFix({ server, journalPath }), 'no-journal');
    await applyFix(await planFor(server), { server, journalPath });
    await undoFix({ server, journalPath });
    const putsAfterUndo = puts(fake);
    const error = await expectFixError(undoFix({ server, journalPath }), 'nothing-to-undo');
    expect(error.message).toMatch(/nothing to undo/);
    expect(puts(fake)).toBe(putsAfterUndo);
  });

  it('refuses to undo on another server (other machineIdentifier) and leaves both servers and the journal alone', async () => {
    const first = await setup();
    await applyFix(await planFor(first.server), { server: first.server, journalPath: first.journalPath });
    const journalText = await readFile(first.journalPath, 'utf8');
    const other = await setup({ machineIdentifier: 'c'.repeat(40) });
    const otherBefore = { ...other.fake.state.prefs };

    const error = await expectFixError(
      undoFix({ server: other.server, journalPath: first.journalPath }),
      'other-server',
    );

    expect(error.message).toContain('c'.repeat(40));
    expect(puts(other.fake)).toBe(0);
    expect(other.fake.state.prefs).toEqual(otherBefore);
    expect(await readFile(first.journalPath, 'utf8')).toBe(journalText);
  });

  it.each([
    ['not JSON', '{"version":1, "changes": [secret-ish'],
    ['not a journal', JSON.stringify({ version: 1, machineIdentifier: MACHINE, changes: 'all of them' })],
    [
      'a newer version',
      JSON.stringify({
        version: 2,
        machineIdentifier: MACHINE,
        serverUrl: 'x',
        appliedAt: 'x',
        state: 'applied',
        changes: [{ pref: 'a', previous: 1, applied: 2 }],
      }),
    ],
  ])('refuses a malformed journal (%s) without echoing it, and changes nothing', async (_name, content) => {
    const { fake, server, journalPath } = await setup();
    await applyFix(await planFor(server), { server, journalPath }); // creates the directory
    await writeFile(journalPath, content);
    const putsBefore = puts(fake);
    const error = await expectFixError(undoFix({ server, journalPath }), 'malformed-journal');
    expect(error.code).toBe('PLEXDIAG_USAGE');
    expect(error.message).toContain(journalPath);
    expect(error.message).not.toContain('secret-ish');
    expect(error.message).not.toContain('all of them');
    expect(puts(fake)).toBe(putsBefore);
  });

  it('reports PMS refusing the restore as server-refused and keeps the journal for another try', async () => {
    const { fake, server, journalPath } = await setup();
    await applyFix(await planFor(server), { server, journalPath });
    fake.setFault({ method: 'PUT', path: '/:/prefs', fault: { kind: 'status', status: 403 } });
    const error = await expectFixError(undoFix({ server, journalPath }), 'server-refused');
    expect(error.code).toBe('PLEXDIAG_AUTH');
    expect(FixJournal.parse(JSON.parse(await readFile(journalPath, 'utf8'))).state).toBe('applied');
  });

  it('after two fixes, undo returns to the values before the first one, and reports prefs changed by hand since', async () => {
    const { fake, server, journalPath } = await setup();
    await applyFix(await planFor(server), { server, journalPath });
    const second = planFix(
      report(
        [diagnosis('y', 'root-cause', [setPref('ManualPortMappingPort', 8443), setPref('secureConnections', 0)])],
        MACHINE,
      ),
      await server.prefs(),
    );
    await applyFix(second, { server, journalPath });
    fake.state.prefs.RelayEnabled = '1'; // changed by hand after the fix

    const result = await undoFix({ server, journalPath });

    expect(result.restored.map((c) => [c.pref, c.previous])).toEqual([
      ['customConnections', ''],
      ['RelayEnabled', true],
      ['ManualPortMappingPort', 32400],
      ['secureConnections', 1],
    ]);
    expect(result.drifted).toEqual(['RelayEnabled']);
    expect(fake.state.prefs).toMatchObject({
      ManualPortMappingPort: '32400',
      secureConnections: '1',
      RelayEnabled: '1',
      customConnections: '',
    });
  });
});
