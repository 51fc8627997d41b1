/**
 * `startReflector`: the HTTP(S) server a user runs outside their network. Node's own limits bound what a client can
 * hold (header bytes, header and request deadlines, connections); the handler bounds everything else. Nothing is
 * written to disk: nonces and rate buckets live in memory and die with the process.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { UsageError } from '../../core/errors.js';
import { secretProblem } from '../signing.js';
import { createHandler, rateKey, sourceOfSocket } from './handler.js';
import { resolveReflectorOptions, type ReflectorOptions } from './options.js';

export interface StartReflectorOptions extends ReflectorOptions {
  /** Address to listen on. @default '127.0.0.1' (pass '0.0.0.0' or '::' to face the internet) */
  host?: string;
  /** @default 0 (an ephemeral port) */
  port?: number;
  /** Serve HTTPS with this PEM certificate and key. @default undefined (plain HTTP; requests and answers are signed either way) */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export interface RunningReflector {
  /** `http(s)://host:port`, what a client passes as `--reflector`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops listening and destroys every open connection (checks in flight are aborted). */
  close(): Promise<void>;
}

export async function startReflector(options: StartReflectorOptions): Promise<RunningReflector> {
  const problem = secretProblem(options.secret);
  if (problem) throw new UsageError(problem);
  const resolved = resolveReflectorOptions(options);
  const { limits } = resolved;
  const handle = createHandler(resolved);
  const serverOptions = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: 2000,
    // Node enforces headersTimeout/requestTimeout only when it sweeps its connections (every 30 s by default): a silent
    // socket would otherwise live 35 s, not 5 s.
    connectionsCheckingInterval: 1000,
  };
  const listener = (request: Parameters<typeof handle>[0], response: Parameters<typeof handle>[1]): void => {
    handle(request, response).catch(() => response.destroy());
  };
  const server: Server = options.tls
    ? createHttpsServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, listener)
    : createHttpServer(serverOptions, listener);
  server.maxConnections = limits.maxConnections;
  // Bytes that are not HTTP, oversized headers, a client too slow to send them: a bare status line, then close.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return void socket.destroy();
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  const sockets = new Set<Socket>();
  // One source may hold only a few of the maxConnections slots: silent sockets from one address lock nobody else out.
  const perSource = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const source = sourceOfSocket(socket);
    let key: string | undefined;
    try {
      key = source ? rateKey(source) : undefined;
    } catch {
      key = source?.address;
    }
    const held = key === undefined ? 0 : (perSource.get(key) ?? 0);
    if (key === undefined || held >= limits.maxConnectionsPerSource) return void socket.destroy();
    perSource.set(key, held + 1);
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      const left = (perSource.get(key) ?? 1) - 1;
      if (left > 0) perSource.set(key, left);
      else perSource.delete(key);
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
