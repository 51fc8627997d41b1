/**
 * The plex.tv client against an imitation of https://plex.tv itself (nock 15.0.0, which patches undici's global
 * dispatcher: so no `dispatcher` is passed here). Net connect is disabled for the whole file, so nothing here can
 * reach the real plex.tv. nock lives in this file only: loading it in a worker breaks real-TLS inspection
 * (docs/reference/toolchain.md §2).
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, NetworkError } from '../../../src/core/errors.js';
import { createPlexTvClient } from '../../../src/clients/plextv/client.js';
import { caught, fixture, stringsOf } from './helpers.js';

const TOKEN = 'nock-plextv-token-5150';
const CLIENT_ID = 'nock-client-identifier-1';

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
});

const plexTv = (token: string | undefined = TOKEN) =>
  createPlexTvClient({ token, clientIdentifier: CLIENT_ID, timeoutMs: 2000 });

describe('plex.tv (nock)', () => {
  it('the default base URL is https://plex.tv', () => {
    expect(plexTv().baseUrl).toBe('https://plex.tv');
  });

  it('resources: sends token + client identifier + include flags, parses JSON and XML captures', async () => {
    const scope = nock('https://plex.tv')
      .get('/api/v2/resources')
      .query({ includeHttps: '1', includeRelay: '1', includeIPv6: '1' })
      .matchHeader('X-Plex-Token', TOKEN)
      .matchHeader('X-Plex-Client-Identifier', CLIENT_ID)
      .matchHeader('Accept', 'application/json')
      .reply(200, fixture('plextv-api-v2-resources__plex-api-rs.json'), { 'Content-Type': 'application/json' })
      .get('/api/v2/resources')
      .query(true)
      .matchHeader('Accept', 'application/xml')
      .reply(200, fixture('plextv-api-v2-resources-xml__cn-doc.xml'), { 'Content-Type': 'application/xml' });
    const json = await plexTv().resources();
    expect(json[0]).toMatchObject({ name: 'Box', clientIdentifier: 'client_id2', publicAddress: '2.2.2.2' });
    expect(json[0]!.connections.map((c) => c.relay)).toEqual([false, false, false, true]);
    const xml = await plexTv().resources({ format: 'xml' });
    expect(xml[0]).toMatchObject({ name: 'xxx', relay: true, publicAddressMatches: true });
    expect(scope.isDone()).toBe(true);
  });

  it('user: the Plex Pass capture parses and its authToken is stripped', async () => {
    const scope = nock('https://plex.tv')
      .get('/api/v2/user')
      .matchHeader('X-Plex-Token', TOKEN)
      .reply(200, fixture('plextv-api-v2-user-plexpass__plex-api-rs.json'), { 'Content-Type': 'application/json' });
    const user = await plexTv().user();
    expect(user).toMatchObject({ id: 12345, subscription: { active: true, plan: 'lifetime' } });
    expect(JSON.stringify(user)).not.toContain('auth_token');
    expect(scope.isDone()).toBe(true);
  });

  it('pins: create without the token, then poll until linked', async () => {
    const scope = nock('https://plex.tv', { badheaders: ['X-Plex-Token'] })
      .post('/api/v2/pins')
      .query({ strong: 'true' })
      .matchHeader('X-Plex-Client-Identifier', CLIENT_ID)
      .reply(201, fixture('plextv-api-v2-pins-new__plex-api-rs.json'), { 'Content-Type': 'application/json' })
      .get('/api/v2/pins/111222333')
      .times(2)
      .reply(200, fixture('plextv-api-v2-pins-new__plex-api-rs.json'), { 'Content-Type': 'application/json' })
      .get('/api/v2/pins/111222333')
      .reply(200, fixture('plextv-api-v2-pins-linked__plex-api-rs.json'), { 'Content-Type': 'application/json' });
    const client = plexTv();
    const pin = await client.createPin();
    expect(pin).toMatchObject({ id: 111222333, code: 'CODE', authToken: null });
    expect(await client.pollPin(pin.id, { intervalMs: 5 })).toEqual({ status: 'authorized', authToken: 'auth_token' });
    expect(scope.isDone()).toBe(true);
  });

  it('pins: 404 with code 1020 is "expired"', async () => {
    nock('https://plex.tv')
      .get('/api/v2/pins/5')
      .reply(404, { errors: [{ code: 1020, message: 'Code not found or expired' }] });
    expect(await plexTv().pollPin(5, { intervalMs: 5 })).toEqual({ status: 'expired' });
  });

  it("a 401 with plex.tv's body is an AuthError holding code 1001, and the token is nowhere in it", async () => {
    nock('https://plex.tv')
      .get('/api/v2/ping')
      .reply(401, { errors: [{ code: 1001, message: 'User could not be authenticated', status: 401 }] });
    const error = await caught(plexTv().ping());
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).plexErrors).toEqual([
      { code: 1001, message: 'User could not be authenticated', status: 401 },
    ]);
    expect((error as AuthError).url).toBe('https://plex.tv/api/v2/ping');
    for (const text of stringsOf(error)) expect(text).not.toContain(TOKEN);
  });

  it('publicIp: plain text, no token sent', async () => {
    nock('https://plex.tv', { badheaders: ['X-Plex-Token'] })
      .get('/:/ip')
      .reply(200, '203.0.113.9\n', { 'Content-Type': 'text/plain' });
    expect(await plexTv().publicIp()).toBe('203.0.113.9');
  });

  it('with net connect disabled, an unmocked plex.tv call fails with a network error (the suite cannot reach plex.tv)', async () => {
    const error = await caught(plexTv().legacyResources());
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).message).toMatch(/plex\.tv\/api\/resources/);
    // It was nock that refused, not a real network failure.
    expect(((error as NetworkError).cause as Error).name).toBe('NetConnectNotAllowedError');
    expect((error as NetworkError).causeCode).toBe('ENETUNREACH');
    for (const text of stringsOf(error)) expect(text).not.toContain(TOKEN);
  });
});
