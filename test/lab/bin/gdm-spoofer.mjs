// A GDM spoofer for the lab (issue 15 item 1): answers every `M-SEARCH * HTTP/1.` on udp <bind>:32414 with a GDM
// reply carrying a COPIED Resource-Identifier, and (unless httpPort is 0) runs the "server" that reply points to: an
// HTTP server on <bind>:<httpPort> that answers /identity with the copied machineIdentifier, 200 to anything else,
// and appends one JSON line per request to <log>: { path, token } where token says whether an X-Plex-Token came (in a
// header or the query). The token value itself is never written.
// argv[2]: { bind, machineIdentifier, name, httpPort, log }
import { createSocket } from 'node:dgram';
import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

const options = JSON.parse(process.argv[2] ?? 'null');
if (!options?.bind || !options.machineIdentifier || !options.log) {
  process.stderr.write(
    'usage: gdm-spoofer.mjs \'{"bind":"192.168.1.1","machineIdentifier":"...","httpPort":32400,"log":"/x"}\'\n',
  );
  process.exit(2);
}
writeFileSync(options.log, '');
const reply = Buffer.from(
  [
    'HTTP/1.0 200 OK',
    'Content-Type: plex/media-server',
    `Resource-Identifier: ${options.machineIdentifier}`,
    `Name: ${options.name ?? 'Plex'}`,
    `Port: ${options.httpPort || 32400}`,
    'Updated-At: 1585769946',
    'Version: 1.41.3.9314-a0bfb8370',
    '',
    '',
  ].join('\r\n'),
);
const udp = createSocket('udp4');
udp.on('message', (message, from) => {
  if (message.toString('latin1').startsWith('M-SEARCH * HTTP/1.')) udp.send(reply, from.port, from.address);
});
udp.bind(32414, options.bind);

if (options.httpPort) {
  const identity = `<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="0" claimed="1" machineIdentifier="${options.machineIdentifier}" version="1.41.3.9314-a0bfb8370"></MediaContainer>\n`;
  createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://spoofer.invalid');
    const token = Boolean(request.headers['x-plex-token']) || url.searchParams.has('X-Plex-Token');
    appendFileSync(options.log, `${JSON.stringify({ path: url.pathname, token })}\n`);
    if (url.pathname === '/identity') {
      response.writeHead(200, { 'Content-Type': 'text/xml;charset=utf-8' }).end(identity);
    } else {
      response.writeHead(200, { 'Content-Type': 'text/xml;charset=utf-8' }).end('<MediaContainer size="0"/>');
    }
  }).listen(options.httpPort, options.bind);
}
