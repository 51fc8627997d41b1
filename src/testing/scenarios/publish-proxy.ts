/**
 * A pass-through in front of the fake plex.tv that adds what the fake Plex Media Server cannot send yet: the
 * certificate hash of a server with Plex's `*.<hash>.plex.direct` certificate (every current server has one). With it,
 * the fake plex.tv lists plex.direct connections, as the real one does (docs/reference/plex-api.md §6), so the DNS
 * probe and the rebinding rules have names to work on. Everything else is forwarded unchanged, token included (header
 * only).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpRequest, type HttpMethod } from '../../http/transport.js';
import { readRequestBody, startLoopbackServer, type LoopbackServer } from '../http-server.js';

const PUBLISH_PATH = '/__fake/servers/publish';
const METHODS = new Set<HttpMethod>(['GET', 'HEAD', 'POST', 'PUT', 'DELETE']);

function withCertificateHash(body: string, certificateHash: string): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return body;
    return JSON.stringify({ certificateHash, ...(parsed as Record<string, unknown>) });
  } catch {
    return body; // the fake plex.tv answers a broken body with its own 400
  }
}

export async function startPublishProxy(plexTvUrl: string, certificateHash: string): Promise<LoopbackServer> {
  const upstream = plexTvUrl.replace(/\/+$/, '');
  return startLoopbackServer(async (request: IncomingMessage, response: ServerResponse) => {
    const method = (request.method ?? 'GET').toUpperCase() as HttpMethod;
    if (!METHODS.has(method)) {
      response.writeHead(405).end();
      return;
    }
    const path = request.url ?? '/';
    const raw = method === 'POST' || method === 'PUT' ? await readRequestBody(request, 256 * 1024) : undefined;
    const body =
      raw !== undefined && path.split('?')[0] === PUBLISH_PATH ? withCertificateHash(raw, certificateHash) : raw;
    const token = request.headers['x-plex-token'];
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'accept', 'x-plex-client-identifier'] as const) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await httpRequest({
      method,
      url: `${upstream}${path}`,
      headers,
      ...(typeof token === 'string' ? { token } : {}),
      ...(body !== undefined ? { body } : {}),
      timeoutMs: 5000,
      maxRedirects: 0,
    });
    response.writeHead(answer.status, {
      'Content-Type': answer.headers['content-type'] ?? 'application/octet-stream',
      'Content-Length': String(answer.body.length),
    });
    response.end(answer.body);
  });
}
