import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, HttpError, UsageError } from '../../../src/core/errors.js';
import { createServerClient, type ServerClient } from '../../../src/clients/server/client.js';
import { IdentityResponse } from '../../../src/clients/server/schemas/identity.js';
import { MyPlexAccount } from '../../../src/clients/server/schemas/account.js';
import { ServerPrefs } from '../../../src/clients/server/schemas/network-prefs.js';
import { ServerRoot } from '../../../src/clients/server/schemas/root.js';
import { startFakePlexServer, type FakePlexServer } from '../../../src/testing/fake-plex-server/index.js';
import { startLoopbackServer } from '../../../src/testing/http-server.js';

const TOKEN = 'client-test-token-5f2a9c';
const FORMATS = ['json', 'xml'] as const;

let fake: FakePlexServer;
beforeAll(async () => {
  fake = await startFakePlexServer({ token: TOKEN, friendlyName: 'Living Room', machineIdentifier: 'a'.repeat(40) });
});
afterAll(() => fake.close());

const client = (format: 'json' | 'xml', token: string | null = TOKEN): ServerClient =>
  createServerClient({ baseUrl: fake.url, token: token ?? undefined, format, timeoutMs: 2000 });

describe.each(FORMATS)('every endpoint against the fake server (%s)', (format) => {
  it('identity() answers without sending the token, even though the server has one', async () => {
    const before = fake.requests.length;
    const identity = await client(format).identity();
    expect(identity).toEqual({
      machineIdentifier: 'a'.repeat(40),
      version: fake.state.version,
      claimed: true,
      size: 0,
    });
    const sent = fake.requests.slice(before);
    expect(sent).toEqual([expect.objectContaining({ path: '/identity', hadToken: false })]);
    expect(sent[0]!.accept).toBe(format === 'json' ? 'application/json' : 'application/xml');
  });

  it('root()', async () => {
    const root = await client(format).root();
    expect(root).toMatchObject({
      machineIdentifier: 'a'.repeat(40),
      friendlyName: 'Living Room',
      platform: 'Linux',
      myPlex: true,
      myPlexMappingState: 'mapped',
      myPlexSigninState: 'ok',
      myPlexUsername: 'plexuser',
      myPlexSubscription: false,
    });
    expect(ServerRoot.parse(root)).toEqual(root);
  });

  it('prefs() with the typed network prefs', async () => {
    const prefs = await client(format).prefs();
    expect(prefs.settings.length).toBeGreaterThanOrEqual(20);
    expect(prefs.network).toMatchObject({
      PublishServerOnPlexOnlineKey: true,
      ManualPortMappingMode: true,
      ManualPortMappingPort: 32400,
      secureConnections: 1,
      secureConnectionsLabel: 'preferred',
      customConnections: [],
      RelayEnabled: true,
      GdmEnabled: true,
      EnableIPv6: true,
    });
    expect(ServerPrefs.parse(JSON.parse(JSON.stringify(prefs)))).toEqual(prefs);
  });

  it('pref(id) returns one setting, and undefined for an id the server does not have (404)', async () => {
    const setting = await client(format).pref('ManualPortMappingPort');
    expect(setting).toMatchObject({
      id: 'ManualPortMappingPort',
      type: 'int',
      value: 32400,
      default: 32400,
      hidden: true,
    });
    await expect(client(format).pref('NoSuchPref')).resolves.toBeUndefined();
  });

  it('account() without the authToken the server sends', async () => {
    const account = await client(format).account();
    expect(account).toMatchObject({
      mappingState: 'mapped',
      signInState: 'ok',
      publicAddress: '203.0.113.10',
      publicPort: 32400,
      username: 'plexuser',
    });
    expect(account.mappingError).toBeUndefined();
    expect(account).not.toHaveProperty('authToken');
    expect(MyPlexAccount.parse(account)).toEqual(account);
  });

  it('refreshReachability() sends an authenticated PUT', async () => {
    const before = fake.requests.length;
    await client(format).refreshReachability();
    expect(fake.requests.slice(before)).toEqual([
      expect.objectContaining({ method: 'PUT', path: '/myplex/refreshReachability', tokenValid: true }),
    ]);
  });
});

describe('setPrefs', () => {
  it('sends booleans as 1/0 and numbers in decimal; later reads reflect the change (json and xml)', async () => {
    const c = client('xml');
    const before = fake.requests.length;
    await c.setPrefs({
      ManualPortMappingPort: 44321,
      RelayEnabled: false,
      customConnections: 'https://plex.example.com:443',
    });
    expect(fake.requests.slice(before)[0]).toMatchObject({
      method: 'PUT',
      path: '/:/prefs',
      query: { ManualPortMappingPort: '44321', RelayEnabled: '0', customConnections: 'https://plex.example.com:443' },
    });
    for (const format of FORMATS) {
      const { network } = await client(format).prefs();
      expect(network).toMatchObject({
        ManualPortMappingPort: 44321,
        RelayEnabled: false,
        customConnections: ['https://plex.example.com:443'],
      });
    }
    await c.setPrefs({ ManualPortMappingPort: 32400, RelayEnabled: true, customConnections: '' });
    expect((await c.prefs()).network).toMatchObject({
      ManualPortMappingPort: 32400,
      RelayEnabled: true,
      customConnections: [],
    });
  });

  it('an unknown pref id is a 400 HttpError and changes nothing', async () => {
    const error = await client('json')
      .setPrefs({ RelayEnabled: false, NotARealPref: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    expect((await client('json').prefs()).network.RelayEnabled).toBe(true);
  });

  it('an empty change set sends nothing; junk ids and values are UsageErrors', async () => {
    const before = fake.requests.length;
    await client('json').setPrefs({});
    expect(fake.requests.length).toBe(before);
    await expect(client('json').setPrefs({ 'X-Plex-Token': 'x' })).rejects.toBeInstanceOf(UsageError);
    await expect(client('json').setPrefs({ ManualPortMappingPort: Number.NaN })).rejects.toBeInstanceOf(UsageError);
  });
});

describe('XML and JSON of the same server state parse to deep-equal results', () => {
  it.each(['identity', 'root', 'prefs', 'account'] as const)('%s()', async (method) => {
    const [fromJson, fromXml] = await Promise.all([client('json')[method](), client('xml')[method]()]);
    expect(fromXml).toEqual(fromJson);
  });

  it('pref(id)', async () => {
    const [fromJson, fromXml] = await Promise.all([
      client('json').pref('secureConnections'),
      client('xml').pref('secureConnections'),
    ]);
    expect(fromJson).toBeDefined();
    expect(fromXml).toEqual(fromJson);
  });
});

describe('auth', () => {
  it('without a token every endpoint but identity is an AuthError ("token missing or invalid")', async () => {
    const c = client('json', null);
    await expect(c.identity()).resolves.toMatchObject({ claimed: true });
    for (const call of [
      () => c.root(),
      () => c.prefs(),
      () => c.account(),
      () => c.pref('RelayEnabled'),
      () => c.refreshReachability(),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).status).toBe(401);
      expect((error as AuthError).message).toContain('token missing or invalid');
    }
  });

  it('a wrong token is an AuthError too', async () => {
    await expect(client('xml', 'wrong-token-000000').root()).rejects.toMatchObject({ name: 'AuthError', status: 401 });
  });
});

describe('what goes on the wire', () => {
  it('Accept per format, X-Plex-* identification, token header only where it belongs', async () => {
    const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
    const server = await startLoopbackServer((request, response) => {
      seen.push({ url: request.url ?? '', headers: request.headers });
      response.writeHead(200, { 'Content-Type': 'text/xml' });
      response.end('<MediaContainer size="0" machineIdentifier="m1"/>');
    });
    try {
      const c = createServerClient({
        baseUrl: `${server.url}/`,
        token: TOKEN,
        format: 'xml',
        clientIdentifier: 'diag-client-1',
      });
      expect(c.baseUrl).toBe(server.url);
      await c.identity();
      await c.root();
      expect(seen[0]!.headers).toMatchObject({
        accept: 'application/xml',
        'x-plex-client-identifier': 'diag-client-1',
        'x-plex-product': 'plex-diagnose',
      });
      expect(seen[0]!.headers['x-plex-token']).toBeUndefined();
      expect(seen[1]!.headers['x-plex-token']).toBe(TOKEN);
      expect(seen.map((s) => s.url).join(' ')).not.toContain(TOKEN);
    } finally {
      await server.close();
    }
  });

  it('a base URL path prefix (reverse proxy) is kept', async () => {
    const paths: string[] = [];
    const server = await startLoopbackServer((request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ MediaContainer: { machineIdentifier: 'm2' } }));
    });
    try {
      await createServerClient({ baseUrl: `${server.url}/plex/` }).identity();
      expect(paths).toEqual(['/plex/identity']);
    } finally {
      await server.close();
    }
  });

  it('a body of the wrong shape is a ResponseValidationError naming the endpoint', async () => {
    const server = await startLoopbackServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ MediaContainer: { size: 0 } }));
    });
    try {
      await expect(createServerClient({ baseUrl: server.url }).identity()).rejects.toMatchObject({
        name: 'ResponseValidationError',
        message: expect.stringContaining('server identity'),
      });
    } finally {
      await server.close();
    }
  });
});

describe('options', () => {
  it.each([
    '',
    'not a url',
    'ftp://10.0.0.2:32400',
    'http://user:pw@10.0.0.2:32400',
    'http://10.0.0.2:32400/?X-Plex-Token=abcdef123',
  ])('baseUrl %j is a UsageError', (baseUrl) => {
    const attempt = () => createServerClient({ baseUrl, token: 'abcdef123' });
    expect(attempt).toThrow(UsageError);
    try {
      attempt();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('abcdef123');
      expect((error as Error).message).not.toContain('pw@');
    }
  });

  it('a non-positive timeout is a UsageError', () => {
    expect(() => createServerClient({ baseUrl: 'http://127.0.0.1:32400', timeoutMs: 0 })).toThrow(UsageError);
  });

  it('identity parses the same through the public envelope schema', async () => {
    const raw = await fetch(`${fake.url}/identity`, { headers: { Accept: 'application/json' } }).then((r) => r.json());
    expect(IdentityResponse.parse(raw).MediaContainer).toEqual(await client('json').identity());
  });
});
