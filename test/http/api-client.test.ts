import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApiClient } from '../../src/http/api-client.js';
import { AuthError, DecodeError, HttpError, ResponseValidationError } from '../../src/core/errors.js';
import { startLoopbackServer, type LoopbackServer } from '../../src/testing/http-server.js';

const TOKEN = 'api-client-token-XYZ987';
let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const token = req.headers['x-plex-token'];
    if (path === '/needs-token' && token !== TOKEN) {
      res.writeHead(401, { 'Content-Type': 'text/html' });
      return res.end('<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>');
    }
    if (path === '/plextv-401') {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      return res.end('{"errors":[{"code":1001,"message":"User could not be authenticated","status":401}]}');
    }
    if (path === '/plextv-404-xml') {
      res.writeHead(404, { 'Content-Type': 'application/xml' });
      return res.end('<errors><error code="1020" message="Code not found or expired" status="404"/></errors>');
    }
    if (path === '/forbidden') {
      res.writeHead(403);
      return res.end();
    }
    if (path === '/boom') {
      res.writeHead(503, { 'Content-Type': 'text/plain' });
      return res.end(`maintenance, your token was ${TOKEN}`);
    }
    if (path === '/portal') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      return res.end('<!DOCTYPE html><html><head><title>Login</title></head><body></body></html>');
    }
    const accept = req.headers.accept ?? '';
    if (accept.includes('json')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end('{"MediaContainer":{"size":0,"claimed":true,"machineIdentifier":"abc"}}');
    }
    res.writeHead(200, { 'Content-Type': 'text/xml' });
    res.end('<MediaContainer size="0" claimed="1" machineIdentifier="abc"/>');
  });
});
afterAll(() => server.close());

const Identity = z.object({ MediaContainer: z.object({ machineIdentifier: z.string(), size: z.coerce.number() }) });

describe('createApiClient', () => {
  it('asks for JSON or XML and decodes either to the same data', async () => {
    const client = createApiClient({ baseUrl: `${server.url}/`, timeoutMs: 2000 });
    const json = await client.fetchData('GET', '/identity', Identity, 'identity', { accept: 'json' });
    const xml = await client.fetchData('GET', 'identity', Identity, 'identity', { accept: 'xml' });
    expect(json).toEqual(xml);
    expect(json.MediaContainer.machineIdentifier).toBe('abc');
  });

  it('says "token missing or invalid" on a 401 and tells whether a token was sent', async () => {
    const withToken = createApiClient({ baseUrl: server.url, token: 'wrong-token-value' });
    const error = await withToken.send('GET', '/needs-token').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('PLEXDIAG_AUTH');
    expect((error as AuthError).message).toMatch(/token missing or invalid$/);
    const without = createApiClient({ baseUrl: server.url });
    await expect(without.send('GET', '/needs-token')).rejects.toThrow(/none was given/);
    await expect(withToken.send('GET', '/needs-token', { auth: false })).rejects.toThrow(/none was given/);
  });

  it('keeps plex.tv structured errors (JSON and XML)', async () => {
    const client = createApiClient({ baseUrl: server.url, token: TOKEN });
    const error = (await client.send('GET', '/plextv-401').catch((e: unknown) => e)) as AuthError;
    expect(error.plexErrors).toEqual([{ code: 1001, message: 'User could not be authenticated', status: 401 }]);
    expect(error.message).toContain('User could not be authenticated');
    const notFound = (await client.send('GET', '/plextv-404-xml').catch((e: unknown) => e)) as HttpError;
    expect(notFound).toBeInstanceOf(HttpError);
    expect(notFound.status).toBe(404);
    expect(notFound.plexErrors[0]?.code).toBe(1020);
  });

  it('explains a 403 as a permission problem', async () => {
    const client = createApiClient({ baseUrl: server.url, token: TOKEN });
    await expect(client.send('GET', '/forbidden')).rejects.toThrow(/not allowed/);
  });

  it('keeps a redacted excerpt of an error body', async () => {
    const client = createApiClient({ baseUrl: server.url, token: TOKEN });
    const error = (await client.send('GET', '/boom').catch((e: unknown) => e)) as HttpError;
    expect(error.status).toBe(503);
    expect(error.bodyExcerpt).toContain('maintenance');
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(error.bodyExcerpt).not.toContain(TOKEN);
  });

  it('fails decoding of a captive portal answering 200', async () => {
    const client = createApiClient({ baseUrl: server.url });
    const error = await client.fetchData('GET', '/portal', Identity, 'identity').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).reason).toBe('html');
  });

  it('reports a wrong shape with the failing path', async () => {
    const client = createApiClient({ baseUrl: server.url });
    const Wrong = z.object({ MediaContainer: z.object({ friendlyName: z.string() }) });
    const error = (await client
      .fetchData('GET', '/identity', Wrong, 'server root')
      .catch((e: unknown) => e)) as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.issues[0]?.path).toEqual(['MediaContainer', 'friendlyName']);
    expect(error.message).toContain('unexpected server root shape');
  });
});
