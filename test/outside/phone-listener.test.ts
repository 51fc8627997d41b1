/**
 * The phone check's listener on loopback: only `GET /<nonce>` from outside counts; a visit with the nonce from inside
 * (here: 127.0.0.1 as the default classifier sees it, or a classifier that calls it LAN or hairpin) gets the "inside"
 * page and the wait goes on; scanners get a bland 404; one success ends it.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  makeNonce,
  sourceClassifier,
  startPhoneListener,
  targetHasNonce,
  type ClassifySource,
  type PhoneListener,
} from '../../src/outside/phone/index.js';

const asOutside: ClassifySource = (address) => ({ address, addressClass: 'public', kind: 'outside' });
const asLan: ClassifySource = () => ({ address: '192.168.1.23', addressClass: 'private', kind: 'inside' });
const asHairpin: ClassifySource = () => ({ address: '84.1.1.2', addressClass: 'public', kind: 'hairpin' });

let listener: PhoneListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

async function get(path: string, init: RequestInit = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(`http://127.0.0.1:${listener!.port}${path}`, init);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** Raw bytes on a socket: what a scanner sends. Resolves with whatever came back before the close. */
function raw(payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(listener!.port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('connect', () => socket.write(payload));
    setTimeout(() => reject(new Error('no close within 8 s')), 8000).unref();
  });
}

describe('nonce', () => {
  it('is 128 bits in base64url, different each time', () => {
    const a = makeNonce();
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(16);
    expect(makeNonce()).not.toBe(a);
  });
  it('matches only the exact path (a query string is ignored)', () => {
    const nonce = makeNonce();
    expect(targetHasNonce(`/${nonce}`, nonce)).toBe(true);
    expect(targetHasNonce(`/${nonce}?fbclid=1`, nonce)).toBe(true);
    expect(targetHasNonce(`/${nonce}/`, nonce)).toBe(false);
    expect(targetHasNonce(`/${nonce.slice(0, -1)}`, nonce)).toBe(false);
    expect(targetHasNonce(`/${nonce.slice(0, -1)}${nonce.endsWith('A') ? 'B' : 'A'}`, nonce)).toBe(false);
    expect(targetHasNonce(`//${nonce}`, nonce)).toBe(false);
    expect(targetHasNonce('/', nonce)).toBe(false);
    expect(targetHasNonce(undefined, nonce)).toBe(false);
    expect(targetHasNonce(`http://x/${nonce}`, nonce)).toBe(false);
  });
});

describe('source classification (default)', () => {
  const classify = sourceClassifier(['84.1.1.2']);
  it.each([
    ['127.0.0.1', 'inside', 'loopback'],
    ['::ffff:127.0.0.1', 'inside', 'loopback'],
    ['192.168.1.23', 'inside', 'private'],
    ['10.0.0.7', 'inside', 'private'],
    ['100.101.102.103', 'inside', 'cgnat'],
    ['fe80::1', 'inside', 'link-local'],
    ['fd00::5', 'inside', 'private'],
    ['84.1.1.2', 'hairpin', 'public'],
    ['::ffff:84.1.1.2', 'hairpin', 'public'],
    ['84.0.0.2', 'outside', 'public'],
    ['2a00:1450:4001::1', 'outside', 'public'],
  ])('%s is %s (%s)', (address, kind, addressClass) => {
    expect(classify(address)).toMatchObject({ kind, addressClass });
  });
});

describe('listener', () => {
  it('refuses a loopback visit with the nonce (default classifier) and keeps waiting', async () => {
    const nonce = makeNonce();
    const refused: string[] = [];
    listener = await startPhoneListener({
      nonce,
      host: '127.0.0.1',
      classify: sourceClassifier(['84.1.1.2']),
      onRefused: (source) => refused.push(source.kind),
    });
    const answer = await get(`/${nonce}`);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('This came from inside your network');
    expect(answer.body).toContain('Turn off Wi-Fi');
    expect(refused).toEqual(['inside']);
    expect(listener.refused).toEqual([{ address: '127.0.0.1', addressClass: 'loopback', kind: 'inside' }]);
    let settled = false;
    void listener.visit.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    // Still listening: a second refused visit is answered too.
    expect((await get(`/${nonce}`)).status).toBe(403);
    expect(listener.counts).toEqual({ notFound: 0, refused: 2 });
  });

  it('refuses a LAN source and a hairpin source with the page that says why', async () => {
    const nonce = makeNonce();
    listener = await startPhoneListener({ nonce, host: '127.0.0.1', classify: asLan });
    const lan = await get(`/${nonce}`);
    expect(lan.status).toBe(403);
    expect(lan.body).toContain('192.168.1.23, an address inside your network');
    await listener.close();
    listener = await startPhoneListener({ nonce, host: '127.0.0.1', classify: asHairpin });
    const hairpin = await get(`/${nonce}`);
    expect(hairpin.status).toBe(403);
    expect(hairpin.body).toContain('your home&#39;s own public address (84.1.1.2)');
  });

  it('answers scanners with a bland 404 that does not count: wrong path, other methods, a body', async () => {
    const nonce = makeNonce();
    listener = await startPhoneListener({ nonce, host: '127.0.0.1', classify: asOutside });
    for (const path of [
      '/',
      '/favicon.ico',
      `/${nonce}x`,
      `/${nonce.toLowerCase() === nonce ? nonce.toUpperCase() : nonce.toLowerCase()}`,
      '/wp-login.php',
    ]) {
      const answer = await get(path);
      expect(answer.status, path).toBe(404);
      expect(answer.body).toBe('Not found\n');
    }
    expect((await get(`/${nonce}`, { method: 'POST', body: 'x' })).status).toBe(404);
    expect((await get(`/${nonce}`, { method: 'HEAD' })).status).toBe(404);
    expect(listener.counts).toEqual({ notFound: 7, refused: 0 });
    // Garbage and oversized headers: a 4xx, then the socket closes (no hang).
    expect(await raw('\x16\x03\x01\x00\x05hello\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(`GET /${nonce} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(9000)}\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 4(31|00)/,
    );
  });

  it('counts one visit from outside: the "it worked" page, escaped, with a strict CSP; then it stops counting', async () => {
    const nonce = makeNonce();
    const sneaky: ClassifySource = () => ({
      address: '<img src=x onerror=alert(1)>',
      addressClass: 'public',
      kind: 'outside',
    });
    listener = await startPhoneListener({ nonce, host: '127.0.0.1', classify: sneaky });
    const answer = await get(`/${nonce}`, { headers: { 'user-agent': 'PhoneBrowser/1.0' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('It worked');
    expect(answer.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(answer.body).not.toContain('<img');
    expect(answer.body).not.toMatch(/<script|https?:\/\//);
    expect(answer.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/,
    );
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    const visit = await listener.visit;
    expect(visit.source.kind).toBe('outside');
    expect(visit.userAgent).toBe('PhoneBrowser/1.0');
    // The same URL again does not count a second time.
    expect((await get(`/${nonce}`)).status).toBe(404);
  });

  it('the inline style matches the CSP hash (the page renders styled under its own policy)', async () => {
    const { createHash } = await import('node:crypto');
    const nonce = makeNonce();
    listener = await startPhoneListener({ nonce, host: '127.0.0.1', classify: asOutside });
    const answer = await get(`/${nonce}`);
    const style = /<style>([^<]*)<\/style>/.exec(answer.body)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    expect(answer.headers.get('content-security-policy')).toContain(`'sha256-${hash}'`);
  });

  it('a port in use is an error at start, not a hang', async () => {
    listener = await startPhoneListener({ nonce: makeNonce(), host: '127.0.0.1', classify: asOutside });
    await expect(
      startPhoneListener({ nonce: makeNonce(), host: '127.0.0.1', port: listener.port, classify: asOutside }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
