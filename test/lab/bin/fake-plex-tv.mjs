// The fake plex.tv on the lab's "internet" (203.0.113.50:80): publish records the source address the request had
// after real NAT, and its reachability check connects back to it through the real NAT.
import { config, followRequests, loadDist, log, ready } from './runner.mjs';

const options = config();
const { startFakePlexTv } = await loadDist('testing.js', ['startFakePlexTv']);
const plexTv = await startFakePlexTv({
  host: options.host,
  port: options.port,
  tokens: [process.env.PD_LAB_TOKEN],
  connectBackTimeoutMs: options.connectBackTimeoutMs,
  // Relay connections the fake lists must point into the lab, never outside it.
  relayAddress: options.host,
});
followRequests(
  plexTv.requests,
  (r) => `${r.method} ${r.path} from ${r.remoteAddress}${r.status ? ` -> ${r.status}` : ''}`,
);
log(`fake plex.tv on ${plexTv.url}`);
ready({ url: plexTv.url });
