import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockAgent } from 'undici';
import { httpRequest } from '../../src/http/transport.js';
import {
  AbortError,
  BodyTooLargeError,
  NetworkError,
  RedirectError,
  TimeoutError,
  UsageError,
} from '../../src/core/errors.js';
import { startLoopbackServer, type LoopbackServer } from '../../src/testing/http-server.js';
import { playFault, type FakeFault } from '../../src/testing/faults.js';

const TOKEN = 'tok-transport-SECRET-123456';

interface Seen {
  path: string;
  token: string | undefined;
}

let main: LoopbackServer;
let other: LoopbackServer;
const seenMain: Seen[] = [];
const seenOther: Seen[] = [];
const faults = new Map<string, FakeFault>();

beforeAll(async () => {
  other = await startLoopbackServer((req, res) => {
    seenOther.push({ path: req.url ?? '', token: req.headers['x-plex-token'] as string | undefined });
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('other');
  });
  main = await startLoopbackServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    seenMain.push({ path: req.url ?? '', token: req.headers['x-plex-token'] as string | undefined });
    const fault = faults.get(path);
    if (fault) return playFault(fault, req, res, 'xml');
    if (path === '/loop') {
      res.writeHead(302, { Location: '/loop' });
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Multi': ['a', 'b'] });
    res.end(`hello ${path}`);
  });
  faults.set('/hang', { kind: 'hang' });
  faults.set('/endless', { kind: 'endless' });
  faults.set('/trickle', { kind: 'trickle-headers' });
  faults.set('/huge', { kind: 'huge', bytes: 3 * 1024 * 1024 });
  faults.set('/reset', { kind: 'reset' });
  faults.set('/truncated', { kind: 'truncated' });
  faults.set('/same-origin', { kind: 'redirect', location: '/target' });
  faults.set('/cross-origin', { kind: 'redirect', location: `${other.url}/elsewhere?x=1` });
});

afterAll(async () => {
  await main.close();
  await other.close();
});

describe('httpRequest', () => {
  it('returns status, flattened lower-case headers and the body', async () => {
    const response = await httpRequest({ url: `${main.url}/plain`, timeoutMs: 2000 });
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('hello /plain');
    expect(response.headers['x-multi']).toBe('a, b');
    expect(response.tokenDropped).toBe(false);
  });

  it('sends the token as a header, never in the URL', async () => {
    const response = await httpRequest({
      url: `${main.url}/with-token`,
      token: TOKEN,
      query: { a: 1, b: true, c: undefined },
    });
    const seen = seenMain.find((s) => s.path.startsWith('/with-token'))!;
    expect(seen.token).toBe(TOKEN);
    expect(seen.path).toBe('/with-token?a=1&b=1');
    expect(response.url).not.toContain(TOKEN);
  });

  it('ends a request that never answers at the deadline, as a TimeoutError at the headers stage', async () => {
    const error = await httpRequest({ url: `${main.url}/hang`, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).stage).toBe('headers');
    expect((error as TimeoutError).timeoutMs).toBe(300);
  });

  it('ends a never-ending body at the deadline, as a TimeoutError at the body stage', async () => {
    const error = await httpRequest({ url: `${main.url}/endless`, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).stage).toBe('body');
  });

  it('ends trickling headers (slowloris) at the deadline', async () => {
    const error = await httpRequest({ url: `${main.url}/trickle`, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it('cuts a body larger than the cap instead of buffering it', async () => {
    const error = await httpRequest({ url: `${main.url}/huge`, maxBodyBytes: 256 * 1024 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect((error as BodyTooLargeError).limitBytes).toBe(256 * 1024);
  });

  it('reports a reset before any answer as a network error in the request phase', async () => {
    const error = await httpRequest({ url: `${main.url}/reset`, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).phase).toBe('request');
  });

  it('reports a body cut short as a network error in the response phase', async () => {
    const error = await httpRequest({ url: `${main.url}/truncated`, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).phase).toBe('response');
  });

  it('reports a refused connection in the connect phase with its code', async () => {
    const closed = await startLoopbackServer(() => undefined);
    const url = closed.url;
    await closed.close();
    const error = await httpRequest({ url: `${url}/identity`, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).phase).toBe('connect');
    expect((error as NetworkError).causeCode).toBe('ECONNREFUSED');
    expect((error as NetworkError).message).toContain('connection refused');
  });

  it('follows a same-origin redirect with the token', async () => {
    seenMain.length = 0;
    const response = await httpRequest({ url: `${main.url}/same-origin`, token: TOKEN });
    expect(response.body.toString()).toBe('hello /target');
    expect(seenMain.find((s) => s.path === '/target')?.token).toBe(TOKEN);
    expect(response.tokenDropped).toBe(false);
  });

  it('drops the token when a redirect leads to another origin', async () => {
    seenOther.length = 0;
    const response = await httpRequest({ url: `${main.url}/cross-origin`, token: TOKEN });
    expect(response.body.toString()).toBe('other');
    expect(seenOther).toHaveLength(1);
    expect(seenOther[0]!.token).toBeUndefined();
    expect(response.tokenDropped).toBe(true);
  });

  it('stops after too many redirects', async () => {
    const error = await httpRequest({ url: `${main.url}/loop`, maxRedirects: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
  });

  it("turns the caller's abort into an AbortError", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await httpRequest({ url: `${main.url}/hang`, timeoutMs: 5000, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AbortError);
  });

  it('rejects an already-aborted signal without sending', async () => {
    const before = seenMain.length;
    const error = await httpRequest({ url: `${main.url}/plain`, signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(seenMain.length).toBe(before);
  });

  it('rejects bad options with a UsageError', async () => {
    await expect(httpRequest({ url: 'not a url' })).rejects.toBeInstanceOf(UsageError);
    await expect(httpRequest({ url: main.url, timeoutMs: 0 })).rejects.toBeInstanceOf(UsageError);
  });

  it('uses an explicit dispatcher instead of the global one', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent.get('http://plex.example:32400').intercept({ path: '/identity', method: 'GET' }).reply(200, 'mocked');
    const response = await httpRequest({ url: 'http://plex.example:32400/identity', dispatcher: agent });
    expect(response.body.toString()).toBe('mocked');
    await agent.close();
  });
});
