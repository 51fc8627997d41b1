/**
 * `login`: the plex.tv PIN flow against the fake plex.tv. The link and the code are printed, the token is stored in
 * the config file (0600, in a 0700 folder) and never printed; the next run finds it there. An expired code or nobody
 * signing in in time → exit 1, nothing stored.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePlexTv } from '../../src/testing/index.js';
import { createSandbox, waitForOutput, type CliSandbox } from './helpers/run-cli.js';
import { distinctiveToken, startHome, type Home } from './helpers/home.js';
import { parseReport } from './helpers/report-shape.js';

let home: Home;
beforeAll(async () => {
  // plex.tv links a pin on its second poll, with the home's token (the one its fake server accepts).
  home = await startHome({ plexTv: { pinAuthorizeAfterPolls: 1 } });
});
afterAll(() => home?.close());

const stored = (box: CliSandbox): { token?: string; clientIdentifier?: string; account?: { username?: string } } =>
  JSON.parse(readFileSync(join(box.configDir, 'config.json'), 'utf8')) as never;

describe.concurrent('login', () => {
  it('prints the link and code, waits for the sign-in, stores the token 0600 and never prints it; diagnose then uses it', async () => {
    const box = await createSandbox();
    try {
      const result = await box.run(['login', '--plextv-url', home.plexTv.url]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('');
      const link = /\n {2}(https:\/\/app\.plex\.tv\/auth#\?\S+)\n/.exec(result.stderr)?.[1];
      expect(link).toBeDefined();
      const params = new URLSearchParams(link!.split('#?')[1]);
      const code = /\(code (\w+); waiting up to 300 s, Ctrl-C to stop\)/.exec(result.stderr)?.[1];
      expect(params.get('code')).toBe(code);
      expect(result.stderr).toContain('Signed in as fake-owner. The token is stored in the config file (mode 0600)');
      expect(result.stdout + result.stderr).not.toContain(home.token);

      const file = join(box.configDir, 'config.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(box.configDir).mode & 0o777).toBe(0o700);
      const config = stored(box);
      expect(config.token).toBe(home.token);
      expect(config.account?.username).toBe('fake-owner');
      // The pin was made and polled with our stable client identifier, the one in the config.
      const pinRequests = home.plexTv.requests.filter((r) => r.path.startsWith('/api/v2/pins'));
      expect(pinRequests.length).toBeGreaterThanOrEqual(2);
      expect(new Set(pinRequests.map((r) => r.clientIdentifier))).toEqual(new Set([config.clientIdentifier]));

      const next = await box.run(home.args(['--json']));
      expect(next.stderr).toContain(`token: from the login config (${file})`);
      expect(parseReport(next.stdout).context.tokenProvided).toBe(true);
      expect(next.code).toBe(0);
      expect(next.stdout + next.stderr).not.toContain(home.token);
    } finally {
      await box.cleanup();
    }
  });

  it('takes plex.tv from PLEX_DIAGNOSE_PLEXTV_URL too', async () => {
    const token = distinctiveToken();
    const plexTv = await startFakePlexTv({ tokens: [token], pinAuthorizeAfterPolls: 1 });
    const box = await createSandbox();
    try {
      const result = await box.run(['login'], { env: { PLEX_DIAGNOSE_PLEXTV_URL: plexTv.url } });
      expect(result.code).toBe(0);
      expect(stored(box).token).toBe(token);
    } finally {
      await box.cleanup();
      await plexTv.close();
    }
  });

  it('an expired code: exit 1, says to run login again, stores no token', async () => {
    const plexTv = await startFakePlexTv({ pinExpiresAfterPolls: 1 });
    const box = await createSandbox();
    try {
      const result = await box.run(['login', '--plextv-url', plexTv.url]);
      expect(result.stderr).toContain('The code expired before anyone signed in. Run `plex-diagnose login` again.');
      expect(result.code).toBe(1);
      expect(stored(box).token).toBeUndefined();
    } finally {
      await box.cleanup();
      await plexTv.close();
    }
  });

  it('nobody signs in within --timeout: exit 1', async () => {
    const plexTv = await startFakePlexTv();
    const box = await createSandbox();
    try {
      const result = await box.run(['login', '--plextv-url', plexTv.url, '--timeout', '1s']);
      expect(result.stderr).toContain('(code ');
      expect(result.stderr).toContain('waiting up to 1 s');
      expect(result.stderr).toContain('Nobody signed in in time. Run `plex-diagnose login` again.');
      expect(result.code).toBe(1);
    } finally {
      await box.cleanup();
      await plexTv.close();
    }
  });

  it('Ctrl-C while waiting: "Login cancelled.", exit 130, nothing stored', async () => {
    const plexTv = await startFakePlexTv();
    const box = await createSandbox();
    try {
      const result = await box.run(['login', '--plextv-url', plexTv.url], {
        onSpawn: (child) => void waitForOutput(child, 'stderr', /Ctrl-C to stop\)\n/).then(() => child.kill('SIGINT')),
      });
      expect(result.stderr).toContain('Login cancelled.\n');
      expect(result.code).toBe(130);
      expect(stored(box).token).toBeUndefined();
    } finally {
      await box.cleanup();
      await plexTv.close();
    }
  });

  it('plex.tv unreachable: exit 1 with the reason, not a crash', async () => {
    const box = await createSandbox();
    try {
      const result = await box.run(['login', '--plextv-url', 'http://127.0.0.1:9']);
      expect(result.stderr).toMatch(/^plex-diagnose: .*ECONNREFUSED/m);
      expect(result.stderr).not.toContain('internal error');
      expect(result.code).toBe(1);
    } finally {
      await box.cleanup();
    }
  });
});
