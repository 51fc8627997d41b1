import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AbortError,
  AuthError,
  DecodeError,
  HttpError,
  ResponseValidationError,
  TimeoutError,
  UsageError,
} from '../../../src/core/errors.js';
import { httpRequest } from '../../../src/http/transport.js';
import { createClientIdentifier, createPlexTvClient } from '../../../src/clients/plextv/client.js';
import { startFakePlexTv, type FakePlexTv } from '../../../src/testing/fake-plex-tv/index.js';
import { caught, fixtureJson, stringsOf } from './helpers.js';

const TOKEN = 'client-test-token-Q7x9';
const MACHINE_ID = 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2';
let fake: FakePlexTv;

const captureDevices = (): Record<string, unknown>[] => [
  ...(fixtureJson('plextv-api-v2-resources__plex-api-rs.json') as Record<string, unknown>[]),
  fixtureJson('plextv-api-v2-resources-json-relay__swift-client-comment.json') as Record<string, unknown>,
  fixtureJson('plextv-api-v2-resources-json__scholz-ruhr-blog.json') as Record<string, unknown>,
  { name: 'Here', clientIdentifier: 'here-1', provides: 'server', publicAddress: '127.0.0.1', connections: [] },
];

beforeAll(async () => {
  fake = await startFakePlexTv({ tokens: [TOKEN], devices: captureDevices() });
});
afterAll(() => fake.close());
beforeEach(() => fake.setFault());

const client = (extra: Parameters<typeof createPlexTvClient>[0] = {}) =>
  createPlexTvClient({ baseUrl: fake.url, token: TOKEN, timeoutMs: 2000, ...extra });

function expectNoToken(error: unknown, token = TOKEN): void {
  for (const text of stringsOf(error)) expect(text).not.toContain(token);
}

describe('resources', () => {
  it('JSON and XML answers parse to deep-equal devices', async () => {
    const json = await client().resources();
    const xml = await client().resources({ format: 'xml' });
    expect(json).toHaveLength(4);
    expect(xml).toStrictEqual(json);
    expect(fake.requests.at(-1)?.accept).toBe('application/xml');
  });

  it('sends the identification headers and asks for https, relay and IPv6 connections by default', async () => {
    const plexTv = client({ product: 'diag-test' });
    await plexTv.resources();
    const seen = fake.requests.at(-1)!;
    expect(seen.query).toEqual({ includeHttps: '1', includeRelay: '1', includeIPv6: '1' });
    expect(seen.clientIdentifier).toBe(plexTv.clientIdentifier);
    expect(seen.tokenValid).toBe(true);
  });

  it('passes includeRelay/includeHttps through (the fake filters like plex.tv)', async () => {
    const devices = await client().resources({ includeRelay: false });
    expect(devices.flatMap((d) => d.connections).some((c) => c.relay)).toBe(false);
    const httpOnly = await client().resources({ includeHttps: false });
    expect(httpOnly.flatMap((d) => d.connections).every((c) => c.protocol !== 'https')).toBe(true);
  });

  it('publicAddressMatches compares each device with the asking client address', async () => {
    const devices = await client().resources();
    expect(devices.find((d) => d.clientIdentifier === 'here-1')?.publicAddressMatches).toBe(true);
    expect(devices.find((d) => d.clientIdentifier === 'client_id2')?.publicAddressMatches).toBe(false);
  });

  it('a wrong token → AuthError with plex.tv code 1001, in JSON and XML, and the token is nowhere in the error', async () => {
    const wrong = 'wrong-token-ABC123';
    for (const format of ['json', 'xml'] as const) {
      const error = await caught(client({ token: wrong }).resources({ format }));
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).status).toBe(401);
      expect((error as AuthError).plexErrors[0]?.code).toBe(1001);
      expectNoToken(error, wrong);
    }
  });

  it('without a token it is a UsageError and nothing is sent', async () => {
    const before = fake.requests.length;
    const anonymous = createPlexTvClient({ baseUrl: fake.url });
    await expect(anonymous.resources()).rejects.toBeInstanceOf(UsageError);
    await expect(anonymous.user()).rejects.toBeInstanceOf(UsageError);
    await expect(anonymous.ping()).rejects.toBeInstanceOf(UsageError);
    await expect(anonymous.server(MACHINE_ID)).rejects.toBeInstanceOf(UsageError);
    await expect(anonymous.legacyResources()).rejects.toBeInstanceOf(UsageError);
    expect(fake.requests.length).toBe(before);
  });
});

describe('legacyResources', () => {
  it('api/resources and pms/resources: XML, no relay connections, same dates as v2', async () => {
    const v2 = await client().resources();
    for (const source of ['api', 'pms'] as const) {
      const legacy = await client().legacyResources({ source });
      expect(fake.requests.at(-1)?.path).toBe(source === 'api' ? '/api/resources' : '/pms/resources');
      expect(legacy.map((d) => d.clientIdentifier)).toEqual(v2.map((d) => d.clientIdentifier));
      expect(legacy.flatMap((d) => d.connections).some((c) => c.relay)).toBe(false);
      expect(legacy[0]!.createdAt).toBe(v2[0]!.createdAt);
    }
    expect(fake.requests.at(-2)?.query).toEqual({ includeHttps: '1' });
  });
});

describe('user and ping', () => {
  it('user() returns the account without the authToken plex.tv includes', async () => {
    const raw = await httpRequest({
      url: `${fake.url}/api/v2/user`,
      token: TOKEN,
      headers: { Accept: 'application/json' },
    });
    expect(raw.body.toString()).toContain(TOKEN);
    const user = await client().user();
    expect(user).toMatchObject({ id: 1, username: 'fake-owner', subscription: { active: true, plan: 'lifetime' } });
    expect(JSON.stringify(user)).not.toContain(TOKEN);
  });

  it('ping() resolves with a valid token and throws AuthError (code 1001) with an invalid one', async () => {
    await expect(client().ping()).resolves.toBeUndefined();
    const error = await caught(client({ token: 'invalid-token-zz9' }).ping());
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).plexErrors[0]?.code).toBe(1001);
  });
});

describe('publicIp', () => {
  it('returns the address the server saw (127.0.0.1), without sending the token', async () => {
    expect(await client().publicIp()).toBe('127.0.0.1');
    expect(fake.requests.at(-1)?.tokenPresent).toBe(false);
  });

  it('rejects a captive portal (DecodeError html) and junk (ResponseValidationError)', async () => {
    fake.setFault({ path: '/:/ip', fault: { kind: 'html' }, times: 1 });
    const portal = await caught(client().publicIp());
    expect(portal).toBeInstanceOf(DecodeError);
    expect((portal as DecodeError).reason).toBe('html');
    fake.setFault({
      path: '/:/ip',
      fault: { kind: 'status', status: 200, body: 'hello there', contentType: 'text/plain' },
      times: 1,
    });
    await expect(client().publicIp()).rejects.toBeInstanceOf(ResponseValidationError);
  });
});

describe('server record', () => {
  it("returns plex.tv's record of a published server; unknown servers are a 404 HttpError", async () => {
    const publish = await httpRequest({
      method: 'POST',
      url: `${fake.url}/__fake/servers/publish`,
      token: TOKEN,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        machineIdentifier: MACHINE_ID,
        name: 'Pub',
        productVersion: '1.41.0',
        platform: 'Linux',
        platformVersion: '6.1',
        localAddresses: ['192.168.1.20'],
        port: 32400,
        publicPort: 41000,
        httpsRequired: false,
        relayEnabled: false,
        customConnections: [],
        remoteAccessEnabled: true,
      }),
    });
    expect(publish.status).toBe(200);
    const record = await client().server(MACHINE_ID);
    expect(record).toMatchObject({
      machineIdentifier: MACHINE_ID,
      address: '127.0.0.1',
      port: 41000,
      localAddresses: ['192.168.1.20'],
      owned: true,
    });
    const missing = await caught(client().server('ffffffffffffffffffffffffffffffffffffffff'));
    expect(missing).toBeInstanceOf(HttpError);
    expect((missing as HttpError).status).toBe(404);
    await expect(client().server('../etc/passwd')).rejects.toBeInstanceOf(UsageError);
  });
});

describe('pins', () => {
  it('createPin: strong by default, 4 characters when not, tied to this client, sent without the token', async () => {
    const plexTv = client();
    const strong = await plexTv.createPin();
    expect(strong.code.length).toBeGreaterThan(4);
    expect(strong).toMatchObject({ clientIdentifier: plexTv.clientIdentifier, expiresIn: 900, authToken: null });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', query: { strong: 'true' }, tokenPresent: false });
    const short = await plexTv.createPin({ strong: false });
    expect(short.code).toMatch(/^[A-Z0-9]{4}$/);
    expect(short.id).toBeGreaterThan(strong.id);
  });

  it('authUrl carries this client id, the pin code and the product', async () => {
    const plexTv = client({ product: 'Diag Test' });
    const pin = await plexTv.createPin();
    const params = new URLSearchParams(new URL(plexTv.authUrl(pin)).hash.slice(2));
    expect(params.get('clientID')).toBe(plexTv.clientIdentifier);
    expect(params.get('code')).toBe(pin.code);
    expect(params.get('context[device][product]')).toBe('Diag Test');
  });

  it('createClientIdentifier gives a fresh UUID each time; a given one is used as is', () => {
    expect(createClientIdentifier()).toMatch(/^[0-9a-f-]{36}$/);
    expect(createClientIdentifier()).not.toBe(createClientIdentifier());
    expect(client({ clientIdentifier: 'kept-id' }).clientIdentifier).toBe('kept-id');
  });
});

describe('failures are typed and never carry the token', () => {
  it('a 503, a malformed body, a hang past the deadline and a caller abort', async () => {
    fake.setFault({
      path: '/api/v2/user',
      fault: { kind: 'status', status: 503, body: `down, token ${TOKEN}`, contentType: 'text/plain' },
      times: 1,
    });
    const unavailable = await caught(client().user());
    expect(unavailable).toBeInstanceOf(HttpError);
    expect((unavailable as HttpError).status).toBe(503);
    // The walk does reach the error's details (so "no token" below means something): the URL and the body excerpt.
    expect(stringsOf(unavailable).some((text) => text.includes('/api/v2/user'))).toBe(true);
    expect((unavailable as HttpError).bodyExcerpt).toContain('down, token');
    expectNoToken(unavailable);

    fake.setFault({ path: '/api/v2/resources', fault: { kind: 'malformed' }, times: 1 });
    const malformed = await caught(client().resources());
    expect(malformed).toBeInstanceOf(DecodeError);
    expect((malformed as DecodeError).reason).toBe('malformed-json');
    expectNoToken(malformed);

    fake.setFault({ path: '/api/v2/resources', fault: { kind: 'hang' }, times: 1 });
    const hung = await caught(client({ timeoutMs: 200 }).resources());
    expect(hung).toBeInstanceOf(TimeoutError);
    expectNoToken(hung);

    fake.setFault({ path: '/api/v2/resources', fault: { kind: 'hang' }, times: 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = await caught(client().resources({ signal: controller.signal }));
    expect(aborted).toBeInstanceOf(AbortError);
    expectNoToken(aborted);
  });

  it('the client-wide signal cancels calls too', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(client({ signal: controller.signal }).ping()).rejects.toBeInstanceOf(AbortError);
  });
});
