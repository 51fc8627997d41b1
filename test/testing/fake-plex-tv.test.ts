import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/core/errors.js';
import { decodeBody } from '../../src/http/decode.js';
import { createPlexTvClient } from '../../src/clients/plextv/client.js';
import { PlexDeviceList, RESOURCE_XML_ARRAYS } from '../../src/clients/plextv/devices.js';
import { PlexUser, USER_XML_ARRAYS } from '../../src/clients/plextv/user.js';
import { TOKEN, call, fakeWith } from './fake-plex-tv/helpers.js';

// Publish and reachability (the testing-only endpoints) are in fake-plex-tv/publish.test.ts.
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
  it("401 with plex.tv's 1001 body (JSON, or XML when asked), token accepted as header or query parameter", async () => {
    const fake = await fakeWith();
    const none = await call(fake, '/api/v2/user', { headers: { Accept: 'application/json' } });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body.toString())).toEqual({
      errors: [{ code: 1001, message: 'User could not be authenticated', status: 401 }],
    });
    const xml = await call(fake, '/api/v2/resources', { token: 'nope-nope', headers: { Accept: 'application/xml' } });
    expect(xml.status).toBe(401);
    expect(decodeBody(xml.body)).toEqual({
      errors: { error: [{ code: '1001', message: 'User could not be authenticated', status: '401' }] },
    });
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
      {
        protocol: 'https',
        address: '10.0.0.5',
        port: 32400,
        uri: 'https://10-0-0-5.abc.plex.direct:32400',
        local: true,
      },
      { protocol: 'http', address: '10.0.0.5', port: 32400, uri: 'http://10.0.0.5:32400', local: true },
      {
        protocol: 'https',
        address: 'fd00::5',
        port: 32400,
        uri: 'https://fd00--5.abc.plex.direct:32400',
        local: true,
        IPv6: true,
      },
      {
        protocol: 'https',
        address: '198.51.100.9',
        port: 8443,
        uri: 'https://198-51-100-9.abc.plex.direct:8443',
        relay: true,
      },
    ],
  };

  it('honours includeHttps/includeRelay/includeIPv6 (absent means off, as on plex.tv)', async () => {
    const fake = await fakeWith({ devices: [device] });
    const list = async (query: Record<string, string>) => {
      const response = await call(fake, '/api/v2/resources', {
        token: TOKEN,
        query,
        headers: { Accept: 'application/json' },
      });
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
    const v2 = (
      await call(fake, '/api/v2/resources', {
        token: TOKEN,
        query: { includeRelay: 1, includeHttps: 1 },
        headers: { Accept: 'application/xml' },
      })
    ).body.toString();
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
    expect((await call(fake, '/api/v2/ping', { token: TOKEN, headers: { Accept: 'application/xml' } })).status).toBe(
      200,
    );
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
    await expect(createPlexTvClient({ baseUrl: fake.url, timeoutMs: 150 }).publicIp()).rejects.toBeInstanceOf(
      TimeoutError,
    );
    fake.setLatency(0);
    expect(await createPlexTvClient({ baseUrl: fake.url, timeoutMs: 2000 }).publicIp()).toBe('127.0.0.1');
  });

  it('unknown paths are 404', async () => {
    const fake = await fakeWith();
    expect((await call(fake, '/api/v2/nothing', { token: TOKEN })).status).toBe(404);
  });
});
