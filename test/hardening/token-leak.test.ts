/**
 * For random tokens (Plex's own alphabet and lengths, and nasty ones full of regex metacharacters), the token never
 * appears in any CLI output (text, --json, --markdown, --verbose, collect's snapshot) or on stderr, nor in a library
 * error, its cause chain or its JSON, across three setups: everything healthy; hostile servers that reflect the token
 * back (in error bodies, in a cross-origin redirect's Location, in plex.tv's error messages, in a device's accessToken
 * and connection URI); and a token both servers reject.
 *
 * The CLI runs in process (`main()` with captured streams); every LAN probe is pointed at a closed loopback port, so
 * a run takes well under a second and no packet leaves the machine.
 */
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createPlexTvClient } from '../../src/clients/plextv/client.js';
import { createServerClient } from '../../src/clients/server/client.js';
import { startFakePlexServer, type FakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { startFakePlexTv, type FakePlexTv } from '../../src/testing/fake-plex-tv/index.js';
import { startLoopbackServer, type LoopbackServer } from '../../src/testing/http-server.js';
import { deviceValue } from '../../src/testing/observations.js';

const CLOSED = '127.0.0.1:9';
const PLEX_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';
const METACHARACTERS = '.*+?^${}()|[]\\/&=%#"\'<>:;,~!@`';

/** Plex tokens are 20 characters of [A-Za-z0-9_-]; lengths around it too. */
const realistic = fc.string({ unit: fc.constantFrom(...PLEX_ALPHABET), minLength: 12, maxLength: 40 });
/** A distinctive core with metacharacters spread through it (a bare "--------" would also match the text's rules). */
const nasty = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...PLEX_ALPHABET), minLength: 8, maxLength: 16 }),
    fc.array(fc.constantFrom(...METACHARACTERS), { minLength: 3, maxLength: 10 }),
  )
  .map(([core, metas]) =>
    metas.reduce(
      (token, meta, i) =>
        token.slice(0, (i * 3) % (token.length + 1)) + meta + token.slice((i * 3) % (token.length + 1)),
      core,
    ),
  );
const token = fc.oneof(realistic, nasty);

type Setup = 'healthy' | 'hostile' | 'rejected';

interface Run {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
}

let sandbox: string;
let elsewhere: LoopbackServer;
/** Requests the other origin received, and how many carried a token header. */
const redirected = { requests: 0, withToken: 0 };
beforeAll(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'pd-leak-'));
  // Where a hostile server redirects to: another origin, which must never see the token either.
  elsewhere = await startLoopbackServer((request, response) => {
    redirected.requests++;
    if (request.headers['x-plex-token']) redirected.withToken++;
    response.writeHead(401).end();
  });
});
afterAll(async () => {
  await elsewhere?.close();
  await rm(sandbox, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 15_000);
  try {
    const code = await main(args, {
      stdout: new PassThrough().on('data', (chunk: Buffer) => (stdout += chunk.toString())),
      stderr: new PassThrough().on('data', (chunk: Buffer) => (stderr += chunk.toString())),
      stdin: Readable.from([]),
      env: {
        PATH: process.env.PATH,
        HOME: sandbox,
        PLEX_DIAGNOSE_CONFIG_DIR: join(sandbox, 'config'),
        PLEX_DIAGNOSE_PLEXTV_URL: `http://${CLOSED}`,
      },
      cwd: sandbox,
      signal: controller.signal,
    });
    return { args, code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** The forms a token could take in text: as is, URL-encoded, and escaped inside a JSON string. */
const forms = (secret: string): string[] => [
  ...new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]),
];

function expectNoToken(text: string, secret: string, where: string): void {
  for (const form of forms(secret)) {
    if (text.includes(form))
      throw new Error(
        `the token (as ${JSON.stringify(form)}) appears in ${where}:\n${text.slice(Math.max(0, text.indexOf(form) - 200), text.indexOf(form) + 200)}`,
      );
  }
}

/** Every string inside parsed JSON output, keys included (a JSON-escaped token would hide from a text search). */
function jsonStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(jsonStrings);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => [key, ...jsonStrings(item)]);
  return [];
}

async function startSetup(
  secret: string,
  setup: Setup,
): Promise<{ server: FakePlexServer; plexTv: FakePlexTv; close(): Promise<void> }> {
  const accepted = setup === 'rejected' ? `other-${secret}` : secret;
  const server = await startFakePlexServer({ token: accepted });
  const plexTv = await startFakePlexTv({
    tokens: [accepted],
    devices: [
      deviceValue({
        clientIdentifier: server.machineIdentifier,
        // The owner's own server lists the owner's token as its accessToken; a hostile one puts it in the URI too.
        accessToken: secret,
        connections: [
          {
            address: '127.0.0.1',
            port: server.port,
            local: true,
            protocol: 'http',
            uri: setup === 'hostile' ? `${server.url}/?X-Plex-Token=${encodeURIComponent(secret)}` : server.url,
          },
        ],
      }),
    ],
  });
  if (setup === 'hostile') {
    const reflected = `bad token ${secret} (X-Plex-Token: ${secret}) {"authToken":"${secret}"} ${encodeURIComponent(secret)}`;
    server.addFault({
      path: '/:/prefs',
      fault: { kind: 'status', status: 500, body: reflected, contentType: 'text/plain' },
    });
    server.addFault({
      path: '/myplex/account',
      fault: {
        kind: 'redirect',
        location: `${elsewhere.url}/myplex/account?X-Plex-Token=${encodeURIComponent(secret)}`,
      },
    });
    plexTv.setFault([
      {
        path: '/api/v2/user',
        fault: {
          kind: 'status',
          status: 401,
          contentType: 'application/json',
          body: JSON.stringify({ errors: [{ code: 1001, message: `Token ${secret} is not valid`, status: 401 }] }),
        },
      },
      { path: '/:/ip', fault: { kind: 'status', status: 502, body: `<p>upstream said ${secret}</p>` } },
    ]);
  }
  return { server, plexTv, close: async () => void (await Promise.all([server.close(), plexTv.close()])) };
}

function commandLines(server: FakePlexServer, plexTv: FakePlexTv, secret: string, setup: Setup): string[][] {
  const common = [
    '--url',
    server.url,
    `--token=${secret}`,
    '--plextv-url',
    plexTv.url,
    // Healthy and rejecting servers answer at once: long enough for five CLIs started together on a loaded 2-core
    // machine to parse the answers (a run that timed out exits 4, with less output to check); every LAN target below
    // refuses at once, so no run waits it out. Hostile servers stall on purpose, so their runs do wait it out.
    '--timeout',
    setup === 'hostile' ? '500ms' : '2s',
    '--upnp-location',
    `http://${CLOSED}/rootDesc.xml`,
    '--natpmp-gateway',
    CLOSED,
    '--gdm-target',
    CLOSED,
  ];
  const diagnose = ['diagnose', ...common, '--no-color'];
  return [
    diagnose,
    [...diagnose, '--json'],
    [...diagnose, '--markdown'],
    [...diagnose, '--verbose'],
    ['collect', ...common],
  ];
}

describe('the token never leaks', () => {
  it.each<Setup>(['healthy', 'hostile', 'rejected'])(
    'from the CLI, in any output format or on stderr: %s servers (property)',
    async (setup) => {
      await fc.assert(
        fc.asyncProperty(token, async (secret) => {
          const fakes = await startSetup(secret, setup);
          try {
            const runs = await Promise.all(commandLines(fakes.server, fakes.plexTv, secret, setup).map(cli));
            for (const run of runs) {
              const what = `\`${run.args[0]} ${run.args.slice(-1)[0]}\``;
              // The run itself worked as a run (a report or a snapshot, exit 0 or 1), so there was output to leak into.
              expect([0, 1], `${what} exited ${run.code}: ${run.stderr}`).toContain(run.code);
              expect(run.stdout.length).toBeGreaterThan(100);
              expectNoToken(run.stdout, secret, `${what} stdout`);
              expectNoToken(run.stderr, secret, `${what} stderr`);
              if (run.args.includes('--json') || run.args[0] === 'collect')
                for (const text of jsonStrings(JSON.parse(run.stdout))) expectNoToken(text, secret, `${what} JSON`);
            }
            if (setup !== 'rejected') {
              // The token really was in use: the clients authenticated with it.
              expect(fakes.server.requests.some((r) => r.tokenValid)).toBe(true);
              expect(fakes.plexTv.requests.some((r) => r.tokenValid)).toBe(true);
            }
            if (setup === 'hostile') {
              // Every reflecting endpoint was hit, and the redirect was followed without the token.
              expect(fakes.server.requests.map((r) => r.path)).toEqual(
                expect.arrayContaining(['/:/prefs', '/myplex/account']),
              );
              expect(fakes.plexTv.requests.map((r) => r.path)).toEqual(
                expect.arrayContaining(['/api/v2/user', '/:/ip', '/api/v2/resources']),
              );
              expect(redirected.requests).toBeGreaterThan(0);
              expect(redirected.withToken).toBe(0);
            }
          } finally {
            await fakes.close();
          }
        }),
        { numRuns: setup === 'hostile' ? 15 : 10 },
      );
    },
  );

  it('from library errors: message, cause chain, JSON and inspect output, with hostile servers (property)', async () => {
    await fc.assert(
      fc.asyncProperty(token, async (secret) => {
        const fakes = await startSetup(secret, 'hostile');
        try {
          const server = createServerClient({ baseUrl: fakes.server.url, token: secret, timeoutMs: 2000 });
          const plexTv = createPlexTvClient({ baseUrl: fakes.plexTv.url, token: secret, timeoutMs: 2000 });
          const failures = await Promise.all(
            [server.prefs(), server.account(), plexTv.user(), plexTv.publicIp()].map((call) =>
              call.then(
                () => undefined,
                (error: unknown) => error,
              ),
            ),
          );
          expect(failures.every((error) => error instanceof Error)).toBe(true);
          for (const error of failures) {
            const chain: unknown[] = [];
            for (let e: unknown = error; e instanceof Error && chain.length < 10; e = e.cause) chain.push(e);
            for (const e of chain)
              expectNoToken(`${(e as Error).message}\n${String((e as Error).stack)}`, secret, 'an error or its cause');
            expectNoToken(JSON.stringify(error), secret, 'error JSON');
            expectNoToken(inspect(error, { depth: Infinity, showHidden: true }), secret, 'util.inspect(error)');
          }
        } finally {
          await fakes.close();
        }
      }),
      { numRuns: 30 },
    );
  });
});
