/**
 * The reflector refuses what it must and can be made to connect nowhere but back to the requester. Every test
 * counts connections on a listener at the requester's address (127.0.0.1) and on a decoy at another loopback
 * address (127.0.0.2) on the same port: a refused request must leave both untouched, and nothing may reach the decoy.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BODY_BYTES } from '../../src/outside/protocol.js';
import { startReflector, type RunningReflector } from '../../src/outside/reflector/server.js';
import { newNonce } from '../../src/outside/signing.js';
import { SECRET, sendRaw, signed, startCountingListener, type CountingListener } from './helpers.js';

let reflector: RunningReflector;
let target: CountingListener;
let decoy: CountingListener;
let elsewhere: CountingListener;
const lines: string[] = [];

beforeAll(async () => {
  reflector = await startReflector({
    secret: SECRET,
    limits: { burst: 1000, refillMs: 1000 },
    deadlines: { tcpMs: 1000, tlsMs: 1000, identityMs: 1000 },
    log: (line) => lines.push(line),
  });
  target = await startCountingListener('127.0.0.1');
  decoy = await startCountingListener('127.0.0.2', target.port);
  elsewhere = await startCountingListener('127.0.0.3', target.port);
});
afterAll(async () => {
  await Promise.all([reflector?.close(), target?.close(), decoy?.close(), elsewhere?.close()]);
  // Whatever was refused or checked, no log line carries the secret.
  expect(lines.length).toBeGreaterThan(10);
  for (const line of lines) expect(line).not.toContain(SECRET);
});

let before = 0;
let elsewhereBefore = 0;
beforeEach(() => {
  before = target.count();
  elsewhereBefore = elsewhere.count();
});

const body = () => ({ version: 1, ports: [{ port: target.port }] });

function expectNoConnection(): void {
  expect(target.count()).toBe(before);
  expect(decoy.count()).toBe(0);
  expect(elsewhere.count()).toBe(elsewhereBefore);
}

async function expectRefused(request: Parameters<typeof sendRaw>[1], status: number, code?: string): Promise<void> {
  const answer = await sendRaw(reflector.port, request);
  expect(answer.status, answer.text).toBe(status);
  if (code) expect(answer.json).toMatchObject({ version: 1, error: { code } });
  expectNoConnection();
}

describe('authentication', () => {
  it('a signed request is answered and connects back once, to the requester', async () => {
    const answer = await sendRaw(reflector.port, signed(body()));
    expect(answer.status).toBe(200);
    expect(target.count()).toBe(before + 1);
    expect(decoy.count()).toBe(0);
  });

  it('refuses a request without authentication headers', async () => {
    await expectRefused(
      { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body()) },
      401,
      'unauthorized',
    );
  });

  it('refuses a request signed with another secret', async () => {
    await expectRefused(signed(body(), { secret: 'another-secret-0123456789abcdef-012345' }), 401, 'unauthorized');
  });

  it('refuses a tampered body (signed for one port, sent with another)', async () => {
    const sent = JSON.stringify({ version: 1, ports: [{ port: target.port }, { port: 22 }] });
    await expectRefused(signed(body(), { sendBody: sent }), 401, 'unauthorized');
  });

  it('refuses a tampered timestamp or nonce', async () => {
    const good = signed(body());
    const headers = good.headers!;
    await expectRefused(
      { ...good, headers: { ...headers, 'x-plexdiag-timestamp': String(Number(headers['x-plexdiag-timestamp']) + 1) } },
      401,
      'unauthorized',
    );
    await expectRefused({ ...good, headers: { ...headers, 'x-plexdiag-nonce': newNonce() } }, 401, 'unauthorized');
  });

  it('refuses a replayed request: same nonce, same signature', async () => {
    const request = signed(body());
    expect((await sendRaw(reflector.port, request)).status).toBe(200);
    before = target.count();
    await expectRefused(request, 401, 'replayed');
  });

  it('refuses expired and future-dated requests, and says the reflector clock', async () => {
    const old = String(Date.now() - 120_000);
    const answer = await sendRaw(reflector.port, signed(body(), { timestamp: old }));
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: { code: 'expired' }, serverTime: expect.any(Number) });
    await expectRefused(signed(body(), { timestamp: String(Date.now() + 120_000) }), 401, 'expired');
    expectNoConnection();
  });

  it('refuses malformed authentication headers', async () => {
    const good = signed(body());
    for (const [name, value] of [
      ['x-plexdiag-nonce', 'short'],
      ['x-plexdiag-nonce', 'Z'.repeat(32)],
      ['x-plexdiag-timestamp', '12e3'],
      ['x-plexdiag-timestamp', '-5'],
      ['x-plexdiag-signature', ''],
    ] as const)
      await expectRefused({ ...good, headers: { ...good.headers, [name]: value } }, 401, 'unauthorized');
  });
});

describe('no way to point it at another address', () => {
  const spoofHeaders = {
    'x-forwarded-for': '127.0.0.2',
    forwarded: 'for=127.0.0.2',
    'x-real-ip': '127.0.0.2',
    'x-client-ip': '127.0.0.2',
    'true-client-ip': '127.0.0.2',
    host: `127.0.0.2:${0}`,
  };

  it('ignores every proxy header and the Host header', async () => {
    const answer = await sendRaw(reflector.port, signed(body(), { extraHeaders: spoofHeaders }));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ source: { address: '127.0.0.1' } });
    expect(target.count()).toBe(before + 1);
    expect(decoy.count()).toBe(0);
  });

  it('ignores a query string naming a host', async () => {
    const request = { ...signed(body()), path: '/v1/check?host=127.0.0.2&address=127.0.0.2' };
    expect((await sendRaw(reflector.port, request)).status).toBe(200);
    expect(decoy.count()).toBe(0);
  });

  it.each([
    ['host', { host: '127.0.0.2' }],
    ['address', { address: '127.0.0.2' }],
    ['target', { target: '127.0.0.2' }],
    ['ip', { ip: '127.0.0.2' }],
    ['url', { url: 'http://127.0.0.2/' }],
  ])('refuses a body with a "%s" field, top level and per port', async (_name, extra) => {
    await expectRefused(signed({ ...body(), ...extra }), 400, 'bad-request');
    await expectRefused(signed({ version: 1, ports: [{ port: target.port, ...extra }] }), 400, 'bad-request');
  });

  it('refuses an address as SNI name, and never dials a name given as SNI', async () => {
    await expectRefused(
      signed({ version: 1, ports: [{ port: target.port, tls: true, servername: '127.0.0.2' }] }),
      400,
    );
    await expectRefused(signed({ version: 1, ports: [{ port: target.port, tls: true, servername: '[::1]' }] }), 400);
    const answer = await sendRaw(
      reflector.port,
      signed({ version: 1, ports: [{ port: target.port, tls: true, servername: 'localhost' }] }),
    );
    expect(answer.status).toBe(200);
    expect(decoy.count()).toBe(0);
  });

  it('checks whichever address the request came from: 127.0.0.3 is checked, 127.0.0.1 is not', async () => {
    const answer = await sendRaw(reflector.port, signed(body(), { localAddress: '127.0.0.3' }));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ source: { address: '127.0.0.3' } });
    expect(elsewhere.count()).toBe(elsewhereBefore + 1);
    expect(target.count()).toBe(before);
    expect(decoy.count()).toBe(0);
  });
});

describe('malformed and oversized requests: a clear 4xx, nothing else', () => {
  it.each([
    ['not JSON', 'not json{'],
    ['JSON but not an object', '[1,2,3]'],
    ['no ports', { version: 1, ports: [] }],
    ['nine ports', { version: 1, ports: Array.from({ length: 9 }, (_, i) => ({ port: 1000 + i })) }],
    ['port 0', { version: 1, ports: [{ port: 0 }] }],
    ['port 65536', { version: 1, ports: [{ port: 65536 }] }],
    ['a fractional port', { version: 1, ports: [{ port: 80.5 }] }],
    ['a port as text', { version: 1, ports: [{ port: '80' }] }],
    ['a duplicate port', { version: 1, ports: [{ port: 80 }, { port: 80 }] }],
    ['another protocol version', { version: 2, ports: [{ port: 80 }] }],
    ['an unknown identity scheme', { version: 1, ports: [{ port: 80, identity: 'gopher' }] }],
  ])('signed but %s → 400', async (_name, payload) => {
    await expectRefused(signed(payload), 400, 'bad-request');
  });

  it('a declared body over the cap → 413 before anything is read', async () => {
    const big = JSON.stringify({ version: 1, ports: [{ port: 80 }], pad: 'x'.repeat(MAX_REQUEST_BODY_BYTES) });
    await expectRefused(signed(big), 413, 'too-large');
  });

  it('a chunked body that grows over the cap → 413', async () => {
    const big = 'x'.repeat(MAX_REQUEST_BODY_BYTES + 100);
    const request = signed(big);
    await expectRefused(
      { ...request, headers: { ...request.headers, 'transfer-encoding': 'chunked' } },
      413,
      'too-large',
    );
  });

  it('oversized headers → 431', async () => {
    const request = signed(body(), { extraHeaders: { 'x-pad': 'y'.repeat(20_000) } });
    const answer = await sendRaw(reflector.port, request);
    expect(answer.status).toBe(431);
    expectNoConnection();
  });

  it('wrong method, path or media type → 405, 404, 415', async () => {
    await expectRefused({ ...signed(body()), method: 'GET', body: '' }, 405, 'method-not-allowed');
    await expectRefused({ ...signed(body()), path: '/' }, 404, 'not-found');
    await expectRefused({ ...signed(body()), path: '/v1/check/../admin' }, 404, 'not-found');
    const request = signed(body());
    await expectRefused(
      { ...request, headers: { ...request.headers, 'content-type': 'text/plain' } },
      415,
      'unsupported-media-type',
    );
  });
});
