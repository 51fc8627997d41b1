/**
 * Issue 15 item 1: with no --url the CLI picks the server by unauthenticated GDM, so anything on the LAN that answers
 * first with a copied Resource-Identifier used to receive the owner's token on `/`, `/myplex/account` and `/:/prefs`.
 * Here a spoofer (a fake PMS that accepts any token and records whether one came) answers GDM before the genuine
 * server, with the genuine server's machineIdentifier, name and everything; plex.tv (the fake) lists the genuine one
 * as the account's own at its real address. The token, from PLEX_TOKEN or from the stored login, must never reach the
 * spoofer; the genuine server, found the same way, still gets it.
 *
 * The CLI runs in process (`main()` with captured streams); every other LAN probe points at a closed loopback port.
 * The same attack from another host of a real LAN is test/lab/gdm-spoof.test.ts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startFakeGdm, type FakeGdm } from '../../src/testing/fake-gdm.js';
import { startFakePlexServer, type FakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { startFakePlexTv, type FakePlexTv } from '../../src/testing/fake-plex-tv/index.js';

const CLOSED = '127.0.0.1:9';
const TOKEN = 'gdm-spoof-OWNER-token-7f3a9c';
const MACHINE = 'd00dfeed0000d00dfeed0000d00dfeed0000d00d';

let dir: string;
let plexTv: FakePlexTv;
let genuine: FakePlexServer;
let spoofer: FakePlexServer;
/** Answers every search with the spoofer's reply first, then the genuine server's (same Resource-Identifier). */
let raced: FakeGdm;
/** Only the genuine server answers. */
let honest: FakeGdm;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pd-gdm-spoof-'));
  plexTv = await startFakePlexTv({ tokens: [TOKEN] });
  // The genuine server publishes itself to plex.tv with the owner's token: listed as owned, at http://127.0.0.1:<port>.
  genuine = await startFakePlexServer({
    token: TOKEN,
    machineIdentifier: MACHINE,
    friendlyName: 'Basement',
    plexTv: { url: plexTv.url },
  });
  // No `token` option: the spoofer accepts any token, as an attacker's server would, and records whether one came.
  spoofer = await startFakePlexServer({ machineIdentifier: MACHINE, friendlyName: 'Basement' });
  const reply = (port: number) => ({ machineIdentifier: MACHINE, name: 'Basement', port });
  raced = await startFakeGdm({ servers: [reply(spoofer.port), reply(genuine.port)] });
  honest = await startFakeGdm({ servers: [reply(genuine.port)] });
});
afterAll(async () => {
  await Promise.all([raced?.close(), honest?.close(), spoofer?.close(), genuine?.close(), plexTv?.close()]);
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 20_000);
  try {
    const code = await main(args, {
      stdout: new PassThrough().on('data', (chunk: Buffer) => (stdout += chunk.toString())),
      stderr: new PassThrough().on('data', (chunk: Buffer) => (stderr += chunk.toString())),
      stdin: Readable.from([]),
      env: { PATH: process.env.PATH, HOME: dir, PLEX_DIAGNOSE_CONFIG_DIR: join(dir, 'config'), ...env },
      cwd: dir,
      signal: controller.signal,
    });
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

const probes = ['--upnp-location', `http://${CLOSED}/rootDesc.xml`, '--natpmp-gateway', CLOSED, '--timeout', '1s'];
const discover = (gdm: FakeGdm, extra: string[] = []): string[] => [
  'diagnose',
  '--gdm-target',
  `127.0.0.1:${gdm.port}`,
  '--plextv-url',
  plexTv.url,
  '--json',
  ...probes,
  ...extra,
];

/** The stored login (`plex-diagnose login` writes this), in a config dir of its own. */
async function loginConfig(name: string): Promise<string> {
  const configDir = join(dir, name);
  await mkdir(configDir, { recursive: true });
  await writeFile(
    join(configDir, 'config.json'),
    JSON.stringify({ clientIdentifier: 'c1e47-gdm-spoof', token: TOKEN }),
    { mode: 0o600 },
  );
  return configDir;
}

describe('a GDM spoofer answering first with a copied Resource-Identifier', () => {
  it.each([
    ['PLEX_TOKEN', async () => ({ PLEX_TOKEN: TOKEN })],
    ['the stored login', async () => ({ PLEX_DIAGNOSE_CONFIG_DIR: await loginConfig('login-raced') })],
  ])('never receives the token from %s; the run says why and does the token-free checks', async (_, envOf) => {
    const before = spoofer.requests.length;
    const run = await cli(discover(raced), await envOf());
    const seen = spoofer.requests.slice(before);
    // It was the target (GDM's first answer wins), so it was asked: only never with the token.
    expect(seen.map((r) => r.path)).toContain('/identity');
    expect(seen.filter((r) => r.hadToken)).toEqual([]);
    expect(run.stderr).toMatch(/token \(from (PLEX_TOKEN|the login config)\) NOT sent: http:\/\/127\.0\.0\.1:\d+ /);
    expect(run.stderr).toContain('plex.tv lists server d00dfeed0000d00dfeed0000d00dfeed0000d00d as yours but not at');
    expect(run.stderr).toContain('name the server with --url to send it the token');
    const report = JSON.parse(run.stdout) as { target: { url: string } };
    expect(report.target.url).toBe(spoofer.url);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  it('never receives it with --no-plextv either (nothing can prove the server is yours)', async () => {
    const before = spoofer.requests.length;
    const run = await cli(['diagnose', '--gdm-target', `127.0.0.1:${raced.port}`, '--no-plextv', '--json', ...probes], {
      PLEX_TOKEN: TOKEN,
    });
    expect(spoofer.requests.slice(before).filter((r) => r.hadToken)).toEqual([]);
    expect(spoofer.requests.length).toBeGreaterThan(before);
    expect(run.stderr).toContain('without plex.tv nothing can prove it is your server');
  });

  it('cannot get fix --undo to send it the token', async () => {
    const before = spoofer.requests.length;
    const run = await cli(['fix', '--undo', '--gdm-target', `127.0.0.1:${raced.port}`, '--plextv-url', plexTv.url], {
      PLEX_TOKEN: TOKEN,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('fix --undo: the token is not sent there:');
    expect(spoofer.requests.slice(before).filter((r) => r.hadToken)).toEqual([]);
  });
});

describe('the genuine server found by GDM', () => {
  it('gets the token: plex.tv lists it as the account own, at the address GDM found', async () => {
    const before = genuine.requests.length;
    const run = await cli(discover(honest), { PLEX_TOKEN: TOKEN });
    const seen = genuine.requests.slice(before);
    expect(seen.filter((r) => r.tokenValid).map((r) => r.path)).toEqual(
      expect.arrayContaining(['/', '/:/prefs', '/myplex/account']),
    );
    expect(run.stderr).toContain('token: from PLEX_TOKEN');
    expect(run.stderr).not.toContain('NOT sent');
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  it('a named --url still gets the token without asking plex.tv (the user chose it)', async () => {
    const before = spoofer.requests.length;
    const run = await cli(['diagnose', '--url', spoofer.url, '--no-plextv', '--json', ...probes], {
      PLEX_TOKEN: TOKEN,
    });
    expect(spoofer.requests.slice(before).some((r) => r.hadToken)).toBe(true);
    expect(run.stderr).not.toContain('NOT sent');
  });
});
