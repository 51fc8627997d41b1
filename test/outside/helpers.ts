/** Test helpers for the reflector: raw (optionally signed) requests from a chosen loopback source, and listeners that count connections. */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP } from '../../src/outside/protocol.js';
import { newNonce, signRequest } from '../../src/outside/signing.js';

export const SECRET = 'test-secret-0123456789abcdef-0123456789';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Loopback address to send from (127.0.0.x): a distinct "source" for the reflector. @default '127.0.0.1' */
  localAddress?: string;
}

/** Sends one request as given (nothing added) and reads the whole answer, bounded by 10 s. */
export function sendRaw(port: number, raw: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: raw.method ?? 'POST',
        path: raw.path ?? '/v1/check',
        // A body always goes with its length (or the chunking asked for): bytes after a body-less DELETE would be
        // read as the next request, a client mistake rather than the input under test.
        headers: {
          ...(raw.body !== undefined && raw.body.length > 0 && !raw.headers?.['transfer-encoding']
            ? { 'content-length': String(Buffer.byteLength(raw.body)) }
            : {}),
          ...raw.headers,
        },
        localAddress: raw.localAddress ?? '127.0.0.1',
        timeout: 10_000,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('test request timed out')));
    req.on('error', reject);
    req.end(raw.body);
  });
}

export interface SignOptions {
  secret?: string;
  timestamp?: string;
  nonce?: string;
  /** Extra headers, e.g. an X-Forwarded-For that must be ignored. */
  extraHeaders?: Record<string, string>;
  localAddress?: string;
  /** Sign this body but send `sendBody` (tampering). */
  sendBody?: string;
}

export function signed(body: unknown, options: SignOptions = {}): RawRequest {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = options.timestamp ?? String(Date.now());
  const nonce = options.nonce ?? newNonce();
  return {
    headers: {
      'content-type': 'application/json',
      [HEADER_TIMESTAMP]: timestamp,
      [HEADER_NONCE]: nonce,
      [HEADER_SIGNATURE]: signRequest(options.secret ?? SECRET, timestamp, nonce, text),
      ...options.extraHeaders,
    },
    body: options.sendBody ?? text,
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  };
}

export interface CountingListener {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  count(): number;
  close(): Promise<void>;
}

/** A TCP listener that accepts, counts and closes every connection (or, with `hold`, keeps it open and silent). */
export async function startCountingListener(host: string, port = 0, hold = false): Promise<CountingListener> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
    if (!hold) socket.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as { port: number };
  return {
    host,
    port: address.port,
    count: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const listener = await startCountingListener('127.0.0.1');
  const port = listener.port;
  await listener.close();
  return port;
}

/** Resolves once `condition()` holds, polling every 20 ms; rejects after `limitMs` (a bound, not a timing assertion). */
export async function until(condition: () => boolean, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
