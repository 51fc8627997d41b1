import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  AuthError,
  BodyTooLargeError,
  DecodeError,
  HttpError,
  NetworkError,
  TimeoutError,
} from '../../../src/core/errors.js';
import { createServerClient, type ServerClient } from '../../../src/clients/server/client.js';
import type { FakeFault } from '../../../src/testing/faults.js';
import { startFakePlexServer, type FakePlexServer } from '../../../src/testing/fake-plex-server/index.js';
import { startLoopbackServer } from '../../../src/testing/http-server.js';

const TOKEN = 'fault-test-token-81d3e0';
const DEADLINE_MS = 250;

let fake: FakePlexServer;
beforeAll(async () => {
  fake = await startFakePlexServer({ token: TOKEN });
});
afterEach(() => {
  fake.setFault(undefined);
  fake.setLatency(0);
});
afterAll(() => fake.close());

const client = (format: 'json' | 'xml', extra: { signal?: AbortSignal; timeoutMs?: number } = {}): ServerClient =>
  createServerClient({ baseUrl: fake.url, token: TOKEN, format, timeoutMs: DEADLINE_MS, ...extra });

/** Runs a call and returns its error and how long it took to fail (only ever checked against a generous bound). */
async function failure(call: () => Promise<unknown>): Promise<{ error: unknown; elapsedMs: number }> {
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    return { error, elapsedMs: performance.now() - started };
  }
  throw new Error('expected the call to fail');
}

type Check = (error: unknown, format: 'json' | 'xml') => void;
const FAULTS: [string, FakeFault, Check][] = [
  [
    'status 500',
    { kind: 'status', status: 500 },
    (e) => {
      expect(e).toBeInstanceOf(HttpError);
      expect(e).not.toBeInstanceOf(AuthError);
      expect((e as HttpError).status).toBe(500);
    },
  ],
  [
    'status 401',
    { kind: 'status', status: 401 },
    (e) => {
      expect(e).toBeInstanceOf(AuthError);
      expect((e as AuthError).message).toContain('token missing or invalid');
    },
  ],
  [
    'status 403',
    { kind: 'status', status: 403 },
    (e) => {
      expect(e).toBeInstanceOf(AuthError);
      expect((e as AuthError).status).toBe(403);
    },
  ],
  [
    'html (captive portal)',
    { kind: 'html' },
    (e) => {
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).reason).toBe('html');
    },
  ],
  [
    'malformed',
    { kind: 'malformed' },
    (e, format) => {
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).reason).toBe(format === 'json' ? 'malformed-json' : 'malformed-xml');
    },
  ],
  // The server declares a Content-Length, sends part of it and closes: undici reports the socket closed mid-body.
  [
    'truncated',
    { kind: 'truncated' },
    (e) => {
      expect(e).toBeInstanceOf(NetworkError);
      expect((e as NetworkError).phase).toBe('response');
    },
  ],
  [
    'endless body',
    { kind: 'endless' },
    (e) => {
      expect(e).toBeInstanceOf(TimeoutError);
      expect((e as TimeoutError).stage).toBe('body');
    },
  ],
  [
    'trickling headers',
    { kind: 'trickle-headers' },
    (e) => {
      expect(e).toBeInstanceOf(TimeoutError);
      expect((e as TimeoutError).stage).toBe('headers');
    },
  ],
  [
    'hang',
    { kind: 'hang' },
    (e) => {
      expect(e).toBeInstanceOf(TimeoutError);
      expect((e as TimeoutError).stage).toBe('headers');
      expect((e as TimeoutError).timeoutMs).toBe(DEADLINE_MS);
    },
  ],
  [
    'reset',
    { kind: 'reset' },
    (e) => {
      expect(e).toBeInstanceOf(NetworkError);
      expect((e as NetworkError).phase).toBe('request');
    },
  ],
  [
    'huge (20 MB)',
    { kind: 'huge', bytes: 20_000_000 },
    (e) => {
      expect(e).toBeInstanceOf(BodyTooLargeError);
      expect((e as BodyTooLargeError).limitBytes).toBe(8 * 1024 * 1024);
    },
  ],
];

describe.each(['json', 'xml'] as const)('each fault gives its typed error within the deadline (%s)', (format) => {
  it.each(FAULTS)('%s', async (_name, fault, check) => {
    fake.setFault({ fault });
    // A huge body must end at the cap, not the deadline: on a loaded machine 8 MiB may take longer than 250 ms.
    const timeoutMs = fault.kind === 'huge' ? 30_000 : DEADLINE_MS;
    const { error } = await failure(() => client(format, { timeoutMs }).root());
    check(error, format);
    // The server is fine again once the fault is gone (no state left behind in the client).
    fake.setFault(undefined);
    await expect(client(format).root()).resolves.toMatchObject({ machineIdentifier: fake.machineIdentifier });
  });
});

describe('faults on every endpoint', () => {
  const calls: [string, (c: ServerClient) => Promise<unknown>][] = [
    ['identity', (c) => c.identity()],
    ['prefs', (c) => c.prefs()],
    ['pref', (c) => c.pref('RelayEnabled')],
    ['account', (c) => c.account()],
    ['setPrefs', (c) => c.setPrefs({ RelayEnabled: true })],
    ['refreshReachability', (c) => c.refreshReachability()],
  ];
  it.each(calls)('%s: 500, reset and hang', async (_name, call) => {
    fake.setFault({ fault: { kind: 'status', status: 500 } });
    expect((await failure(() => call(client('json')))).error).toMatchObject({ name: 'HttpError', status: 500 });
    fake.setFault({ fault: { kind: 'reset' } });
    expect((await failure(() => call(client('json')))).error).toBeInstanceOf(NetworkError);
    fake.setFault({ fault: { kind: 'hang' } });
    expect((await failure(() => call(client('json')))).error).toMatchObject({ name: 'TimeoutError', stage: 'headers' });
  });

  it('html on the data endpoints is a DecodeError', async () => {
    fake.setFault({ fault: { kind: 'html' } });
    for (const [, call] of calls.slice(0, 4)) {
      expect((await failure(() => call(client('xml')))).error).toMatchObject({ name: 'DecodeError', reason: 'html' });
    }
  });
});

describe('redirects', () => {
  it('a same-origin redirect is followed with the token', async () => {
    fake.setFault({ path: '/', fault: { kind: 'redirect', location: '/?moved=1' }, times: 1 });
    const before = fake.requests.length;
    await expect(client('json').root()).resolves.toMatchObject({ machineIdentifier: fake.machineIdentifier });
    const hops = fake.requests.slice(before);
    expect(hops).toHaveLength(2);
    expect(hops[1]).toMatchObject({ path: '/', query: { moved: '1' }, hadToken: true, tokenValid: true });
  });

  it('a redirect to another origin does not carry the token there', async () => {
    const other = await startFakePlexServer({ token: TOKEN });
    try {
      fake.setFault({ path: '/', fault: { kind: 'redirect', location: `${other.url}/` } });
      const { error } = await failure(() => client('xml').root());
      expect(other.requests).toEqual([expect.objectContaining({ path: '/', hadToken: false })]);
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).message).toContain('redirected to another origin');
    } finally {
      await other.close();
    }
  });
});

describe('cancellation and unreachable servers', () => {
  it("the caller's AbortSignal gives an AbortError", async () => {
    fake.setFault({ fault: { kind: 'hang' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const { error } = await failure(() => client('json', { timeoutMs: 5000 }).root({ signal: controller.signal }));
    expect(error).toBeInstanceOf(AbortError);
  });

  it("the client's own signal aborts its calls, an already-aborted one at once", async () => {
    fake.setFault({ fault: { kind: 'hang' } });
    const controller = new AbortController();
    controller.abort();
    const before = fake.requests.length;
    const { error } = await failure(() => client('json', { signal: controller.signal, timeoutMs: 5000 }).prefs());
    expect(error).toBeInstanceOf(AbortError);
    expect(fake.requests.length).toBe(before);
  });

  it('a per-call timeout overrides the client deadline', async () => {
    fake.setLatency(2000);
    const { error } = await failure(() => client('json', { timeoutMs: 10_000 }).identity({ timeoutMs: 100 }));
    expect(error).toMatchObject({ name: 'TimeoutError', timeoutMs: 100, stage: 'headers' });
  });

  it('a refused connection is a NetworkError in the connect phase', async () => {
    const closed = await startLoopbackServer(() => undefined);
    const url = closed.url;
    await closed.close();
    const { error } = await failure(() => createServerClient({ baseUrl: url, timeoutMs: DEADLINE_MS }).identity());
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).phase).toBe('connect');
    expect((error as NetworkError).causeCode).toBe('ECONNREFUSED');
  });
});
