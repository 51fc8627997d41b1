// A real PMS answers plain HTTP and HTTPS (its `*.<hash>.plex.direct` certificate) on the same port, 32400: clients
// dial `http://192.168.1.10:32400` as well as `https://192-168-1-10.<hash>.plex.direct:32400`. The fake PMS speaks one
// of the two per listener, so the lab puts this front on <server address>:32400: it looks at the first byte of each
// connection (0x16 = a TLS handshake record) and passes the bytes on to the fake on 127.0.0.1:32400, either directly
// or through a local TLS terminator holding the lab's plex.direct certificate.
import { connect, createServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

const TLS_HANDSHAKE = 0x16;

/** Pipes two sockets together; either side closing or failing closes both. */
function splice(a, b) {
  const close = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', close).on('close', close);
  b.on('error', close).on('close', close);
  a.pipe(b);
  b.pipe(a);
}

const listen = (server, port, host) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });

/**
 * @param {{ host: string, port: number, target: { host: string, port: number }, tls: { cert: string, key: string } }} options
 * @returns {Promise<{ close(): void }>}
 */
export async function startPmsFront(options) {
  const toFake = () => connect(options.target.port, options.target.host);
  const terminator = createTlsServer({ cert: options.tls.cert, key: options.tls.key }, (clear) =>
    splice(clear, toFake()),
  );
  // A failed handshake (a client that distrusts the certificate) is that client's business, not a crash of ours.
  terminator.on('tlsClientError', () => undefined);
  const tlsPort = await listen(terminator, 0, '127.0.0.1');
  const front = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', (first) => {
      const upstream = first[0] === TLS_HANDSHAKE ? connect(tlsPort, '127.0.0.1') : toFake();
      upstream.write(first);
      splice(socket, upstream);
    });
  });
  await listen(front, options.port, options.host);
  return {
    close() {
      front.close();
      terminator.close();
    },
  };
}
