/**
 * `plex-diagnose reflector` as a subprocess, and `collect`, `diagnose` and `watch` checking through it with
 * --reflector, --reflector-secret-file (or PLEX_DIAGNOSE_REFLECTOR_SECRET) and --forward-check: the snapshot records
 * a loopback reflector as `loopback-test` (never outside), the reflector logs one line per check without the secret,
 * and bad flags are usage errors (exit 2) before anything listens or connects.
 */
import { parseForwardCheck } from '../../src/cli/validate-flags.js';
import type { ChildProcess } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSnapshot } from '../../src/diagnose/diagnose.js';
import { hasOpenssl, makeTestCertificates } from '../probes/support/certs.js';
import { createSandbox, KNOWN_TOKENS, waitForOutput, type CliSandbox } from './helpers/run-cli.js';
import { startHome, type Home } from './helpers/home.js';
import { closedPort } from '../outside/helpers.js';

const SECRET = `reflector-secret-${'7'.repeat(24)}`;
KNOWN_TOKENS.add(SECRET);

let sandbox: CliSandbox;
let home: Home;
let secretFile: string;
let reflector: {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  done: Promise<{ code: number | null; stderr: string }>;
};

async function startReflectorCli(args: string[], env: Record<string, string> = {}) {
  let child!: ChildProcess;
  let stderr = '';
  const done = sandbox.run(['reflector', ...args], {
    env,
    // The process lives as long as the file's tests (a bound, not a speed target): 2 minutes was seen to run out under load.
    timeoutMs: 300_000,
    onSpawn: (spawned) => {
      child = spawned;
      spawned.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    },
  });
  const seen = await waitForOutput(child, 'stderr', /reflector listening on (\S+?)[;\s]/);
  const url = /reflector listening on (\S+?)[;\s]/.exec(seen)![1]!;
  return { child, url, stderr: () => stderr, done };
}

beforeAll(async () => {
  sandbox = await createSandbox();
  home = await startHome();
  secretFile = join(sandbox.dir, 'reflector.secret');
  writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  reflector = await startReflectorCli(['--listen', '127.0.0.1:0', '--secret-file', secretFile]);
});
afterAll(async () => {
  reflector?.child.kill('SIGTERM');
  await reflector?.done.catch(() => undefined);
  await home?.close();
  await sandbox?.cleanup();
});

describe('reflector with collect, diagnose and watch', () => {
  it("collect --reflector --reflector-secret-file --forward-check: probe.outside sees this server's identity, as loopback-test", async () => {
    const port = home.server.port;
    const result = await sandbox.run([
      'collect',
      ...home.args(['--token', home.token]),
      ...['--reflector', reflector.url, '--reflector-secret-file', secretFile, '--forward-check', `${port}/plex`],
    ]);
    expect(result.code, result.stderr).toBe(0);
    const observation = readSnapshot(result.stdout).observations['probe.outside'];
    expect(observation?.status, JSON.stringify(observation)).toBe('ok');
    const value = (observation as { value: { ports: { port: number }[] } & Record<string, unknown> }).value;
    expect(value).toMatchObject({ vantage: 'loopback-test', outside: false, sourceSeen: { address: '127.0.0.1' } });
    const forward = value.ports.find((p) => p.port === port);
    expect(forward).toMatchObject({ role: 'forward', tcp: { state: 'open' }, identityMatches: true });
    expect(result.stdout).not.toContain(SECRET);
    expect(reflector.stderr()).toMatch(new RegExp(`127\\.0\\.0\\.1 check \\d+:\\w+,${port}:open`));
    expect(reflector.stderr()).not.toContain(SECRET);
  });

  it('diagnose --reflector with the secret from PLEX_DIAGNOSE_REFLECTOR_SECRET', async () => {
    const before = reflector
      .stderr()
      .split('\n')
      .filter((l) => l.includes(' check ')).length;
    const result = await sandbox.run(
      [...home.args(['--token', home.token, '--reflector', reflector.url, '--forward-check', '9', '--json'])],
      { env: { PLEX_DIAGNOSE_REFLECTOR_SECRET: SECRET } },
    );
    expect([0, 1]).toContain(result.code);
    expect(JSON.parse(result.stdout)).toHaveProperty('summary.status');
    const after = reflector
      .stderr()
      .split('\n')
      .filter((l) => l.includes(' check ')).length;
    expect(after).toBe(before + 1);
  });

  it("watch --reflector checks from outside each run (and 'watch' refuses a short secret)", async () => {
    const before = reflector
      .stderr()
      .split('\n')
      .filter((l) => l.includes(' check ')).length;
    const result = await sandbox.run(
      [
        'watch',
        ...home.args(['--token', home.token, '--reflector', reflector.url, '--reflector-secret-file', secretFile]),
        '--max-runs',
        '1',
        '--json',
      ],
      { timeoutMs: 60_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    const after = reflector
      .stderr()
      .split('\n')
      .filter((l) => l.includes(' check ')).length;
    expect(after).toBe(before + 1);
    const short = await sandbox.run(['watch', ...home.args(['--reflector', reflector.url]), '--max-runs', '1'], {
      env: { PLEX_DIAGNOSE_REFLECTOR_SECRET: 'too-short' },
    });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/too short/);
  });

  it('watch --forward-check =name and --forward ext:host:port=name: one forward-broken alert for the closed one, with its cause', async () => {
    // A reflector of its own: the shared one's rate budget (4, then 1 per 15 s) belongs to the other tests.
    const own = await startReflectorCli(['--listen', '127.0.0.1:0', '--secret-file', secretFile]);
    const open = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => open.listen(0, '127.0.0.1', resolve));
    const openPort = (open.address() as AddressInfo).port;
    const closed = await closedPort();
    try {
      const result = await sandbox.run(
        [
          'watch',
          ...home.args(['--token', home.token, '--reflector', own.url, '--reflector-secret-file', secretFile]),
          ...['--forward-check', `${openPort}=web`, '--forward', `${closed}:127.0.0.1:${closed}=ssh`],
          ...['--debounce', '1', '--max-runs', '1', '--json'],
        ],
        { timeoutMs: 60_000 },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`monitoring 2 forward(s) from outside: port ${openPort} (web), port ${closed}`);
      const alerts = result.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; kind?: string; forward?: Record<string, unknown> })
        .filter((line) => line.type === 'alert' && line.kind?.startsWith('forward-'));
      expect(alerts).toEqual([
        expect.objectContaining({
          kind: 'forward-broken',
          forward: expect.objectContaining({
            externalPort: closed,
            target: `127.0.0.1:${closed}`,
            label: 'ssh',
            seen: 'refused',
            cause: 'host-down',
          }),
        }),
      ]);
    } finally {
      open.close();
      own.child.kill('SIGTERM');
      await own.done.catch(() => undefined);
    }
  });

  it('a wrong secret: the run goes on, the outside check failed and says the reflector refused', async () => {
    const wrong = join(sandbox.dir, 'wrong.secret');
    writeFileSync(wrong, 'w'.repeat(40), { mode: 0o600 });
    const result = await sandbox.run([
      'collect',
      ...home.args(['--reflector', reflector.url, '--reflector-secret-file', wrong, '--only', 'port-forwarding']),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(readSnapshot(result.stdout).observations['probe.outside']).toMatchObject({
      status: 'failed',
      error: { code: 'EREFLECTOR_UNAUTHORIZED' },
    });
    expect(reflector.stderr()).toMatch(/127\.0\.0\.1 refused 401 unauthorized/);
  });
});

describe('usage errors (exit 2)', () => {
  it.each([
    [['collect', '--forward-check', '443'], /--forward-check needs --reflector/],
    [['collect', '--reflector-secret-file', 'x'], /goes with --reflector/],
    [['collect', '--reflector', 'ftp://x', '--forward-check', '443'], /--reflector .* is not an http\(s\) URL/],
    [['collect', '--reflector', 'http://127.0.0.1:9', '--forward-check', '70000'], /must be a port/],
    [['collect', '--reflector', 'http://127.0.0.1:9', '--forward-check', '443/ssh'], /must be a port/],
    [['collect', '--reflector', 'http://127.0.0.1:9', '--forward-check', '443', '--forward-check', '443'], /twice/],
    [['collect', '--reflector', 'http://127.0.0.1:9'], /a shared secret is needed/],
    [['watch', '--reflector', 'http://127.0.0.1:9', '--forward-check', '443=<b>'], /the name after = must be/],
    [['watch', '--reflector', 'http://127.0.0.1:9', '--forward', '443:192.168.1.2:443='], /the name after = must be/],
    [['reflector', '--secret-file', 'x'], /needs --listen/],
    [['reflector', '--listen', 'example.com:80'], /must be <ip>:<port>/],
    [['reflector', '--listen', '127.0.0.1:0', '--tls-cert', 'c.pem'], /go together/],
    [['reflector', '--listen', '127.0.0.1:0', '--secret-file', '/nonexistent/secret'], /cannot read --secret-file/],
  ])('%j', async (args, message) => {
    const result = await sandbox.run(args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe.skipIf(!hasOpenssl())('reflector --tls-cert --tls-key', () => {
  it('serves HTTPS and refuses an unsigned request there; SIGTERM stops it with exit 0', async () => {
    const certs = makeTestCertificates('0123456789abcdef0123456789abcdef');
    try {
      const cert = join(sandbox.dir, 'cert.pem');
      const key = join(sandbox.dir, 'key.pem');
      writeFileSync(cert, certs.wildcard.cert);
      writeFileSync(key, certs.wildcard.key, { mode: 0o600 });
      const tls = await startReflectorCli(['--listen', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', key], {
        PLEX_DIAGNOSE_REFLECTOR_SECRET: SECRET,
      });
      expect(tls.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest(`${tls.url}/v1/check`, { method: 'POST', rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end('{}');
      });
      expect(status).toBe(415);
      tls.child.kill('SIGTERM');
      const done = await tls.done;
      expect(done.code).toBe(0);
      expect(done.stderr).toContain('reflector stopped');
    } finally {
      certs.cleanup();
    }
  });
});

describe('--forward-check values', () => {
  it.each([
    ['22', { port: 22 }],
    ['443/tls', { port: 443, tls: true }],
    ['32401/plex', { port: 32401, tls: true, identity: 'http' }],
    // A front door (reverse proxy, tunnel) that speaks only TLS: /identity through the handshake.
    ['443/https', { port: 443, tls: true, identity: 'https' }],
    [' 8443/HTTPS ', { port: 8443, tls: true, identity: 'https' }],
  ])('%j', (text, expected) => {
    expect(parseForwardCheck(text)).toEqual(expected);
  });

  it.each(['443/http', '443/https/x', 'https', '0/https'])('refuses %j', (text) => {
    expect(() => parseForwardCheck(text)).toThrow(/optionally \/tls, \/plex or \/https/);
  });
});
