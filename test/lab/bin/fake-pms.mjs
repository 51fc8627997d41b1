// The fake Plex Media Server in the LAN (or container) namespace, on :32400. It publishes itself to the fake
// plex.tv (which sees the address after real NAT) and asks for the connect-back check. In automatic mode it maps its
// port over UPnP with the project's IGD client, like a real PMS does. With a plex.direct certificate (the default,
// as on every current PMS) it answers HTTP and HTTPS on the same port, through the front in pms-front.mjs.
import { readFileSync } from 'node:fs';
import { startPmsFront } from './pms-front.mjs';
import { config, followRequests, loadDist, log, ready } from './runner.mjs';

const options = config();
const tls = options.tls
  ? { cert: readFileSync(options.tls.certFile, 'utf8'), key: readFileSync(options.tls.keyFile, 'utf8') }
  : undefined;
if (tls) {
  // The front must listen before the first publish: plex.tv's connect-back comes in through it.
  await startPmsFront({
    host: options.privateAddress,
    port: options.port,
    target: { host: '127.0.0.1', port: options.port },
    tls,
  });
  log(
    `HTTP + HTTPS front on ${options.privateAddress}:${options.port} (certificate for *.${options.certificateHash}.plex.direct)`,
  );
}
const { startFakePlexServer } = await loadDist('testing.js', ['startFakePlexServer']);

/**
 * `ipv6: true` labs: a real PMS listens on IPv6 only while "Enable server support for IPv6" is on, so the front on the
 * global address starts when the pref is (at start, or when a PUT /:/prefs turns it on) and stops when it goes off.
 */
let ipv6Front;
async function followIpv6Pref(enabled) {
  if (!options.ipv6Address || !tls) return;
  if (enabled && !ipv6Front) {
    ipv6Front = await startPmsFront({
      host: options.ipv6Address,
      port: options.port,
      target: { host: '127.0.0.1', port: options.port },
      tls,
    });
    log(`IPv6 front on [${options.ipv6Address}]:${options.port}`);
  } else if (!enabled && ipv6Front) {
    ipv6Front.close();
    ipv6Front = undefined;
    log('IPv6 front closed (EnableIPv6 off)');
  }
}

/** UPnP the way a PMS does it: find the IGD by SSDP, then AddPortMapping to itself. undefined = no mapping. */
async function upnpMapping(privatePort) {
  const { discoverIgd, createIgdClient } = await loadDist('probes.js', ['discoverIgd', 'createIgdClient']);
  const found = await discoverIgd({ timeoutMs: options.upnpTimeoutMs });
  if (found.status !== 'ok') {
    log('automatic mapping: no IGD:', found.error);
    return undefined;
  }
  const client = createIgdClient(found.value, { timeoutMs: options.upnpTimeoutMs });
  const externalPort = options.automaticExternalPort;
  const added = await client.addPortMapping({
    externalPort,
    internalPort: privatePort,
    internalClient: options.privateAddress,
    protocol: 'TCP',
    description: 'Plex Media Server',
    leaseSeconds: 7200,
  });
  log(
    `automatic mapping via ${found.value.controlUrl}: ${externalPort} -> ${options.privateAddress}:${privatePort}:`,
    added.status,
    added.status === 'ok' ? '' : added,
  );
  return added.status === 'ok' ? { externalPort } : undefined;
}

const server = await startFakePlexServer({
  host: options.tls ? '127.0.0.1' : options.host,
  port: options.port,
  token: process.env.PD_LAB_TOKEN,
  friendlyName: options.friendlyName,
  ...(options.machineIdentifier ? { machineIdentifier: options.machineIdentifier } : {}),
  claimed: options.claimed,
  signedIn: options.signedIn,
  prefs: {
    ...options.prefs,
    ManualPortMappingMode: options.portMapping === 'manual',
    ManualPortMappingPort: options.manualPort,
  },
  account: { privateAddress: options.privateAddress },
  ...(options.plexTvUrl ? { plexTv: { url: options.plexTvUrl } } : {}),
  ...(options.portMapping === 'automatic' ? { automaticMapping: upnpMapping } : {}),
  plexTvTimeoutMs: 5000,
  ...(options.certificateHash ? { certificateHash: options.certificateHash } : {}),
  ...(options.ipv6Address ? { ipv6Addresses: [options.ipv6Address] } : {}),
  onPrefsChange: async (changes) => {
    if ('EnableIPv6' in changes) await followIpv6Pref(changes.EnableIPv6 === '1');
  },
});
// The pref's stored value (the catalogue's default when the scenario did not set it).
await followIpv6Pref(server.state.prefs.EnableIPv6 === '1');
followRequests(server.requests, (r) => `${r.method} ${r.path}${r.hadToken ? ' (token)' : ''}`);
const account = server.state.account;
const summary = () => ({
  mappingState: account.mappingState,
  mappingError: account.mappingError,
  publicAddress: server.state.lastPublish?.publicAddress,
  reachability: server.state.lastReachability,
});
log(`fake PMS ${server.machineIdentifier} on ${server.url}:`, summary());
ready({ url: server.url, machineIdentifier: server.machineIdentifier, ...summary() });
