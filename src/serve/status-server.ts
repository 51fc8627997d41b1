/**
 * The status page's HTTP server (node:http). Read-only and small on purpose: GET and HEAD only, no request bodies,
 * bounded header size, URL length, connection count and timeouts. Every response carries a strict
 * Content-Security-Policy (no inline script or style), and every body passes a final scrub of the secrets it knows
 * (the Plex token, the page's own credentials) after the escaping the pages already do.
 *
 * Without --serve-auth the server only answers requests whose Host is a loopback name: a web page elsewhere cannot
 * read it through DNS rebinding (a name that resolves to 127.0.0.1).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTextRedactor } from '../core/redact.js';
import type { LiveState } from './live-state.js';
import { isLoopbackHost, type ListenAddress } from './listen-address.js';
import { createStatusMetrics } from './metrics.js';
import { route, type Answer } from './routes.js';
import { authSecrets, isAuthorized, type ServeAuth } from './serve-auth.js';

const MAX_URL = 2048;
const MAX_HEADER_BYTES = 8 * 1024;
const MAX_CONNECTIONS = 64;

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cache-control': 'no-store',
};

export interface StatusServerOptions {
  state: LiveState;
  listen: ListenAddress;
  /** Required by the CLI for any non-loopback address. @default none (loopback only) */
  auth?: ServeAuth;
  /** Literal secrets scrubbed from every body (the Plex token). @default [] */
  secrets?: readonly string[];
  /** @default Date.now */
  now?: () => number;
}

export interface StatusServer {
  /** The base URL (with the port actually bound). */
  readonly url: string;
  readonly address: AddressInfo;
  close(): Promise<void>;
}

function hostOf(request: IncomingMessage): string {
  const host = request.headers.host ?? '';
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  return bracket ? bracket[1]! : host.replace(/:\d+$/, '');
}

function send(response: ServerResponse, head: boolean, answer: Answer, extra: Record<string, string> = {}): void {
  const body = Buffer.from(answer.body, 'utf8');
  response.writeHead(answer.status, {
    ...SECURITY_HEADERS,
    'content-type': answer.type,
    'content-length': String(body.length),
    ...extra,
  });
  response.end(head ? undefined : body);
}

const text = (status: number, body: string): Answer => ({
  status,
  type: 'text/plain; charset=utf-8',
  body: `${body}\n`,
});

export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const { state, auth } = options;
  const now = options.now ?? Date.now;
  const metrics = createStatusMetrics(state);
  const scrub = createTextRedactor([...(options.secrets ?? []), ...authSecrets(auth)]);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const head = request.method === 'HEAD';
    if (request.method !== 'GET' && !head)
      return send(response, false, text(405, 'read-only: GET and HEAD only'), { allow: 'GET, HEAD' });
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > 0 || request.headers['transfer-encoding'] !== undefined)
      return send(response, head, text(413, 'requests carry no body here'), { connection: 'close' });
    if ((request.url ?? '').length > MAX_URL) return send(response, head, text(414, 'URL too long'));
    if (auth && !isAuthorized(auth, request.headers.authorization))
      return send(response, head, text(401, 'authorization required'), {
        'www-authenticate': 'Basic realm="plex-diagnose", charset="UTF-8"',
      });
    if (!auth && !isLoopbackHost(hostOf(request))) return send(response, head, text(421, 'unexpected Host header'));
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://status.invalid');
    } catch {
      return send(response, head, text(400, 'bad request'));
    }
    const answer = await route(url, { state, metrics, now });
    send(response, head, { ...answer, body: scrub(answer.body) });
  }

  const server = createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 },
    (request, response) => {
      // Nothing is read from the body; drain it so a lying client cannot hold the socket with unread data.
      request.resume();
      handle(request, response).catch(() => {
        if (!response.headersSent) send(response, false, text(500, 'internal error'));
        else response.destroy();
      });
    },
  );
  server.maxConnections = MAX_CONNECTIONS;
  server.timeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
