// Sends one datagram from a fresh loopback socket and collects what comes back within `waitMs`.
import { createSocket } from 'node:dgram';

export async function udpExchange(port: number, message: Buffer | string, waitMs = 150): Promise<Buffer[]> {
  const socket = createSocket('udp4');
  const replies: Buffer[] = [];
  socket.on('message', (reply) => replies.push(reply));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.send(typeof message === 'string' ? Buffer.from(message) : message, port, '127.0.0.1');
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  socket.close();
  return replies;
}
