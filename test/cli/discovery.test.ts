/**
 * Zero-config runs: which server (no --url: GDM, then http://127.0.0.1:32400; several answering: a choice on a
 * terminal, a list and exit 2 elsewhere) and which token (--token, PLEX_TOKEN, the login config, the server's own
 * Preferences.xml, or none: the token-free subset, saying what was skipped and why). The token never shows up in any
 * output: every run here uses the home's distinctive one and checks.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGdm, startFakePlexServer, type FakeGdm, type FakePlexServer } from '../../src/testing/index.js';
import { createSandbox, hasScript, runCliInTerminal, type CliResult, type CliSandbox } from './helpers/run-cli.js';
import { distinctiveToken, startHome, type Home } from './helpers/home.js';
import { parseReport } from './helpers/report-shape.js';

let home: Home;
let sandbox: CliSandbox;
beforeAll(async () => {
  home = await startHome();
  sandbox = await createSandbox();
});
afterAll(async () => {
  await home?.close();
  await sandbox?.cleanup();
});

function expectNoToken(result: CliResult, token = home.token): void {
  expect(result.stdout).not.toContain(token);
  expect(result.stderr).not.toContain(token);
}

const gdmTarget = (gdm: { port: number }): string => `127.0.0.1:${gdm.port}`;

/** The server's Preferences.xml in the sandbox's PMS data directory, as PMS writes it (attributes of <Preferences>). */
async function writePreferences(box: CliSandbox, attributes: Record<string, string>): Promise<string> {
  const dir = join(box.pmsDir, 'Plex Media Server');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'Preferences.xml');
  const attrs = Object.entries(attributes)
    .map(([key, value]) => `${key}="${value}"`)
    .join(' ');
  await writeFile(
    file,
    `<?xml version="1.0" encoding="utf-8"?>\n<Preferences OldestPreviousVersion="1.40.0.7998" ${attrs} AcceptedEULA="1" PublishServerOnPlexOnlineKey="1"/>\n`,
  );
  return file;
}

describe.concurrent('the server, without --url', () => {
  it('diagnoses the one server GDM finds, without the token: plex.tv lists it at another address', async () => {
    // The home's plex.tv lists the server at its LAN address (192.168.1.10), GDM found it on loopback: nothing proves
    // the answer came from the account's own server, so the token stays here (test/hardening/gdm-spoof.test.ts has
    // the spoofer, and the genuine server that plex.tv does list at the address GDM found).
    const result = await sandbox.run([
      ...home.networkArgs(),
      '--gdm-target',
      gdmTarget(home.gdm),
      '--token',
      home.token,
      '--json',
    ]);
    expect(result.stderr).toContain(`server: ${home.server.url} (found by GDM)\n`);
    expect(result.stderr).toContain(
      `token (from --token) NOT sent: ${home.server.url} answered on the network, and plex.tv lists server ${home.server.machineIdentifier} as yours but not at 127.0.0.1:${home.server.port}`,
    );
    const report = parseReport(result.stdout);
    expect(report.target).toMatchObject({ url: home.server.url, machineIdentifier: home.server.machineIdentifier });
    expect(report.target.name).toBeUndefined();
    // The token is held back, so what needs it is not checked: problems or inconclusive, never a clean 0.
    expect([1, 4]).toContain(result.code);
    expect(home.gdm.searches).toBeGreaterThan(0);
    expectNoToken(result);
  });

  it('takes PLEX_URL when --url is not given, and --url over PLEX_URL', async () => {
    const fromEnv = await sandbox.run([...home.networkArgs(), '--token', home.token, '--json'], {
      env: { PLEX_URL: home.server.url },
    });
    expect(fromEnv.stderr).toContain(`server: ${home.server.url}\n`);
    expect(parseReport(fromEnv.stdout).target.machineIdentifier).toBe(home.server.machineIdentifier);
    const flagWins = await sandbox.run([...home.args(['--token', home.token, '--json'])], {
      env: { PLEX_URL: 'http://127.0.0.1:9' },
    });
    expect(parseReport(flagWins.stdout).target.url).toBe(home.server.url);
  });

  // One after the other: the terminal case talks to the second server, the other checks that nothing did.
  describe.sequential('two servers answering', () => {
    let attic: FakePlexServer;
    let gdm: FakeGdm;
    beforeAll(async () => {
      attic = await startFakePlexServer({ friendlyName: 'Attic' });
      gdm = await startFakeGdm({
        servers: [
          { machineIdentifier: home.server.machineIdentifier, name: 'Basement', port: home.server.port },
          { machineIdentifier: attic.machineIdentifier, name: 'Attic', port: attic.port },
        ],
      });
    });
    afterAll(async () => {
      await gdm?.close();
      await attic?.close();
    });

    it('without a terminal: exit 2 listing both, and nothing diagnosed', async () => {
      const result = await sandbox.run([...home.networkArgs(), '--gdm-target', gdmTarget(gdm), '--token', home.token]);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('plex-diagnose: several Plex servers answered; pass --url with one of them:\n');
      expect(result.stderr).toContain(`  1. Basement at ${home.server.url}\n`);
      expect(result.stderr).toContain(`  2. Attic at ${attic.url}\n`);
      expect(result.code).toBe(2);
      expect(attic.requests).toEqual([]);
      expectNoToken(result);
    });

    it.skipIf(!hasScript())('on a terminal: asks which one and diagnoses the choice', async () => {
      const result = await runCliInTerminal(
        [...home.networkArgs({ plexTv: false }), '--gdm-target', gdmTarget(gdm), '--no-plextv', '--json'],
        {
          env: sandbox.env(),
          onSpawn: (child) => {
            // Answer once the question is on the terminal.
            let seen = '';
            child.stdout!.on('data', (chunk: Buffer) => {
              seen += chunk.toString();
              if (seen.includes('Which one? [1-2]') && !seen.includes('\u0000answered')) {
                seen += '\u0000answered';
                child.stdin!.write('2\r');
              }
            });
          },
        },
      );
      expect(result.stdout).toContain('Several Plex servers answered on this network:');
      expect(result.stdout).toContain(`server: ${attic.url} (found by GDM)`);
      // Without plex.tv nothing decides reachability from outside: inconclusive (4), never a problem or a usage error.
      expect(result.stdout).toContain('"status": "inconclusive"');
      expect(result.code).toBe(4);
      expect(attic.requests.some((r) => r.path === '/identity')).toBe(true);
    });
  });

  it('with no GDM answer: falls back to http://127.0.0.1:32400, and says so', async () => {
    const silent = await startFakeGdm({ servers: [] });
    try {
      const result = await sandbox.run(['--gdm-target', gdmTarget(silent), '--no-plextv', '--timeout', '1s', '--json']);
      expect(silent.searches).toBeGreaterThan(0);
      expect(result.stderr).toContain('server: http://127.0.0.1:32400 (default: no --url and no GDM answer)\n');
      expect(parseReport(result.stdout).target.url).toBe('http://127.0.0.1:32400');
    } finally {
      await silent.close();
    }
  });
});

describe.concurrent('the token', () => {
  const tokenRun = (extra: string[] = [], env: Record<string, string | undefined> = {}, box = sandbox) =>
    box.run(home.args(['--json', ...extra]), { env });

  it('--token', async () => {
    const result = await tokenRun(['--token', home.token]);
    expect(result.stderr).toContain('token: from --token\n');
    expect(parseReport(result.stdout).context.tokenProvided).toBe(true);
    expect(result.code).toBe(0);
    expectNoToken(result);
  });

  it('PLEX_TOKEN, when there is no --token; --token wins over it', async () => {
    const fromEnv = await tokenRun([], { PLEX_TOKEN: home.token });
    expect(fromEnv.stderr).toContain('token: from PLEX_TOKEN\n');
    expect(
      parseReport(fromEnv.stdout).checks.filter((c) => c.status === 'not-checked' && /^needs /.test(c.reason ?? '')),
    ).toEqual([]);
    expectNoToken(fromEnv);
    // An empty --token (an unset variable in a script) is a usage error, not a silent fall-through to PLEX_TOKEN.
    const emptyFlag = await tokenRun(['--token', ''], { PLEX_TOKEN: home.token });
    expect(emptyFlag.code).toBe(2);
    expect(emptyFlag.stderr).toMatch(/--token is empty \(an unset variable\?\)/);
    expectNoToken(emptyFlag);
    const wrongEnv = distinctiveToken();
    const flagWins = await tokenRun(['--token', home.token], { PLEX_TOKEN: wrongEnv });
    expect(flagWins.stderr).toContain('token: from --token\n');
    expectNoToken(flagWins, wrongEnv);
  });

  it('the login config file, after PLEX_TOKEN', async () => {
    const box = await createSandbox();
    try {
      await mkdir(box.configDir, { recursive: true, mode: 0o700 });
      await writeFile(
        join(box.configDir, 'config.json'),
        JSON.stringify({ clientIdentifier: 'cli-test', token: home.token }),
        { mode: 0o600 },
      );
      const result = await tokenRun([], {}, box);
      expect(result.stderr).toContain(`token: from the login config (${join(box.configDir, 'config.json')})\n`);
      expect(parseReport(result.stdout).context.tokenProvided).toBe(true);
      expect(result.code).toBe(0);
      expectNoToken(result);
      const envWins = await tokenRun([], { PLEX_TOKEN: home.token }, box);
      expect(envWins.stderr).toContain('token: from PLEX_TOKEN\n');
    } finally {
      await box.cleanup();
    }
  });

  it("the server's own Preferences.xml (PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR), after the config", async () => {
    const box = await createSandbox();
    try {
      const file = await writePreferences(box, {
        MachineIdentifier: home.server.machineIdentifier,
        PlexOnlineToken: home.token,
        PlexOnlineUsername: 'plexowner',
      });
      const result = await tokenRun([], {}, box);
      expect(result.stderr).toContain(`token: from the server's preferences (${file})\n`);
      const report = parseReport(result.stdout);
      expect(report.context.tokenProvided).toBe(true);
      expect(report.checks.filter((c) => c.status === 'not-checked' && /^needs /.test(c.reason ?? ''))).toEqual([]);
      expect(result.code).toBe(0);
      expectNoToken(result);
    } finally {
      await box.cleanup();
    }
  });

  it('a Preferences.xml token is not sent to another server than the one it belongs to', async () => {
    // A home of its own: no other test's requests to tell apart from this run's.
    const [box, other] = await Promise.all([createSandbox(), startHome()]);
    try {
      const otherId = 'a'.repeat(40);
      const file = await writePreferences(box, { MachineIdentifier: otherId, PlexOnlineToken: other.token });
      const result = await box.run(other.args(['--json']));
      expect(result.stderr).toContain(
        `${file}: its token belongs to server ${otherId}, and ${other.server.url} is server ${other.server.machineIdentifier}: not sent there`,
      );
      expect(parseReport(result.stdout).context.tokenProvided).toBe(false);
      expect(other.server.requests.length).toBeGreaterThan(0);
      expect(other.server.requests.filter((r) => r.hadToken)).toEqual([]);
      expectNoToken(result, other.token);
    } finally {
      await Promise.all([box.cleanup(), other.close()]);
    }
  });

  it('none: the token-free checks run, and the output says what was skipped and why', async ({ onTestFinished }) => {
    // A home of its own: every request it sees is this test's. The config file as any earlier run leaves it: a client
    // identifier and no token (not logged in is not a reason of its own).
    const [box, bare] = await Promise.all([createSandbox(), startHome()]);
    onTestFinished(() => bare.close());
    await mkdir(box.configDir, { recursive: true, mode: 0o700 });
    await writeFile(join(box.configDir, 'config.json'), JSON.stringify({ clientIdentifier: 'cli-test' }), {
      mode: 0o600,
    });
    const text = await box.run(bare.args(['--no-color'])).finally(() => box.cleanup());
    expect(text.stderr).toContain(
      'no token found (no --token, no PLEX_TOKEN, no login, no readable Preferences.xml): running the checks that need none; `plex-diagnose login` gets one\n',
    );
    // The path picture and the checks that ran, then the groups that could not run, with the reason.
    expect(text.stdout).toMatch(
      /\[\?\] Remote access \.+ (\d+ checks? passed, \d+ )?not checked: needs server\.prefs, which was skipped: no token/,
    );
    expect(text.stdout).toMatch(/Inconclusive: .*\d+ checks decided: \d+ passed, 0 failed, \d+ not checked/);
    expect(bare.server.requests.length).toBeGreaterThan(0);
    expect(bare.server.requests.every((r) => !r.hadToken)).toBe(true);

    const json = await sandbox.run(bare.args(['--json']));
    const report = parseReport(json.stdout);
    expect(report.context.tokenProvided).toBe(false);
    const skipped = report.checks.filter((c) => c.status === 'not-checked' && /^needs /.test(c.reason ?? ''));
    expect(skipped.length).toBeGreaterThan(0);
    for (const check of skipped) expect(check.reason).toMatch(/no token/);
    expect(report.checks.filter((c) => c.status === 'passed').length).toBeGreaterThan(0);
    // Issue 12: without a token Plex's own check cannot be read, so "no problems" is not proven: inconclusive, exit 4.
    expect(report.verdict.status).toBe('inconclusive');
    expect(json.code).toBe(4);
  });

  it('a token the server rejects: the finding says so, and that token is not printed either', async () => {
    const wrong = distinctiveToken();
    const result = await sandbox.run(home.args(['--token', wrong, '--no-color']));
    expect(result.stdout).toMatch(/token-rejected/);
    expect(result.code).toBe(1);
    expectNoToken(result, wrong);
  });
});
