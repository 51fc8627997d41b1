/**
 * The temporary HTTP listener of the phone check. It is on the internet for a few minutes, so it assumes scanners:
 * anything but `GET /<nonce>` gets a bland 404 and is only counted; headers must arrive within 5 s, the whole request
 * within 10 s, at most 8 KiB of headers, no body, 32 connections at once. A visit with the nonce from inside the
 * network (or the home's own public address) gets a page saying so, and the wait goes on. The first visit from
 * outside gets the "it worked" page; then the listener stops accepting.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { targetHasNonce } from './nonce.js';
import { insidePage, NOT_FOUND_BODY, PAGE_HEADERS, workedPage } from './page.js';
import type { ClassifySource, VisitSource } from './source.js';

export const LISTENER_LIMITS = {
  maxConnections: 32,
  maxHeaderBytes: 8192,
  headersTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
  /** Refused visits remembered for the result (more are only counted). */
  maxRecordedRefusals: 16,
} as const;

export interface PhoneListenerOptions {
  nonce: string;
  /** Who counts as outside (source.ts). Tests inject one that treats 127.0.0.1 as a phone. */
  classify: ClassifySource;
  /** @default '0.0.0.0' */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** Called for each refused visit with the nonce (inside or hairpin); exceptions are ignored. */
  onRefused?: (source: VisitSource) => void;
}

export interface PhoneVisit {
  source: VisitSource;
  userAgent?: string;
  at: string;
}

export interface PhoneListener {
  readonly host: string;
  readonly port: number;
  /** Settles with the first visit from outside, once its page was sent. */
  readonly visit: Promise<PhoneVisit>;
  /** Visits with the nonce that did not count (the first 16). */
  readonly refused: VisitSource[];
  /** Counters: requests without the nonce (404), refused visits with it. */
  readonly counts: { notFound: number; refused: number };
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: string, html: boolean): void {
  response.writeHead(status, {
    ...PAGE_HEADERS,
    'content-type': html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

export async function startPhoneListener(options: PhoneListenerOptions): Promise<PhoneListener> {
  const refused: VisitSource[] = [];
  const counts = { notFound: 0, refused: 0 };
  let done = false;
  let settle!: (visit: PhoneVisit) => void;
  const visit = new Promise<PhoneVisit>((resolve) => (settle = resolve));

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const hasBody =
      request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
    if (done || request.method !== 'GET' || hasBody || !targetHasNonce(request.url, options.nonce)) {
      counts.notFound++;
      send(response, 404, NOT_FOUND_BODY, false);
      return;
    }
    const source = options.classify(request.socket.remoteAddress ?? '');
    if (source.kind !== 'outside') {
      counts.refused++;
      if (refused.length < LISTENER_LIMITS.maxRecordedRefusals) refused.push(source);
      send(response, 403, insidePage(source.address, source.kind === 'hairpin'), true);
      try {
        options.onRefused?.(source);
      } catch {
        // A progress callback must not break the listener.
      }
      return;
    }
    // One success ends it: later requests (even with the nonce) get the 404.
    done = true;
    const userAgent = request.headers['user-agent'];
    response.once('finish', () =>
      settle({
        source,
        ...(typeof userAgent === 'string' ? { userAgent: userAgent.slice(0, 200) } : {}),
        at: new Date().toISOString(),
      }),
    );
    send(response, 200, workedPage(source.address), true);
  };

  const server = createServer(
    {
      maxHeaderSize: LISTENER_LIMITS.maxHeaderBytes,
      headersTimeout: LISTENER_LIMITS.headersTimeoutMs,
      requestTimeout: LISTENER_LIMITS.requestTimeoutMs,
      keepAlive: false,
      connectionsCheckingInterval: 1000,
    },
    handle,
  );
  server.maxConnections = LISTENER_LIMITS.maxConnections;
  // A request with a body is answered without reading it; the socket closes after the answer (connection: close).
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    visit,
    refused,
    counts,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        done = true;
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
