/**
 * Issue 15 item 7: the process lingered ~5 s after printing the report for a host name that does not resolve: the
 * getaddrinfo behind it sits in libuv's thread pool after the deadline gave up on it, and nothing can cancel it. The
 * CLI must end once the report is written, whatever is still pending. A preload makes the lookup hang for good, so a
 * CLI that waits for the event loop to drain never ends (the child's kill timeout shows it); no wall-clock assertion.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../cli/helpers/run-cli.js';

const PRELOAD = fileURLToPath(new URL('./fixtures/hanging-lookup.mjs', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pd-lingering-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('a name whose lookup never returns: the report is written and the process ends (exit 1, not killed)', async () => {
  const result = await runCli(['--url', 'http://plex-nas.invalid:32400', '--no-plextv', '--timeout', '500ms'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      PLEX_DIAGNOSE_CONFIG_DIR: join(dir, 'config'),
      NODE_OPTIONS: `--import ${PRELOAD}`,
    },
    timeoutMs: 60_000,
  });
  expect(result.signal).toBeNull();
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/server-unreachable/);
}, 90_000);
