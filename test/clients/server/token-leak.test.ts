import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerClient, type ServerClient } from '../../../src/clients/server/client.js';
import type { FakeFault } from '../../../src/testing/faults.js';
import { startFakePlexServer, type FakePlexServer } from '../../../src/testing/fake-plex-server/index.js';

// Distinctive, and URL-safe so that it would appear verbatim in a URL too.
const TOKEN = 'LEAKCANARY-7q2Zx9Wv4Kp1';

let fake: FakePlexServer;
let xmlFake: FakePlexServer;
let elsewhere: FakePlexServer;
beforeAll(async () => {
  // One server per format so the two run side by side (faults are per server).
  [fake, xmlFake, elsewhere] = await Promise.all([
    startFakePlexServer({ token: TOKEN }),
    startFakePlexServer({ token: TOKEN }),
    startFakePlexServer({ token: TOKEN }),
  ]);
});
afterAll(async () => {
  await Promise.all([fake.close(), xmlFake.close(), elsewhere.close()]);
});

const ENDPOINTS: [string, (c: ServerClient) => Promise<unknown>][] = [
  ['identity', (c) => c.identity()],
  ['root', (c) => c.root()],
  ['prefs', (c) => c.prefs()],
  ['pref', (c) => c.pref('ManualPortMappingPort')],
  ['setPrefs', (c) => c.setPrefs({ RelayEnabled: true })],
  ['account', (c) => c.account()],
  ['refreshReachability', (c) => c.refreshReachability()],
];

const SEND_ONLY = new Set(['setPrefs', 'refreshReachability']);

const FAULTS = (): FakeFault[] => [
  { kind: 'status', status: 500 },
  { kind: 'status', status: 401 },
  { kind: 'status', status: 403 },
  // Servers and proxies that echo the request back, token and all.
  {
    kind: 'status',
    status: 500,
    contentType: 'application/json',
    body: JSON.stringify({ error: 'boom', url: `/?X-Plex-Token=${TOKEN}`, token: TOKEN }),
  },
  { kind: 'status', status: 400, contentType: 'text/plain', body: `bad request for token ${TOKEN}` },
  { kind: 'html' },
  { kind: 'malformed' },
  { kind: 'truncated' },
  { kind: 'endless' },
  { kind: 'trickle-headers' },
  { kind: 'hang' },
  { kind: 'reset' },
  { kind: 'huge', bytes: 20_000_000 },
  { kind: 'redirect', location: `/?X-Plex-Token=${TOKEN}&again=1` },
  { kind: 'redirect', location: `${elsewhere.url}/` },
];

/** Everything an error exposes: message, url, stack, cause chain (walked), JSON form and a deep inspect. */
function errorText(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: 20, showHidden: true }), JSON.stringify(error)];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 20; depth++) {
    const record = current as Error & { url?: unknown; bodyExcerpt?: unknown };
    parts.push(current.message, String(current.stack), String(record.url), String(record.bodyExcerpt));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

describe('the token never leaks', () => {
  it('from any endpoint result (both formats)', async () => {
    for (const format of ['json', 'xml'] as const) {
      const client = createServerClient({ baseUrl: fake.url, token: TOKEN, format, timeoutMs: 2000 });
      for (const [name, call] of ENDPOINTS) {
        const result = await call(client);
        expect(inspect(result, { depth: 20 }), name).not.toContain(TOKEN);
        expect(JSON.stringify(result) ?? '', name).not.toContain(TOKEN);
      }
    }
  });

  it('from any error of any endpoint under any fault (both formats)', async () => {
    let errors = 0;
    const succeeded: string[] = [];
    const runFormat = async (format: 'json' | 'xml', server: FakePlexServer): Promise<void> => {
      const client = createServerClient({ baseUrl: server.url, token: TOKEN, format, timeoutMs: 150 });
      for (const fault of FAULTS()) {
        for (const [name, call] of ENDPOINTS) {
          server.setFault({ fault, times: fault.kind === 'redirect' ? 1 : undefined });
          const outcome = await call(client).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
          const label = `${format} ${fault.kind} ${name}`;
          if ('error' in outcome) {
            errors++;
            expect(errorText(outcome.error), label).not.toContain(TOKEN);
          } else {
            succeeded.push(`${fault.kind} ${name}`);
            expect(JSON.stringify(outcome.value) ?? '', label).not.toContain(TOKEN);
          }
        }
      }
      server.setFault(undefined);
    };
    await Promise.all([runFormat('json', fake), runFormat('xml', xmlFake)]);
    // Only these succeed: the GETs through the same-origin redirect (the second hop is a normal answer; the PUTs land
    // on `PUT /`, a 404), and the PUTs under a malformed 200 payload, whose body the client does not read.
    const expected = [
      ...ENDPOINTS.filter(([name]) => !SEND_ONLY.has(name)).map(([name]) => `redirect ${name}`),
      ...[...SEND_ONLY].map((name) => `malformed ${name}`),
    ];
    expect([...new Set(succeeded)].sort()).toEqual(expected.sort());
    expect(errors).toBe(2 * FAULTS().length * ENDPOINTS.length - succeeded.length);
    expect(succeeded).toHaveLength(2 * expected.length);
    // The fakes record whether a token came, never its value.
    for (const server of [fake, xmlFake, elsewhere]) expect(JSON.stringify(server.requests)).not.toContain(TOKEN);
  }, 60_000);

  it('from a bad base URL or a refused connection', async () => {
    expect(() => createServerClient({ baseUrl: `http://127.0.0.1:1/?X-Plex-Token=${TOKEN}`, token: TOKEN })).toThrow();
    try {
      createServerClient({ baseUrl: `http://${TOKEN}@127.0.0.1:1/`, token: TOKEN });
    } catch (error) {
      expect(errorText(error)).not.toContain(TOKEN);
    }
    const error = await createServerClient({ baseUrl: 'http://127.0.0.1:1', token: TOKEN, timeoutMs: 500 })
      .root()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(errorText(error)).not.toContain(TOKEN);
  });
});
