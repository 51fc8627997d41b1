/**
 * Client ↔ reflector on loopback, and the client against reflectors that lie: a forged or replayed answer, another
 * secret, a refusal, junk. Then probe.outside through collectSnapshot: a loopback reflector is recorded as
 * `loopback-test`, never as outside.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSnapshot } from '../../src/collect/collect-snapshot.js';
import { checkFromOutside } from '../../src/outside/client.js';
import { HEADER_NONCE, HEADER_SIGNATURE } from '../../src/outside/protocol.js';
import { startReflector, type RunningReflector } from '../../src/outside/reflector/server.js';
import { signResponse } from '../../src/outside/signing.js';
import { classifyVantage } from '../../src/outside/vantage.js';
import { startFakePlexServer, type FakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { startLoopbackServer, type LoopbackServer } from '../../src/testing/http-server.js';
import { closedPort, SECRET } from './helpers.js';

let reflector: RunningReflector;
let plex: FakePlexServer;
beforeAll(async () => {
  reflector = await startReflector({
    secret: SECRET,
    limits: { burst: 100, refillMs: 1000 },
    deadlines: { tcpMs: 1000 },
  });
  plex = await startFakePlexServer({
    machineIdentifier: 'this-server-id',
    token: 'owner-token-123',
    // Automatic mapping: the public port is the one the server reports (set to the fake's own port below).
    prefs: { ManualPortMappingMode: false },
  });
});
afterAll(async () => {
  await Promise.all([reflector?.close(), plex?.close()]);
});

describe('checkFromOutside ↔ reflector', () => {
  it('gets a signed answer for each port, and the address it reached', async () => {
    const refused = await closedPort();
    const result = await checkFromOutside({
      reflectorUrl: reflector.url,
      secret: SECRET,
      ports: [{ port: plex.port, identity: 'http' }, { port: refused }],
    });
    expect(result.status, JSON.stringify(result)).toBe('ok');
    if (result.status !== 'ok') return;
    expect(result.value.reflectorAddress).toBe('127.0.0.1');
    expect(result.value.response.source.address).toBe('127.0.0.1');
    expect(result.value.response.results.map((r) => r.tcp.state)).toEqual(['open', 'refused']);
    expect(result.value.response.results[0]!.identity).toMatchObject({ machineIdentifier: 'this-server-id' });
  });

  it('another secret: the reflector refuses and the client says so', async () => {
    const result = await checkFromOutside({
      reflectorUrl: reflector.url,
      secret: 'x'.repeat(40),
      ports: [{ port: 9 }],
    });
    expect(result).toMatchObject({ status: 'failed', error: { code: 'EREFLECTOR_UNAUTHORIZED', phase: 'response' } });
  });

  it('a clock far off: expired, with how far', async () => {
    const result = await checkFromOutside({
      reflectorUrl: reflector.url,
      secret: SECRET,
      ports: [{ port: 9 }],
      now: () => Date.now() - 600_000,
    });
    expect(result.status).toBe('failed');
    if (result.status === 'failed') {
      expect(result.error.code).toBe('EREFLECTOR_EXPIRED');
      expect(result.error.message).toMatch(/our clock is -6\d\d s off/);
    }
  });

  it('refuses invalid ports before sending anything', async () => {
    const result = await checkFromOutside({ reflectorUrl: reflector.url, secret: SECRET, ports: [{ port: 0 }] });
    expect(result).toMatchObject({ status: 'failed', error: { code: 'EINVAL' } });
  });
});

describe('a reflector that lies', () => {
  let liar: LoopbackServer;
  let mode: 'unsigned' | 'wrong-nonce' | 'wrong-secret' | 'junk' | 'huge' = 'unsigned';
  const forged = JSON.stringify({
    version: 1,
    source: { address: '127.0.0.1', family: 4 },
    checkedAt: new Date().toISOString(),
    durationMs: 1,
    results: [{ port: 9, tcp: { state: 'open' } }],
  });
  beforeAll(async () => {
    liar = await startLoopbackServer((request, response) => {
      const nonce = String(request.headers[HEADER_NONCE]);
      request.resume();
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (mode === 'wrong-nonce') headers[HEADER_SIGNATURE] = signResponse(SECRET, 'f'.repeat(32), forged);
      if (mode === 'wrong-secret') headers[HEADER_SIGNATURE] = signResponse('y'.repeat(40), nonce, forged);
      response.writeHead(200, headers);
      response.end(mode === 'junk' ? 'not json' : mode === 'huge' ? 'x'.repeat(200_000) : forged);
    });
  });
  afterAll(() => liar?.close());

  it.each(['unsigned', 'wrong-nonce', 'wrong-secret'] as const)('a forged "open" (%s) is refused', async (m) => {
    mode = m;
    const result = await checkFromOutside({ reflectorUrl: liar.url, secret: SECRET, ports: [{ port: 9 }] });
    expect(result).toMatchObject({ status: 'failed', error: { code: 'EBADSIGNATURE' } });
  });

  it('junk and an endless body are refused, bounded', async () => {
    mode = 'junk';
    expect(await checkFromOutside({ reflectorUrl: liar.url, secret: SECRET, ports: [{ port: 9 }] })).toMatchObject({
      status: 'failed',
      error: { code: 'EBADSIGNATURE' },
    });
    mode = 'huge';
    expect(await checkFromOutside({ reflectorUrl: liar.url, secret: SECRET, ports: [{ port: 9 }] })).toMatchObject({
      status: 'failed',
      error: { code: 'EBODYTOOLARGE' },
    });
  });
});

describe('probe.outside', () => {
  it('records a loopback reflector as loopback-test, not outside, with the identity check against this server', async () => {
    plex.state.account.publicPort = plex.port;
    const refused = await closedPort();
    const snapshot = await collectSnapshot({
      url: plex.url,
      token: 'owner-token-123',
      plexTv: false,
      // `after`, not `needs`: the outside check reads these when they run, so ask for them.
      collectorIds: ['probe.outside', 'server.identity', 'server.account', 'server.prefs'],
      outside: { reflectorUrl: reflector.url, secret: SECRET, forwards: [{ port: refused }] },
    });
    const observation = snapshot.observations['probe.outside'];
    expect(observation?.status, JSON.stringify(observation)).toBe('ok');
    const value = observation?.status === 'ok' ? (observation.value as Record<string, unknown>) : {};
    expect(value.vantage).toBe('loopback-test');
    expect(value.outside).toBe(false);
    expect(value.sourceSeen).toEqual({ address: '127.0.0.1', class: 'loopback' });
    expect(value.ports).toEqual([
      expect.objectContaining({ port: plex.port, role: 'plex', portSource: 'reported', identityMatches: true }),
      expect.objectContaining({ port: refused, role: 'forward', tcp: expect.objectContaining({ state: 'refused' }) }),
    ]);
    expect(JSON.stringify(snapshot)).not.toContain(SECRET);
  });

  it('is skipped, with the reason, when no reflector is given', async () => {
    const snapshot = await collectSnapshot({ url: plex.url, plexTv: false, collectorIds: ['probe.outside'] });
    expect(snapshot.observations['probe.outside']).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('--reflector'),
    });
  });
});

describe('classifyVantage', () => {
  it.each([
    [{ reflectorAddress: '127.0.0.1', sourceSeen: '127.0.0.1' }, 'loopback-test'],
    [{ reflectorAddress: '::1', sourceSeen: '::1' }, 'loopback-test'],
    [{ reflectorAddress: '192.168.1.5', sourceSeen: '192.168.1.10' }, 'lan'],
    [{ reflectorAddress: '100.101.102.103', sourceSeen: '100.64.0.2' }, 'lan'],
    [{ reflectorAddress: '84.1.1.2', sourceSeen: '84.1.1.2', publicIp: '84.1.1.2' }, 'hairpin'],
    [{ reflectorAddress: '8.8.4.4', sourceSeen: '10.8.0.2' }, 'private-source'],
    [{ reflectorAddress: undefined, sourceSeen: '84.1.1.2' }, 'unknown'],
    [{ reflectorAddress: '8.8.4.4', sourceSeen: '84.1.1.2', publicIp: '84.1.1.2' }, 'reflector'],
  ])('%o → %s', (input, vantage) => {
    const verdict = classifyVantage(input);
    expect(verdict.vantage).toBe(vantage);
    expect(verdict.outside).toBe(vantage === 'reflector');
  });
});
