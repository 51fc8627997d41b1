/**
 * Red-team attacks on the outside-check reflector, written independently of test/outside: raw sockets from chosen
 * loopback sources, pipelining, absolute-form targets, header tricks, connection floods, and a hostile reflector for
 * the client. Loopback only (127.0.0.0/8, ::1).
 */
import { connect, type Socket } from 'node:net';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { collectSnapshot } from '../../src/collect/collect-snapshot.js';
import { checkFromOutside } from '../../src/outside/client.js';
import { startFakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP } from '../../src/outside/protocol.js';
import { startReflector, type RunningReflector } from '../../src/outside/reflector/server.js';
import type { ReflectorLimits } from '../../src/outside/reflector/options.js';
import { newNonce, signRequest, signResponse } from '../../src/outside/signing.js';
import { SECRET, sendRaw, signed, startCountingListener } from '../outside/helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function reflectorWith(limits: Partial<ReflectorLimits> = {}, host?: string): Promise<RunningReflector> {
  const reflector = await startReflector({
    secret: SECRET,
    ...(host ? { host } : {}),
    limits: { burst: 1000, refillMs: 1000, ...limits },
    deadlines: { tcpMs: 1000, tlsMs: 1000, identityMs: 1000 },
  });
  cleanups.push(() => reflector.close());
  return reflector;
}

/** A raw TCP connection from `localAddress` that writes `bytes` and collects everything until the peer closes. */
function rawExchange(port: number, bytes: string, localAddress = '127.0.0.1', host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, localAddress });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('raw exchange timed out')), 10_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.on('connect', () => socket.write(bytes));
  });
}

function signedRequestText(
  body: string,
  options: { nonce?: string; timestamp?: string; target?: string; version?: string; close?: boolean } = {},
): string {
  const timestamp = options.timestamp ?? String(Date.now());
  const nonce = options.nonce ?? newNonce();
  const signature = signRequest(SECRET, timestamp, nonce, body);
  return (
    `POST ${options.target ?? '/v1/check'} ${options.version ?? 'HTTP/1.1'}\r\n` +
    `Host: reflector\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `${HEADER_TIMESTAMP}: ${timestamp}\r\n${HEADER_NONCE}: ${nonce}\r\n${HEADER_SIGNATURE}: ${signature}\r\n` +
    (options.close ? 'Connection: close\r\n' : '') +
    `\r\n${body}`
  );
}

const statusLines = (text: string): string[] => text.match(/HTTP\/1\.[01] \d{3}/g) ?? [];

describe('request routing and framing', () => {
  it('absolute-form target naming another host: 404, and nothing dialled', async () => {
    const reflector = await reflectorWith();
    const target = await startCountingListener('127.0.0.1');
    cleanups.push(() => target.close());
    const body = JSON.stringify({ version: 1, ports: [{ port: target.port }] });
    const answer = await rawExchange(
      reflector.port,
      signedRequestText(body, { target: `http://127.0.0.9:${target.port}/v1/check`, close: true }),
    );
    expect(statusLines(answer)).toEqual(['HTTP/1.1 404']);
    expect(target.count()).toBe(0);
  });

  it('pipelined on one keep-alive connection: a second request replaying the first nonce is refused', async () => {
    const reflector = await reflectorWith();
    const target = await startCountingListener('127.0.0.1');
    cleanups.push(() => target.close());
    const body = JSON.stringify({ version: 1, ports: [{ port: target.port }] });
    const nonce = newNonce();
    const timestamp = String(Date.now());
    const one = signedRequestText(body, { nonce, timestamp });
    const answer = await rawExchange(reflector.port, one + signedRequestText(body, { nonce, timestamp, close: true }));
    expect(statusLines(answer)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 401']);
    expect(answer).toContain('"replayed"');
    expect(target.count()).toBe(1);
  });

  it('HTTP/1.0 signed request is answered for the TCP source only', async () => {
    const reflector = await reflectorWith();
    const target = await startCountingListener('127.0.0.12');
    const decoy = await startCountingListener('127.0.0.1', target.port);
    cleanups.push(
      () => target.close(),
      () => decoy.close(),
    );
    const body = JSON.stringify({ version: 1, ports: [{ port: target.port }] });
    const answer = await rawExchange(reflector.port, signedRequestText(body, { version: 'HTTP/1.0' }), '127.0.0.12');
    expect(statusLines(answer)).toEqual(['HTTP/1.1 200']);
    expect(answer).toContain('"address":"127.0.0.12"');
    expect(target.count()).toBe(1);
    expect(decoy.count()).toBe(0);
  });

  it('smuggling: Content-Length with Transfer-Encoding is rejected as a whole, the hidden request never runs', async () => {
    const reflector = await reflectorWith();
    const target = await startCountingListener('127.0.0.1');
    cleanups.push(() => target.close());
    const hidden = signedRequestText(JSON.stringify({ version: 1, ports: [{ port: target.port }] }), { close: true });
    const smuggle =
      `POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\n` +
      `Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n${hidden}`;
    const answer = await rawExchange(reflector.port, smuggle);
    expect(statusLines(answer)).toEqual(['HTTP/1.1 400']);
    expect(target.count()).toBe(0);
  });
});

describe('authentication header tricks', () => {
  const body = { version: 1, ports: [{ port: 9 }] };
  it('an upper-case nonce (same bytes as a used lower-case one) is not accepted', async () => {
    const reflector = await reflectorWith();
    const nonce = newNonce();
    expect((await sendRaw(reflector.port, signed(body, { nonce }))).status).toBe(200);
    const upper = await sendRaw(reflector.port, signed(body, { nonce: nonce.toUpperCase() }));
    expect(upper.status).toBe(401);
  });

  it.each([
    ['seconds', String(Math.floor(Date.now() / 1000)), 'expired'],
    ['exponent', '1.7e12', 'unauthorized'],
    ['negative', '-1', 'unauthorized'],
    ['fraction', `${Date.now()}.5`, 'unauthorized'],
    ['NaN', 'NaN', 'unauthorized'],
    ['huge', '9'.repeat(40), 'unauthorized'],
    ['padded', ` ${Date.now()}`, undefined],
  ])('timestamp %s is refused', async (_name, timestamp, code) => {
    const reflector = await reflectorWith();
    const answer = await sendRaw(reflector.port, signed(body, { timestamp }));
    expect(answer.status).toBe(401);
    if (code) expect(answer.json).toMatchObject({ error: { code } });
  });

  it('duplicate authentication headers are refused, not merged', async () => {
    const reflector = await reflectorWith();
    const request = signed(body);
    const nonce = request.headers![HEADER_NONCE]!;
    const bytes =
      `POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(request.body as string)}\r\nConnection: close\r\n` +
      `${HEADER_TIMESTAMP}: ${request.headers![HEADER_TIMESTAMP]}\r\nX-PlexDiag-Nonce: ${nonce}\r\n${HEADER_NONCE}: ${nonce}\r\n` +
      `${HEADER_SIGNATURE}: ${request.headers![HEADER_SIGNATURE]}\r\n\r\n${request.body as string}`;
    expect(statusLines(await rawExchange(reflector.port, bytes))).toEqual(['HTTP/1.1 401']);
  });

  it('ports encoded differently but equal (32400, 32400.0, 3.24e4) count as one repeated port', async () => {
    const reflector = await reflectorWith();
    const text = '{"version":1,"ports":[{"port":32400},{"port":3.24e4},{"port":32400.0}]}';
    const answer = await sendRaw(reflector.port, signed(text));
    expect(answer.status).toBe(400);
    const proto = await sendRaw(reflector.port, signed('{"version":1,"ports":[{"port":9}],"__proto__":{"x":1}}'));
    expect(proto.status).toBe(400);
  });
});

describe('resource exhaustion', () => {
  it('one source holding every connection slot does not lock other sources out', async () => {
    const reflector = await reflectorWith({ maxConnections: 16 });
    const hogs: Socket[] = [];
    cleanups.push(async () => hogs.forEach((s) => s.destroy()));
    // 16 silent connections from one address: the attacker sends nothing, so only the header deadline would free them.
    for (let i = 0; i < 16; i++) {
      const socket = connect({ host: '127.0.0.1', port: reflector.port, localAddress: '127.0.0.20' });
      socket.on('error', () => undefined);
      hogs.push(socket);
      await new Promise((resolve) => socket.once('connect', resolve));
    }
    const target = await startCountingListener('127.0.0.21');
    cleanups.push(() => target.close());
    const answer = await sendRaw(
      reflector.port,
      signed({ version: 1, ports: [{ port: target.port }] }, { localAddress: '127.0.0.21' }),
    );
    expect(answer.status).toBe(200);
    expect(target.count()).toBe(1);
  });

  it('many sources (127.0.x.y) sending junk cannot fill the rate table against a signed requester', async () => {
    const reflector = await reflectorWith({ maxSources: 8, burst: 2, refillMs: 3_600_000 });
    for (let i = 0; i < 12; i++)
      await sendRaw(reflector.port, { localAddress: `127.0.1.${i + 1}`, body: 'junk' }).catch(() => undefined);
    const target = await startCountingListener('127.0.0.22');
    cleanups.push(() => target.close());
    const answer = await sendRaw(
      reflector.port,
      signed({ version: 1, ports: [{ port: target.port }] }, { localAddress: '127.0.0.22' }),
    );
    expect(answer.status, answer.text).toBe(200);
  });
});

describe('the source address', () => {
  it('a dual-stack reflector sees ::ffff:127.0.0.13 and checks 127.0.0.13 (family 4), nothing else', async () => {
    const reflector = await reflectorWith({}, '::');
    const target = await startCountingListener('127.0.0.13');
    const decoy = await startCountingListener('127.0.0.1', target.port);
    cleanups.push(
      () => target.close(),
      () => decoy.close(),
    );
    const body = JSON.stringify({ version: 1, ports: [{ port: target.port }] });
    const answer = await rawExchange(reflector.port, signedRequestText(body, { close: true }), '127.0.0.13');
    expect(statusLines(answer)).toEqual(['HTTP/1.1 200']);
    expect(answer).toContain('"source":{"address":"127.0.0.13","family":4}');
    expect(target.count()).toBe(1);
    expect(decoy.count()).toBe(0);
  });
});

/** A hostile "reflector": answers every request with `answer(nonce)`; counts requests. */
async function hostileReflector(
  answer: (nonce: string, response: import('node:http').ServerResponse) => void,
): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((request, response) => {
    hits += 1;
    request.resume();
    request.on('end', () => answer(String(request.headers[HEADER_NONCE]), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, hits: () => hits };
}

const ports = [{ port: 32400 }];
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('a hostile reflector, against the client', () => {
  it('a redirect is not followed', async () => {
    const elsewhere = await hostileReflector((_nonce, response) => response.end('{}'));
    const hostile = await hostileReflector((_nonce, response) => {
      response.writeHead(307, { location: `${elsewhere.url}/v1/check` });
      response.end();
    });
    const result = await checkFromOutside({ reflectorUrl: hostile.url, secret: SECRET, ports, timeoutMs: 5000 });
    expect(result.status).toBe('failed');
    expect(elsewhere.hits()).toBe(0);
  });

  it('an answer signed for another nonce is refused as a forgery', async () => {
    const hostile = await hostileReflector((_nonce, response) => {
      const text = JSON.stringify({
        version: 1,
        source: { address: '127.0.0.1', family: 4 },
        checkedAt: 'x',
        durationMs: 1,
        results: [],
      });
      response.writeHead(200, { [HEADER_SIGNATURE]: signResponse(SECRET, newNonce(), text) });
      response.end(text);
    });
    const result = await checkFromOutside({ reflectorUrl: hostile.url, secret: SECRET, ports, timeoutMs: 5000 });
    expect(result.status === 'failed' && result.error.code).toBe('EBADSIGNATURE');
  });

  it('a gzip-encoded answer is not inflated (no decompression bomb), and is no answer', async () => {
    const hostile = await hostileReflector((nonce, response) => {
      const packed = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
      response.writeHead(200, { 'content-encoding': 'gzip', [HEADER_SIGNATURE]: signResponse(SECRET, nonce, packed) });
      response.end(packed);
    });
    const result = await checkFromOutside({ reflectorUrl: hostile.url, secret: SECRET, ports, timeoutMs: 5000 });
    expect(result.status === 'failed' && result.error.code).toBe('EBADRESPONSE');
  });

  it('an endless slow answer is cut by the deadline, not waited on', async () => {
    const hostile = await hostileReflector((_nonce, response) => {
      response.writeHead(200);
      const timer = setInterval(() => response.write(' '), 50);
      response.on('close', () => clearInterval(timer));
    });
    const result = await checkFromOutside({ reflectorUrl: hostile.url, secret: SECRET, ports, timeoutMs: 1000 });
    expect(result.status).toBe('failed');
  });

  it('escape sequences in an unsigned refusal do not reach the failure message', async () => {
    const hostile = await hostileReflector((_nonce, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          version: 1,
          error: { code: 'unauthorized', message: '\u001b]0;pwned\u0007\u001b[2J\u009b31m' },
        }),
      );
    });
    const result = await checkFromOutside({ reflectorUrl: hostile.url, secret: SECRET, ports, timeoutMs: 5000 });
    expect(result.status).toBe('failed');
    if (result.status === 'failed') {
      expect(result.error.code).toBe('EREFLECTOR_UNAUTHORIZED');
      expect(result.error.message).not.toMatch(CONTROL);
    }
  });

  it('escape sequences in a signed answer (certificate names, machineIdentifier) are neutralised on arrival', async () => {
    const hostile = await hostileReflector((nonce, response) => {
      const text = JSON.stringify({
        version: 1,
        source: { address: '127.0.0.1', family: 4 },
        checkedAt: '2026-01-01T00:00:00.000Z',
        durationMs: 1,
        results: [
          {
            port: 32400,
            tcp: { state: 'open' },
            identity: {
              status: 'ok',
              httpStatus: 200,
              bodyKind: 'plex-identity',
              machineIdentifier: 'abc\u001b[2J\u001b]8;;http://x\u0007',
            },
            tls: {
              status: 'ok',
              authorized: false,
              certificate: {
                subject: 'CN=a\u001b[2J',
                subjectAltNames: ['DNS:\u202eexe.x', 'DNS:\u009b31m'],
                coversHost: false,
              },
            },
          },
        ],
      });
      response.writeHead(200, { [HEADER_SIGNATURE]: signResponse(SECRET, nonce, text) });
      response.end(text);
    });
    const result = await checkFromOutside({ reflectorUrl: hostile.url, secret: SECRET, ports, timeoutMs: 5000 });
    expect(result.status, JSON.stringify(result)).toBe('ok');
    if (result.status === 'ok')
      expect(JSON.stringify(result.value).replace(/\\u00[0-9a-f]{2}|\\[rn]/g, '\u0000')).not.toMatch(CONTROL);
  });
});

describe('slow clients', () => {
  it('slowloris headers (one byte at a time) are cut at the header deadline, not after Node’s 30 s sweep', async () => {
    const reflector = await reflectorWith({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    const closed = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: reflector.port, localAddress: '127.0.0.30' });
      const bytes = 'POST /v1/check HTTP/1.1\r\nHost: x\r\n' + 'X-Pad: ' + 'a'.repeat(4000);
      let index = 0;
      const drip = setInterval(() => {
        if (socket.writable && index < bytes.length) socket.write(bytes[index++]!);
      }, 50);
      const limit = setTimeout(() => socket.destroy(new Error('still open after 10 s')), 10_000);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', (error) => {
        clearInterval(drip);
        clearTimeout(limit);
        if (error.message.startsWith('still open')) reject(error);
        else resolve(Buffer.concat(chunks).toString('utf8'));
      });
      socket.on('close', () => {
        clearInterval(drip);
        clearTimeout(limit);
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
    });
    expect(closed === '' || closed.startsWith('HTTP/1.1 408')).toBe(true);
  });
});

describe('secrets in the snapshot', () => {
  it('credentials written into the reflector URL are not recorded (the client never sends them either)', async () => {
    const reflector = await reflectorWith();
    const plex = await startFakePlexServer({ machineIdentifier: 'm', token: 'owner-token-123' });
    cleanups.push(() => plex.close());
    const password = 'url-password-0123456789abcdef-xyz';
    const url = reflector.url.replace('http://', `http://owner:${password}@`);
    const snapshot = await collectSnapshot({
      url: plex.url,
      token: 'owner-token-123',
      plexTv: false,
      collectorIds: ['probe.outside'],
      outside: { reflectorUrl: url, secret: SECRET, forwards: [] },
    });
    const observation = snapshot.observations['probe.outside'];
    expect(observation?.status, JSON.stringify(observation)).toBe('ok');
    const text = JSON.stringify(snapshot);
    expect(text).not.toContain(password);
    expect(text).not.toContain(SECRET);
  });
});

describe('replay window edges', () => {
  it('a request future-dated by the whole window cannot be replayed at the last millisecond its timestamp is valid', async () => {
    let clock = 1_800_000_000_000;
    const reflector = await startReflector({
      secret: SECRET,
      now: () => clock,
      limits: { burst: 1000, refillMs: 1000 },
    });
    cleanups.push(() => reflector.close());
    const request = signed({ version: 1, ports: [{ port: 9 }] }, { timestamp: String(clock + 60_000) });
    expect((await sendRaw(reflector.port, request)).status).toBe(200);
    for (const later of [119_999, 120_000]) {
      clock = 1_800_000_000_000 + later;
      const replay = await sendRaw(reflector.port, request);
      expect(replay.status, `${later}: ${replay.text}`).toBe(401);
    }
  });
});

describe('a hostile peer at the connect-back address', () => {
  it('a redirect from the requester’s /identity to another address is not followed', async () => {
    const reflector = await reflectorWith();
    let elsewhereHits = 0;
    const elsewhere = createServer((_request, response) => {
      elsewhereHits += 1;
      response.end('<MediaContainer machineIdentifier="elsewhere"/>');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.41', resolve));
    const elsewherePort = (elsewhere.address() as { port: number }).port;
    const requester = createServer((_request, response) => {
      response.writeHead(302, { location: `http://127.0.0.41:${elsewherePort}/identity` });
      response.end();
    });
    await new Promise<void>((resolve) => requester.listen(0, '127.0.0.40', resolve));
    cleanups.push(
      () => new Promise((resolve) => elsewhere.close(resolve)),
      () => new Promise((resolve) => requester.close(resolve)),
    );
    const port = (requester.address() as { port: number }).port;
    const answer = await sendRaw(
      reflector.port,
      signed({ version: 1, ports: [{ port, identity: 'http' }] }, { localAddress: '127.0.0.40' }),
    );
    expect(answer.status, answer.text).toBe(200);
    expect(answer.text).not.toContain('elsewhere');
    expect(elsewhereHits).toBe(0);
  });
});
