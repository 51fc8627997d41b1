// The plex.direct authoritative stand-in (inet, 203.0.113.53:53): answers <ip-dashed>.<hash>.plex.direct with the
// encoded address like Plex's service; the router's dnsmasq forwards the zone here.
import { config, loadDist, log, ready } from './runner.mjs';

const options = config();
const { startFakeDnsServer } = await loadDist('testing.js', ['startFakeDnsServer']);
const dns = await startFakeDnsServer({ host: options.host, port: options.port, mode: options.mode ?? 'plex-direct' });
let seen = 0;
setInterval(() => {
  while (seen < dns.queries.length) {
    const query = dns.queries[seen++];
    log(`query ${query.type} ${query.name}`);
  }
}, 100).unref();
log(`fake plex.direct DNS on ${dns.address}`);
ready({ address: dns.address });
