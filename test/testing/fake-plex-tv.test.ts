import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/errors.js';
import { decodeBody } from '../../src/http/decode.js';
import { httpRequest, type HttpRequestOptions } from '../../src/http/transport.js';
import { createPlexTvClient } from '../../src/plextv/client.js';
import { PlexDeviceList, RESOURCE_XML_ARRAYS } from '../../src/plextv/devices.js';
import { PlexUser, USER_XML_ARRAYS } from '../../src/plextv/user.js';
import { startFakePlexTv, type FakePlexTv } from '../../src/testing/fake-plex-tv/index.js';
import { startLoopbackServer, type LoopbackServer } from '../../src/testing/http-server.js';
import { renderDocument } from '../../src/testing/xml-writer.js';

const TOKEN = 'fake-test-token-7788';
const MACHINE_ID = '0f0e0d0c0b0a09080706050403020100aabbccdd';
const HASH = '35aad435765b4f0c9e1d2a3b4c5d6e7f';

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function fakeWith(options: Parameters<typeof startFakePlexTv>[0] = {}): Promise<FakePlexTv> {
  const fake = await startFakePlexTv({ tokens: [TOKEN], ...options });
  opened.push(fake);
  return fake;
}

const call = (fake: FakePlexTv, path: string, options: Partial<HttpRequestOptions> = {}) =>
  httpRequest({ url: `${fake.url}${path}`, timeoutMs: 2000, ...options });

function publishBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    machineIdentifier: MACHINE_ID,
    name: 'Lab PMS',
    productVersion: '1.41.3.9314',
    platform: 'Linux',
    platformVersion: '6.1.0',
    localAddresses: ['192.168.1.10', 'fd00::10'],
    port: 32400,
    publicPort: 40000,
    httpsRequired: false,
    relayEnabled: true,
    customConnections: ['https://plex.example.org:443'],
    certificateHash: HASH,
    remoteAccessEnabled: true,
    ...overrides,
  });
}

const publish = (fake: FakePlexTv, body = publishBody(), token: string | null = TOKEN) =>
  call(fake, '/__fake/servers/publish', { method: 'POST', token: token ?? undefined, headers: { 'Content-Type': 'application/json' }, body });

describe('/:/ip', () => {
  it('answers the caller address as the server sees it, as plain text', async () => {
    const fake = await fakeWith();
    const response = await call(fake, '/:/ip');
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body.toString().trim()).toBe('127.0.0.1');
  });

  it('over IPv6 loopback answers ::1, and publicAddressOverride replaces the address', async () => {
    const v6 = await fakeWith({ host: '::1' });
    expect(v6.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect(await createPlexTvClient({ baseUrl: v6.url }).publicIp()).toBe('::1');
    const overridden = await fakeWith({ publicAddressOverride: '203.0.113.7' });
    expect((await call(overridden, '/:/ip')).body.toString().trim()).toBe('203.0.113.7');
  });
});

describe('tokens', () => {
  it('401 with plex.tv\'s 1001 body (JSON, or XML when asked), token accepted as header or query parameter', async () => {
    const fake = await fakeWith();
    const none = await call(fake, '/api/v2/user', { headers: { Accept: 'application/json' } });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body.toString())).toEqual({ errors: [{ code: 1001, message: 'User could not be authenticated', status: 401 }] });
    const xml = await call(fake, '/api/v2/resources', { token: 'nope-nope', headers: { Accept: 'application/xml' } });
    expect(xml.status).toBe(401);
    expect(decodeBody(xml.body)).toEqual({ errors: { error: [{ code: '1001', message: 'User could not be authenticated', status: '401' }] } });
    const legacy = await call(fake, '/api/resources', { headers: { Accept: 'application/json' } });
    expect(legacy.body.toString()).toMatch(/^<\?xml/);
    const viaQuery = await call(fake, '/api/v2/ping', { query: { 'X-Plex-Token': TOKEN } });
    expect(viaQuery.status).toBe(200);
  });

  it('the request log never holds a token value', async () => {
    const fake = await fakeWith();
    await call(fake, '/api/v2/ping', { query: { 'X-Plex-Token': TOKEN } });
    await call(fake, '/api/v2/ping', { token: 'another-secret-token' });
    expect(fake.requests.map((r) => [r.tokenPresent, r.tokenValid, r.status])).toEqual([
      [true, true, 200],
      [true, false, 401],
    ]);
    expect(fake.requests[0]!.query).toEqual({ 'X-Plex-Token': 'REDACTED' });
    const log = JSON.stringify(fake.requests);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain('another-secret-token');
  });
});

describe('resources', () => {
  const device = {
    name: 'Static',
    clientIdentifier: 'static-1',
    provides: 'server',
    publicAddress: '198.51.100.20',
    connections: [
      { protocol: 'https', address: '10.0.0.5', port: 32400, uri: 'https://10-0-0-5.abc.plex.direct:32400', local: true },
      { protocol: 'http', address: '10.0.0.5', port: 32400, uri: 'http://10.0.0.5:32400', local: true },
      { protocol: 'https', address: 'fd00::5', port: 32400, uri: 'https://fd00--5.abc.plex.direct:32400', local: true, IPv6: true },
      { protocol: 'https', address: '198.51.100.9', port: 8443, uri: 'https://198-51-100-9.abc.plex.direct:8443', relay: true },
    ],
  };

  it('honours includeHttps/includeRelay/includeIPv6 (absent means off, as on plex.tv)', async () => {
    const fake = await fakeWith({ devices: [device] });
    const list = async (query: Record<string, string>) => {
      const response = await call(fake, '/api/v2/resources', { token: TOKEN, query, headers: { Accept: 'application/json' } });
      return PlexDeviceList.parse(decodeBody(response.body))[0]!.connections.map((c) => c.uri);
    };
    expect(await list({ includeHttps: '1', includeRelay: '1', includeIPv6: '1' })).toHaveLength(4);
    expect(await list({ includeHttps: '1', includeRelay: '0', includeIPv6: '1' })).toHaveLength(3);
    expect(await list({ includeHttps: '1', includeRelay: '1', includeIPv6: '0' })).toHaveLength(3);
    expect(await list({})).toEqual(['http://10.0.0.5:32400']);
  });

  it('computes publicAddressMatches per request, and the live device list is served as changed', async () => {
    const fake = await fakeWith({ devices: [device], publicAddressOverride: '198.51.100.20' });
    const plexTv = createPlexTvClient({ baseUrl: fake.url, token: TOKEN });
    expect((await plexTv.resources())[0]!.publicAddressMatches).toBe(true);
    fake.devices[0]!.publicAddress = '198.51.100.21';
    expect((await plexTv.resources())[0]!.publicAddressMatches).toBe(false);
    fake.devices.splice(0);
    expect(await plexTv.resources()).toEqual([]);
  });

  it('v2 XML is <resources><resource><connections><connection/> like the cn-doc capture; legacy has no relay', async () => {
    const fake = await fakeWith({ devices: [device] });
    const v2 = (await call(fake, '/api/v2/resources', { token: TOKEN, query: { includeRelay: 1, includeHttps: 1 }, headers: { Accept: 'application/xml' } })).body.toString();
    expect(v2).toMatch(/<resources>\s*<resource [^>]*name="Static"[^>]*>\s*<connections>\s*<connection /);
    expect(v2).toContain('relay="1"');
    const legacy = (await call(fake, '/pms/resources', { token: TOKEN })).body.toString();
    expect(legacy).toMatch(/<MediaContainer size="1">\s*<Device /);
    expect(legacy).not.toContain('8443');
    expect(legacy).not.toMatch(/<Connection[^>]* (relay|IPv6)=/);
    const parsed = PlexDeviceList.parse(decodeBody(Buffer.from(legacy), { xmlArrays: RESOURCE_XML_ARRAYS }));
    expect(parsed[0]!.connections).toHaveLength(3);
  });
});

describe('user and ping', () => {
  it('serves the user as JSON or XML (both parse the same) and ping answers 200', async () => {
    const fake = await fakeWith({ user: { username: 'lab-owner', id: 42 } });
    const json = await call(fake, '/api/v2/user', { token: TOKEN, headers: { Accept: 'application/json' } });
    const xml = await call(fake, '/api/v2/user', { token: TOKEN, headers: { Accept: 'application/xml' } });
    const fromJson = PlexUser.parse(decodeBody(json.body));
    const fromXml = PlexUser.parse(decodeBody(xml.body, { xmlArrays: USER_XML_ARRAYS }));
    expect(fromJson).toMatchObject({ id: 42, username: 'lab-owner', subscription: { active: true } });
    expect(fromXml).toStrictEqual(fromJson);
    expect((await call(fake, '/api/v2/ping', { token: TOKEN, headers: { Accept: 'application/xml' } })).status).toBe(200);
  });
});

describe('pins', () => {
  it('POST needs X-Plex-Client-Identifier (400 without), creates 201 pins with increasing ids; unknown ids are 404 code 1020', async () => {
    const fake = await fakeWith();
    const missing = await call(fake, '/api/v2/pins', { method: 'POST', headers: { Accept: 'application/json' } });
    expect(missing.status).toBe(400);
    const headers = { Accept: 'application/json', 'X-Plex-Client-Identifier': 'cid-1', 'X-Plex-Product': 'Lab' };
    const first = await call(fake, '/api/v2/pins', { method: 'POST', query: { strong: 'true' }, headers });
    const second = await call(fake, '/api/v2/pins', { method: 'POST', headers });
    expect(first.status).toBe(201);
    const a = JSON.parse(first.body.toString()) as Record<string, unknown>;
    const b = JSON.parse(second.body.toString()) as Record<string, unknown>;
    expect(a).toMatchObject({ clientIdentifier: 'cid-1', product: 'Lab', expiresIn: 900, authToken: null });
    expect(String(a.code).length).toBe(25);
    expect(String(b.code)).toMatch(/^[A-Z0-9]{4}$/);
    expect(Number(b.id)).toBe(Number(a.id) + 1);
    const unknown = await call(fake, '/api/v2/pins/1', { headers });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body.toString()).errors[0].code).toBe(1020);
    const unknownXml = await call(fake, '/api/v2/pins/1', { headers: { Accept: 'application/xml' } });
    expect(unknownXml.body.toString()).toContain('code="1020"');
  });
});

describe('testing endpoints: publish', () => {
  it('needs a valid token and a valid body', async () => {
    const fake = await fakeWith();
    expect((await publish(fake, publishBody(), null)).status).toBe(401);
    expect((await publish(fake, publishBody(), 'bad-token-000')).status).toBe(401);
    expect((await publish(fake, publishBody({ port: 'x' }))).status).toBe(400);
    expect((await publish(fake, 'not json')).status).toBe(400);
    expect(fake.devices).toHaveLength(0);
  });

  it('records the source address as the public address and lists the server with every connection kind', async () => {
    const fake = await fakeWith({ relayAddress: '127.0.0.9' });
    const response = await publish(fake);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ publicAddress: '127.0.0.1' });
    const [server] = await createPlexTvClient({ baseUrl: fake.url, token: TOKEN }).resources();
    expect(server).toMatchObject({
      clientIdentifier: MACHINE_ID,
      name: 'Lab PMS',
      provides: ['server'],
      owned: true,
      presence: true,
      relay: true,
      httpsRequired: false,
      publicAddress: '127.0.0.1',
      publicAddressMatches: true,
      accessToken: TOKEN,
    });
    expect(server!.connections.map((c) => [c.uri, c.local, c.relay, c.IPv6])).toEqual([
      [`https://192-168-1-10.${HASH}.plex.direct:32400`, true, false, false],
      [`https://fd00--10.${HASH}.plex.direct:32400`, true, false, true],
      [`https://127-0-0-1.${HASH}.plex.direct:40000`, false, false, false],
      ['https://plex.example.org:443', false, false, false],
      [`https://127-0-0-9.${HASH}.plex.direct:8443`, false, true, false],
    ]);
    expect(fake.servers.get(MACHINE_ID)).toMatchObject({ publicAddress: '127.0.0.1', sourceAddress: '127.0.0.1', mappingState: 'unknown' });
  });

  it('without a certificate hash lists http://ip:port uris; remote access off lists no remote; re-publishing updates in place', async () => {
    const fake = await fakeWith();
    await publish(fake);
    const createdAt = fake.devices[0]!.createdAt;
    await publish(fake, publishBody({ certificateHash: undefined, remoteAccessEnabled: false, relayEnabled: false, customConnections: [], localAddresses: ['10.1.2.3'] }));
    expect(fake.devices).toHaveLength(1);
    expect(fake.devices[0]!.createdAt).toBe(createdAt);
    expect(fake.devices[0]!.connections).toEqual([
      { protocol: 'http', address: '10.1.2.3', port: 32400, uri: 'http://10.1.2.3:32400', local: true, relay: false, IPv6: false },
    ]);
  });

  it('publicAddressOverride is what publish records and reports', async () => {
    const fake = await fakeWith({ publicAddressOverride: '203.0.113.50' });
    expect(JSON.parse((await publish(fake)).body.toString())).toEqual({ publicAddress: '203.0.113.50' });
    expect(fake.devices[0]!.publicAddress).toBe('203.0.113.50');
    expect(fake.servers.get(MACHINE_ID)?.sourceAddress).toBe('127.0.0.1');
  });

  it('api/servers/{id} returns plex.tv\'s record of the published server', async () => {
    const fake = await fakeWith();
    await publish(fake);
    const record = await createPlexTvClient({ baseUrl: fake.url, token: TOKEN }).server(MACHINE_ID);
    expect(record).toMatchObject({ address: '127.0.0.1', port: 40000, localAddresses: ['192.168.1.10', 'fd00::10'], scheme: 'http' });
  });
});

describe('testing endpoints: reachability (connect-back)', () => {
  let pms: LoopbackServer;
  let identity = MACHINE_ID;
  beforeAll(async () => {
    pms = await startLoopbackServer((request, response) => {
      if (request.url?.startsWith('/identity')) {
        response.writeHead(200, { 'Content-Type': 'text/xml' });
        response.end(renderDocument({ name: 'MediaContainer', attributes: { size: 0, claimed: true, machineIdentifier: identity, version: '1.41.3' } }));
        return;
      }
      response.writeHead(404);
      response.end();
    });
  });
  afterAll(() => pms.close());

  const check = (fake: FakePlexTv, port: number, id = MACHINE_ID) =>
    call(fake, `/__fake/servers/${id}/reachability`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ port }), timeoutMs: 5000 });

  it('reachable when /identity on that port names the same machineIdentifier; the outcome is recorded', async () => {
    const fake = await fakeWith();
    await publish(fake);
    const response = await check(fake, pms.port);
    expect(JSON.parse(response.body.toString())).toEqual({ reachable: true, checked: `127.0.0.1:${pms.port}` });
    expect(fake.servers.get(MACHINE_ID)).toMatchObject({ mappingState: 'mapped', reachability: { reachable: true, checked: `127.0.0.1:${pms.port}` } });
  });

  it('not reachable on a closed port (connect refused), recorded as failed', async () => {
    const closed = await startLoopbackServer(() => undefined);
    const port = closed.port;
    await closed.close();
    const fake = await fakeWith();
    await publish(fake);
    const result = JSON.parse((await check(fake, port)).body.toString()) as { reachable: boolean; error: string; checked: string };
    expect(result.reachable).toBe(false);
    expect(result.checked).toBe(`127.0.0.1:${port}`);
    expect(result.error).toMatch(/ECONNREFUSED|connect/);
    expect(fake.servers.get(MACHINE_ID)?.mappingState).toBe('failed');
  });

  it('not reachable when /identity names another server', async () => {
    const fake = await fakeWith();
    await publish(fake);
    identity = 'ffffffffffffffffffffffffffffffffffffffff';
    try {
      const result = JSON.parse((await check(fake, pms.port)).body.toString()) as { reachable: boolean; error: string };
      expect(result.reachable).toBe(false);
      expect(result.error).toContain('ffffffff');
    } finally {
      identity = MACHINE_ID;
    }
  });

  it('not reachable when the peer never answers, within connectBackTimeoutMs', async () => {
    const silent = await startLoopbackServer(() => undefined);
    opened.push(silent);
    const fake = await fakeWith({ connectBackTimeoutMs: 200 });
    await publish(fake);
    const result = JSON.parse((await check(fake, silent.port)).body.toString()) as { reachable: boolean; error: string };
    expect(result.reachable).toBe(false);
    expect(result.error).toMatch(/within 200 ms/);
  });

  it('404 for a server never published, 400 for a bad port; an override is reported but the source address is dialled', async () => {
    const fake = await fakeWith({ publicAddressOverride: '203.0.113.50' });
    expect((await check(fake, pms.port, 'never-published')).status).toBe(404);
    await publish(fake);
    expect((await check(fake, 0)).status).toBe(400);
    const result = JSON.parse((await check(fake, pms.port)).body.toString()) as Record<string, unknown>;
    expect(result).toEqual({ reachable: true, checked: `203.0.113.50:${pms.port}`, dialled: `127.0.0.1:${pms.port}` });
    const record = await call(fake, `/__fake/servers/${MACHINE_ID}`);
    expect(JSON.parse(record.body.toString())).toMatchObject({ mappingState: 'mapped', publicAddress: '203.0.113.50' });
  });
});

describe('faults and latency', () => {
  it('plays configured faults the given number of times, then answers normally', async () => {
    const fake = await fakeWith({ faults: [{ path: '/:/ip', fault: { kind: 'status', status: 502 }, times: 2 }] });
    expect((await call(fake, '/:/ip')).status).toBe(502);
    expect((await call(fake, '/:/ip')).status).toBe(502);
    expect((await call(fake, '/:/ip')).status).toBe(200);
    fake.addFault({ method: 'GET', fault: { kind: 'html' }, times: 1 });
    expect((await call(fake, '/:/ip')).body.toString()).toContain('<!DOCTYPE html>');
    fake.setFault({ fault: { kind: 'reset' } });
    await expect(call(fake, '/:/ip')).rejects.toThrow();
    fake.setFault();
    expect((await call(fake, '/:/ip')).status).toBe(200);
  });

  it('latency longer than the client deadline makes the call time out', async () => {
    const fake = await fakeWith();
    fake.setLatency(1000);
    await expect(createPlexTvClient({ baseUrl: fake.url, timeoutMs: 150 }).publicIp()).rejects.toBeInstanceOf(TimeoutError);
    fake.setLatency(0);
    expect(await createPlexTvClient({ baseUrl: fake.url, timeoutMs: 2000 }).publicIp()).toBe('127.0.0.1');
  });

  it('unknown paths are 404', async () => {
    const fake = await fakeWith();
    expect((await call(fake, '/api/v2/nothing', { token: TOKEN })).status).toBe(404);
  });
});
