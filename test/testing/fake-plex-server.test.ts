import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { createServerClient } from '../../src/clients/server/client.js';
import { FAKE_SETTINGS, startFakePlexServer, type FakePlexServer } from '../../src/testing/fake-plex-server/index.js';

const TOKEN = 'fake-server-token-0c7e11';

/** A raw request, so the fake's own behaviour is tested without our client in between. */
async function raw(server: FakePlexServer, method: 'GET' | 'PUT', path: string, headers: Record<string, string> = {}) {
  const response = await request(`${server.url}${path}`, { method, headers });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

let fake: FakePlexServer;
beforeAll(async () => {
  fake = await startFakePlexServer({ token: TOKEN, machineIdentifier: 'f'.repeat(40) });
});
afterAll(() => fake.close());

describe('wire format', () => {
  it('speaks XML by default and JSON when asked, with PMS headers', async () => {
    const xml = await raw(fake, 'GET', '/identity');
    expect(xml.status).toBe(200);
    expect(xml.headers['content-type']).toBe('text/xml;charset=utf-8');
    expect(xml.headers['x-plex-protocol']).toBe('1.0');
    expect(xml.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<MediaContainer size="0" claimed="1" machineIdentifier="f{40}" version="[^"]+" \/>/,
    );

    const json = await raw(fake, 'GET', '/identity', { Accept: 'application/json' });
    expect(json.headers['content-type']).toBe('application/json');
    expect(JSON.parse(json.body)).toEqual({
      MediaContainer: { size: 0, claimed: true, machineIdentifier: 'f'.repeat(40), version: fake.state.version },
    });
  });

  it('renders settings as <Setting/> children / a Setting array, booleans as 1/0 in XML', async () => {
    const xml = await raw(fake, 'GET', '/:/prefs/get?id=RelayEnabled', { 'X-Plex-Token': TOKEN });
    expect(xml.body).toContain('<Setting id="RelayEnabled" label="Enable Relay"');
    expect(xml.body).toContain('type="bool" default="1" value="1" hidden="0" advanced="1" group="network"');
    const json = JSON.parse(
      (await raw(fake, 'GET', '/:/prefs/get?id=RelayEnabled', { 'X-Plex-Token': TOKEN, Accept: 'application/json' }))
        .body,
    );
    expect(json.MediaContainer.Setting).toEqual([
      expect.objectContaining({ id: 'RelayEnabled', type: 'bool', default: true, value: true, hidden: false }),
    ]);
  });
});

describe('token check', () => {
  it('every endpoint but /identity answers 401 with the PMS HTML body without a valid token', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/:/prefs'],
      ['GET', '/:/prefs/get?id=RelayEnabled'],
      ['PUT', '/:/prefs?RelayEnabled=1'],
      ['GET', '/myplex/account'],
      ['PUT', '/myplex/refreshReachability'],
    ] as const) {
      for (const headers of [{}, { 'X-Plex-Token': 'not-the-token' }] as Record<string, string>[]) {
        const answer = await raw(fake, method, path, headers);
        expect(answer.status, `${method} ${path}`).toBe(401);
        expect(answer.headers['content-type']).toBe('text/html');
        expect(answer.body).toBe(
          '<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>',
        );
      }
    }
    expect((await raw(fake, 'GET', '/identity')).status).toBe(200);
  });

  it('accepts the token as a header or as ?X-Plex-Token=, and records neither value', async () => {
    const before = fake.requests.length;
    expect((await raw(fake, 'GET', '/', { 'X-Plex-Token': TOKEN })).status).toBe(200);
    expect((await raw(fake, 'GET', `/?X-Plex-Token=${TOKEN}&other=1`)).status).toBe(200);
    expect((await raw(fake, 'GET', '/', { 'X-Plex-Token': 'bad' })).status).toBe(401);
    const seen = fake.requests.slice(before);
    expect(seen).toEqual([
      { method: 'GET', path: '/', query: {}, hadToken: true, tokenValid: true, accept: undefined },
      { method: 'GET', path: '/', query: { other: '1' }, hadToken: true, tokenValid: true, accept: undefined },
      { method: 'GET', path: '/', query: {}, hadToken: true, tokenValid: false, accept: undefined },
    ]);
    expect(JSON.stringify(fake.requests)).not.toContain(TOKEN);
  });

  it('without a token option every request is served', async () => {
    const open = await startFakePlexServer();
    try {
      expect((await raw(open, 'GET', '/myplex/account')).status).toBe(200);
      expect(open.requests[0]).toMatchObject({ hadToken: false, tokenValid: false });
    } finally {
      await open.close();
    }
  });
});

describe('routing', () => {
  it.each([
    ['GET', '/library/sections'],
    ['GET', '/:/prefs/get?id=NoSuchPref'],
    ['GET', '/myplex/refreshReachability'],
    ['PUT', '/identity'],
  ] as const)('%s %s is 404', async (method, path) => {
    expect((await raw(fake, method, path, { 'X-Plex-Token': TOKEN })).status).toBe(404);
  });
});

describe('PUT /:/prefs', () => {
  const put = (query: string) => raw(fake, 'PUT', `/:/prefs?${query}`, { 'X-Plex-Token': TOKEN });

  it('updates the live state; bools accept 1/0/true/false and are stored as 1/0', async () => {
    expect((await put('GdmEnabled=false&ManualPortMappingPort=40000')).status).toBe(200);
    expect(fake.state.prefs).toMatchObject({ GdmEnabled: '0', ManualPortMappingPort: '40000' });
    expect((await put('GdmEnabled=TRUE&ManualPortMappingPort=32400')).status).toBe(200);
    expect(fake.state.prefs).toMatchObject({ GdmEnabled: '1', ManualPortMappingPort: '32400' });
    expect((await put('GdmEnabled=0')).status).toBe(200);
    expect(fake.state.prefs.GdmEnabled).toBe('0');
    await put('GdmEnabled=1');
  });

  it('is all or nothing: an unknown id or a value of the wrong type is 400 and changes nothing', async () => {
    const before = { ...fake.state.prefs };
    expect((await put('RelayEnabled=0&NoSuchPref=1')).status).toBe(400);
    expect((await put('RelayEnabled=0&ManualPortMappingPort=abc')).status).toBe(400);
    expect((await put('RelayEnabled=maybe')).status).toBe(400);
    expect(fake.state.prefs).toEqual(before);
  });

  it('FriendlyName renames the server', async () => {
    await put('FriendlyName=Attic');
    const root = await createServerClient({ baseUrl: fake.url, token: TOKEN }).root();
    expect(root.friendlyName).toBe('Attic');
  });
});

describe('options', () => {
  it('an unclaimed server says so everywhere', async () => {
    const server = await startFakePlexServer({ claimed: false });
    try {
      const client = createServerClient({ baseUrl: server.url, format: 'xml' });
      expect((await client.identity()).claimed).toBe(false);
      expect(await client.root()).toMatchObject({ myPlexSigninState: 'none', myPlexMappingState: 'unknown' });
      expect((await client.root()).myPlexUsername).toBeUndefined();
      expect(await client.account()).toMatchObject({ signInState: 'none', mappingState: 'unknown', publicPort: 0 });
    } finally {
      await server.close();
    }
  });

  it('a claimed but signed-out server reports sign-in state invalid', async () => {
    const server = await startFakePlexServer({ signedIn: false });
    try {
      const client = createServerClient({ baseUrl: server.url });
      expect((await client.root()).myPlexSigninState).toBe('invalid');
      expect((await client.account()).signInState).toBe('invalid');
    } finally {
      await server.close();
    }
  });

  it('prefs and account overrides show in the responses; an unknown pref id throws', async () => {
    const server = await startFakePlexServer({
      prefs: { ManualPortMappingMode: false, secureConnections: 0, customConnections: 'http://10.0.0.5:32400' },
      account: {
        mappingState: 'failed',
        mappingError: 'doublenat',
        publicAddress: '',
        publicPort: 0,
        username: 'someone',
        subscriptionActive: true,
      },
    });
    try {
      const client = createServerClient({ baseUrl: server.url });
      expect((await client.prefs()).network).toMatchObject({
        ManualPortMappingMode: false,
        secureConnections: 0,
        secureConnectionsLabel: 'required',
        customConnections: ['http://10.0.0.5:32400'],
      });
      expect(await client.account()).toMatchObject({
        mappingState: 'failed',
        mappingError: 'doublenat',
        username: 'someone',
        subscriptionActive: true,
        subscriptionState: 'Active',
      });
      expect(await client.root()).toMatchObject({
        myPlexMappingState: 'failed',
        myPlexMappingError: 'doublenat',
        myPlexSubscription: true,
      });
    } finally {
      await server.close();
    }
    await expect(startFakePlexServer({ prefs: { NoSuchPref: 1 } })).rejects.toBeInstanceOf(UsageError);
    await expect(startFakePlexServer({ prefs: { ManualPortMappingPort: 'abc' } })).rejects.toBeInstanceOf(UsageError);
  });

  it('faults: path- and method-specific, spent after `times`, replaced by setFault, added by addFault', async () => {
    const server = await startFakePlexServer();
    try {
      server.setFault({ path: '/identity', method: 'GET', fault: { kind: 'status', status: 503 }, times: 2 });
      server.addFault({ path: /^\/myplex\//, fault: { kind: 'status', status: 500 } });
      expect((await raw(server, 'GET', '/')).status).toBe(200);
      expect((await raw(server, 'GET', '/identity')).status).toBe(503);
      expect((await raw(server, 'GET', '/identity')).status).toBe(503);
      expect((await raw(server, 'GET', '/identity')).status).toBe(200);
      expect((await raw(server, 'GET', '/myplex/account')).status).toBe(500);
      server.setFault(undefined);
      expect((await raw(server, 'GET', '/myplex/account')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('latency delays answers: a deadline shorter than it times out, a longer one does not', async () => {
    const server = await startFakePlexServer({ latencyMs: 400 });
    try {
      await expect(createServerClient({ baseUrl: server.url, timeoutMs: 100 }).identity()).rejects.toMatchObject({
        name: 'TimeoutError',
      });
      await expect(createServerClient({ baseUrl: server.url, timeoutMs: 3000 }).identity()).resolves.toMatchObject({
        claimed: true,
      });
      server.setLatency(0);
      await expect(createServerClient({ baseUrl: server.url, timeoutMs: 300 }).identity()).resolves.toMatchObject({
        claimed: true,
      });
    } finally {
      await server.close();
    }
  });

  it('close() does not wait for a hung exchange', async () => {
    const server = await startFakePlexServer({ faults: [{ fault: { kind: 'hang' } }] });
    const pending = createServerClient({ baseUrl: server.url, timeoutMs: 5000 })
      .identity()
      .catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    expect(await pending).toMatchObject({ name: 'NetworkError' });
  });
});

describe('catalogue', () => {
  const capture = JSON.parse(
    readFileSync(new URL('../fixtures/server/prefs-json__plex-api-rs-server-prefs.json', import.meta.url), 'utf8'),
  ) as {
    MediaContainer: { Setting: Record<string, unknown>[] };
  };
  const real = new Map(capture.MediaContainer.Setting.map((setting) => [setting.id as string, setting]));

  it('has every network / remote-access pref of docs/reference/plex-api.md §4', () => {
    const ids = new Set(FAKE_SETTINGS.map((setting) => setting.id));
    for (const id of [
      'PublishServerOnPlexOnlineKey',
      'ManualPortMappingMode',
      'ManualPortMappingPort',
      'LastAutomaticMappedPort',
      'RelayEnabled',
      'customConnections',
      'allowedNetworks',
      'LanNetworksBandwidth',
      'TreatWanIpAsLocal',
      'secureConnections',
      'EnableIPv6',
      'PreferredNetworkInterface',
      'GdmEnabled',
      'WanTotalMaxUploadRate',
      'WanPerStreamMaxUploadRate',
      'WanPerUserStreamCount',
      'customCertificatePath',
      'customCertificateKey',
      'customCertificateDomain',
      'DisableTLSv1_0',
      'CertificateUUID',
      'CertificateVersion',
      'PlexOnlineMail',
      'PlexOnlineUrl',
      'ConfigurationUrl',
      'allowedHttpOrigins',
    ]) {
      expect(ids.has(id), id).toBe(true);
    }
    expect(FAKE_SETTINGS.length).toBeGreaterThanOrEqual(20);
  });

  it('copies labels, types, defaults and flags from the real dump', () => {
    for (const setting of FAKE_SETTINGS) {
      const original = real.get(setting.id);
      expect(original, setting.id).toBeDefined();
      expect(
        {
          label: setting.label,
          type: setting.type,
          default: setting.default,
          hidden: setting.hidden,
          advanced: setting.advanced,
          group: setting.group,
        },
        setting.id,
      ).toEqual({
        label: original!.label,
        type: original!.type,
        default: original!.default,
        hidden: original!.hidden,
        advanced: original!.advanced,
        group: original!.group,
      });
    }
  });
});

describe('https', () => {
  let dir: string;
  let cert: string;
  let key: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fake-pms-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves TLS with the given certificate (client trusts it through its dispatcher)', async () => {
    const server = await startFakePlexServer({ tls: { cert, key } });
    const dispatcher = new Agent({ connect: { ca: cert } });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const identity = await createServerClient({ baseUrl: server.url, dispatcher }).identity();
      expect(identity.machineIdentifier).toBe(server.machineIdentifier);
      const untrusted = await createServerClient({ baseUrl: server.url, timeoutMs: 2000 })
        .identity()
        .catch((e: unknown) => e);
      expect(untrusted).toMatchObject({ name: 'NetworkError', phase: 'tls' });
    } finally {
      await dispatcher.close();
      await server.close();
    }
  });
});
