/**
 * A small UDP session for the datagram probes (SSDP, NAT-PMP, GDM): one socket, an error listener from birth (an
 * unhandled 'error' on a dgram socket kills the process), sends that report instead of throw (sending on a closed
 * socket throws synchronously), and a close that is safe to call twice. The socket closes when `signal` fires.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { errorCodeOf } from '../http/network-error.js';

export interface UdpSessionOptions {
  /** @default 'udp4' */
  type?: 'udp4' | 'udp6';
  /** Closes the socket when it fires. */
  signal: AbortSignal;
  /** Called for every datagram received. */
  onMessage: (message: Buffer, from: RemoteInfo) => void;
  /** Called for asynchronous socket errors (ICMP port unreachable on a connected socket arrives as ECONNREFUSED). @default ignore */
  onError?: (code: string, error: Error) => void;
  /** Connect the socket to this peer: the kernel then drops datagrams from anyone else and reports ICMP errors. @default unconnected */
  connectTo?: { address: string; port: number };
  /** Local address to send multicast from (`setMulticastInterface`). @default the kernel's choice */
  multicastInterface?: string;
  /** Allow sending to a broadcast address. @default false */
  broadcast?: boolean;
}

export interface UdpSession {
  readonly socket: Socket;
  /** Sends one datagram; resolves with the error code instead of throwing. `undefined` = sent. */
  send(message: Buffer, port?: number, address?: string): Promise<string | undefined>;
  close(): void;
  readonly closed: boolean;
}

/** Opens and binds (port 0, all addresses) a UDP socket. Rejects only if binding or connecting fails. */
export async function openUdpSession(options: UdpSessionOptions): Promise<UdpSession> {
  const socket = createSocket({ type: options.type ?? 'udp4' });
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    options.signal.removeEventListener('abort', close);
    try {
      socket.close();
    } catch {
      // Already closed by Node after a fatal error: nothing left to release.
    }
  };
  socket.on('error', (error: Error) => options.onError?.(errorCodeOf(error) ?? 'EUNKNOWN', error));
  socket.on('message', (message: Buffer, from: RemoteInfo) => {
    if (!closed) options.onMessage(message, from);
  });
  options.signal.addEventListener('abort', close, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    if (options.broadcast) socket.setBroadcast(true);
    if (options.multicastInterface) socket.setMulticastInterface(options.multicastInterface);
    const peer = options.connectTo;
    if (peer) {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.connect(peer.port, peer.address, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    }
  } catch (error) {
    close();
    throw error;
  }
  if (options.signal.aborted) close();
  return {
    socket,
    get closed() {
      return closed;
    },
    close,
    send: (message, port, address) =>
      new Promise((resolve) => {
        if (closed) return resolve('ECLOSED');
        try {
          const done = (error: Error | null): void => resolve(error ? (errorCodeOf(error) ?? 'EUNKNOWN') : undefined);
          if (port === undefined) socket.send(message, done);
          else socket.send(message, port, address, done);
        } catch (error) {
          resolve(errorCodeOf(error) ?? 'EUNKNOWN');
        }
      }),
  };
}

/**
 * Splits "host:port", "[v6]:port" or a bare host (then `defaultPort`). Returns undefined for anything else, so a bad
 * option becomes a probe failure rather than an exception.
 */
export function parseHostPort(text: string, defaultPort: number): { address: string; port: number } | undefined {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(trimmed);
  if (bracketed) return withPort(bracketed[1]!, bracketed[2], defaultPort);
  const colons = trimmed.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = trimmed.split(':');
    return withPort(host!, port, defaultPort);
  }
  // No colon, or an unbracketed IPv6 literal: no port in it.
  return withPort(trimmed, undefined, defaultPort);
}

function withPort(
  address: string,
  port: string | undefined,
  defaultPort: number,
): { address: string; port: number } | undefined {
  const value = port === undefined ? defaultPort : Number(port);
  if (!address || !Number.isInteger(value) || value < 1 || value > 65535) return undefined;
  return { address, port: value };
}
