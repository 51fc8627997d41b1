/**
 * A loopback UDP socket for the fakes (SSDP, GDM, NAT-PMP, DNS): bound before it is handed out, never able to take the
 * process down with an 'error' event, and closable more than once.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export interface UdpResponder {
  readonly socket: Socket;
  readonly port: number;
  /** Sends, ignoring a socket closed meanwhile (a delayed reply after close). */
  send(datagram: Buffer, to: Pick<RemoteInfo, 'address' | 'port'>): void;
  close(): Promise<void>;
}

export async function startUdpResponder(
  host: string,
  port: number,
  onMessage: (message: Buffer, from: RemoteInfo, responder: UdpResponder) => void,
): Promise<UdpResponder> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  // An unhandled 'error' on a dgram socket kills the process; a test server must never do that.
  socket.on('error', () => undefined);
  let closed = false;
  const responder: UdpResponder = {
    socket,
    port: 0,
    send(datagram, to) {
      if (closed) return;
      try {
        socket.send(datagram, to.port, to.address, () => undefined);
      } catch {
        // closed meanwhile
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        socket.close(() => resolve());
      }),
  };
  socket.on('message', (message, from) => onMessage(message, from, responder));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return Object.assign(responder, { port: socket.address().port });
}
