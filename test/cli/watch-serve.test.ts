/**
 * `watch --serve` as users run it (the built CLI): beyond loopback it refuses to start without --serve-auth; with it,
 * the startup line says auth is required and the API answers only with the credentials; a damaged --history file is
 * one line on stderr and the page goes on with live state only. The browser test (test/browser) covers the page itself.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type CliSandbox } from './helpers/run-cli.js';
import { startHome, type Home } from './helpers/home.js';

let sandbox: CliSandbox;
let home: Home;
beforeAll(async () => {
  sandbox = await createSandbox();
  home = await startHome({ ispBlockedPorts: [32400] });
});
afterAll(async () => {
  await home?.close();
  await sandbox?.cleanup();
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.concurrent('watch --serve', () => {
  it('refuses to listen beyond loopback without --serve-auth', async () => {
    const result = await sandbox.run(['watch', '--url', home.server.url, '--serve', '0.0.0.0:0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--serve 0.0.0.0:0 listens beyond this machine: add --serve-auth FILE');
  });

  it('with --serve-auth, says so at startup and answers only with the credentials', async () => {
    const authFile = join(sandbox.dir, 'serve-auth');
    await writeFile(authFile, 'owner:a-long-page-password\n');
    let child: ChildProcess | undefined;
    let stderr = '';
    const finished = sandbox.run(
      [
        'watch',
        ...home.networkArgs(),
        '--url',
        home.server.url,
        '--interval',
        '1s',
        '--serve',
        '127.0.0.1:0',
        '--serve-auth',
        authFile,
        '--history',
        join(sandbox.dir, 'auth-history.sqlite'),
      ],
      {
        env: { PLEX_TOKEN: home.token },
        timeoutMs: 60_000,
        onSpawn: (spawned) => {
          child = spawned;
          spawned.stderr!.on('data', (chunk: Buffer | string) => (stderr += chunk.toString()));
        },
      },
    );
    const base = await waitFor(
      () => /status page on (http:\/\/[^/]+)\/ \(basic auth from .+ required\)/.exec(stderr)?.[1],
    );
    expect((await fetch(`${base}/api/status`)).status).toBe(401);
    const authorization = `Basic ${Buffer.from('owner:a-long-page-password').toString('base64')}`;
    let report: { schemaVersion: number; target: { url?: string } } | undefined;
    for (const deadline = Date.now() + 40_000; !report && Date.now() < deadline;) {
      const reply = await fetch(`${base}/api/status`, { headers: { authorization } });
      if (reply.status === 200) report = (await reply.json()) as { schemaVersion: number; target: { url?: string } };
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // The report itself is the watch's (its rules are covered by watch.test.ts); here: it is served, with auth.
    expect(report).toMatchObject({ schemaVersion: 1, target: { url: home.server.url } });
    const page = await (await fetch(`${base}/`, { headers: { authorization } })).text();
    expect(page).not.toContain(home.token);
    expect(page).not.toContain('a-long-page-password');
    child!.kill('SIGINT');
    const result = await finished;
    expect(result.code).toBe(0);
  }, 90_000);

  it('a damaged --history file is one line, and the page goes on with live state only', async () => {
    const history = join(sandbox.dir, 'damaged.sqlite');
    await writeFile(history, Buffer.alloc(8192, 0x41));
    const result = await sandbox.run(
      [
        'watch',
        ...home.networkArgs(),
        '--url',
        home.server.url,
        '--interval',
        '1s',
        '--max-runs',
        '2',
        '--serve',
        '127.0.0.1:0',
        '--history',
        history,
      ],
      { env: { PLEX_TOKEN: home.token }, timeoutMs: 60_000 },
    );
    expect(result.code).toBe(0);
    const lines = result.stderr.split('\n').filter((line) => line.includes('damaged'));
    expect(lines).toEqual([
      `history ${history} is damaged (file is not a database); move it away to start a new one; showing live state only`,
    ]);
    expect(result.stderr).toMatch(/status page on http:\/\/127\.0\.0\.1:\d+\/ \(loopback only, no auth\); history off/);
    expect(result.stdout).toContain('run 2:');
  }, 90_000);
});
