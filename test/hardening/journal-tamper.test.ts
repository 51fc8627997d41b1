/**
 * Issue 15 item 6: `fix --undo --journal x.json` wrote whatever the journal said. A journal someone hands you (or
 * edits where it lies) could set PlexOnlineToken, or allowedNetworks=0.0.0.0/0 (no auth from anywhere). Undo now
 * writes only the prefs `fix` changes, only on the server the journal names, and (the CLI passes the owner's token
 * as the key) only values sealed by the fix that recorded them. Every refusal: exit 2, a clear message, no PUT.
 *
 * The CLI runs in process (`main()`), against a real fake PMS on loopback.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createServerClient } from '../../src/clients/server/client.js';
import { applyFix, undoFix } from '../../src/fix/apply.js';
import { FixError } from '../../src/fix/errors.js';
import { planFix } from '../../src/fix/plan.js';
import { startFakePlexServer, type FakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { diagnosis, report, setPref } from '../fix/helpers.js';

const TOKEN = 'journal-tamper-owner-token-91ab';
const MACHINE = 'beef0000beef0000beef0000beef0000beef0000';

let dir: string;
let fake: FakePlexServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pd-journal-tamper-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  fake = await startFakePlexServer({ token: TOKEN, machineIdentifier: MACHINE });
});
afterEach(async () => {
  await fake?.close();
});

const puts = (): number => fake.requests.filter((r) => r.method === 'PUT' && r.path === '/:/prefs').length;

async function undoCli(journal: string, token = TOKEN): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['fix', '--undo', '--journal', journal, '--url', fake.url, '--timeout', '2s'], {
    stdout: new PassThrough().on('data', (chunk: Buffer) => (stdout += chunk.toString())),
    stderr: new PassThrough().on('data', (chunk: Buffer) => (stderr += chunk.toString())),
    stdin: Readable.from([]),
    env: { PATH: process.env.PATH, HOME: dir, PLEX_DIAGNOSE_CONFIG_DIR: join(dir, 'config'), PLEX_TOKEN: token },
    cwd: dir,
    signal: AbortSignal.timeout(20_000),
  });
  return { code, stdout, stderr };
}

/** A journal as an attacker writes it: the right server, the right shape, any pref and value. */
async function forged(name: string, changes: { pref: string; previous: unknown; applied: unknown }[]) {
  const path = join(dir, `${name}.json`);
  await writeFile(
    path,
    JSON.stringify({
      version: 1,
      machineIdentifier: MACHINE,
      serverUrl: fake.url,
      appliedAt: '2026-12-01T00:00:00.000Z',
      changes,
      state: 'applied',
    }),
  );
  return path;
}

/** A real fix (relay off), journalled and sealed as the CLI does it. */
async function genuineFix(name: string): Promise<string> {
  const server = createServerClient({ baseUrl: fake.url, token: TOKEN, timeoutMs: 2000 });
  const plan = planFix(
    report([diagnosis('relay', 'root-cause', [setPref('RelayEnabled', false)])], MACHINE),
    await server.prefs(),
  );
  const journalPath = join(dir, `${name}.json`);
  await applyFix(plan, { server, journalPath, journalKey: TOKEN });
  return journalPath;
}

describe('fix --undo with a tampered journal', () => {
  it.each([
    ['PlexOnlineToken', 'attacker-token'],
    ['customCertificateKey', 'x'],
    ['FriendlyName', 'pwned'],
  ])('refuses a journal that "restores" %s (not a pref fix changes): exit 2, nothing sent', async (pref, value) => {
    const before = { ...fake.state.prefs };
    const run = await undoCli(await forged(`foreign-${pref}`, [{ pref, previous: value, applied: 'y' }]));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`it names ${pref}, which plex-diagnose never changes`);
    expect(puts()).toBe(0);
    expect(fake.state.prefs).toEqual(before);
  });

  it('refuses allowedNetworks=0.0.0.0/0 written into a journal no fix sealed: exit 2, nothing sent', async () => {
    const run = await undoCli(
      await forged('open-to-all', [{ pref: 'allowedNetworks', previous: '0.0.0.0/0', applied: '' }]),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('it is not sealed by plex-diagnose for this token');
    expect(puts()).toBe(0);
    expect(fake.state.prefs.allowedNetworks ?? '').not.toContain('0.0.0.0/0');
  });

  it('refuses a genuine journal whose recorded value was edited afterwards', async () => {
    const journal = await genuineFix('edited');
    const putsAfterFix = puts();
    const data = JSON.parse(await readFile(journal, 'utf8')) as { changes: { pref: string; previous: unknown }[] };
    data.changes.push({ pref: 'allowedNetworks', previous: '0.0.0.0/0', applied: '' } as never);
    await writeFile(journal, JSON.stringify(data));
    const run = await undoCli(journal);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('its seal does not match (edited, or written with another token)');
    expect(puts()).toBe(putsAfterFix);
    expect(fake.state.prefs.RelayEnabled).toBe('0');
  });

  it('refuses a journal for another server (machineIdentifier is not the target)', async () => {
    const journal = await genuineFix('other');
    const data = JSON.parse(await readFile(journal, 'utf8')) as Record<string, unknown>;
    await writeFile(journal, JSON.stringify({ ...data, machineIdentifier: 'c'.repeat(40) }));
    const run = await undoCli(journal);
    expect(run.code).toBe(2);
    expect(puts()).toBe(1); // the fix's own PUT only
  });

  it('still undoes a genuine, untouched journal', async () => {
    const journal = await genuineFix('genuine');
    expect(fake.state.prefs.RelayEnabled).toBe('0');
    const run = await undoCli(journal);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('RelayEnabled = true');
    expect(run.code).toBe(0);
    expect(fake.state.prefs.RelayEnabled).toBe('1');
  });
});

describe('undoFix (the library) without a key', () => {
  it('still refuses prefs fix never changes', async () => {
    const server = createServerClient({ baseUrl: fake.url, token: TOKEN, timeoutMs: 2000 });
    const journalPath = await forged('library', [{ pref: 'PlexOnlineToken', previous: 'attacker', applied: 'x' }]);
    const error = await undoFix({ server, journalPath }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FixError);
    expect((error as FixError).reason).toBe('untrusted-journal');
    expect((error as FixError).code).toBe('PLEXDIAG_USAGE');
    expect(puts()).toBe(0);
  });
});
