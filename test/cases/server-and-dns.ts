/** The server itself, the account, plex.tv, DNS and TLS. */
import { HOME, failed, ok, plexDirectDnsValue, prefsValue } from '../../src/testing/observations.js';
import { account, defineCases, identity, noToken, prefs } from './define.js';

const refused = failed('PLEXDIAG_NETWORK', 'connect ECONNREFUSED 192.168.1.10:32400', {
  phase: 'connect',
  causeCode: 'ECONNREFUSED',
});
const unauthorized = failed('PLEXDIAG_AUTH', 'GET /myplex/account → 401 Unauthorized', { status: 401 });
const plexTvDown = failed('PLEXDIAG_NETWORK', 'getaddrinfo ENOTFOUND plex.tv', {
  phase: 'dns',
  causeCode: 'ENOTFOUND',
});

export default defineCases([
  {
    id: 'server-not-running',
    story: 'After the update the web app just says it cannot reach the server, even at home.',
    observations: {
      'server.identity': refused,
      'probe.target': failed('ECONNREFUSED', 'connection refused', { phase: 'connect' }),
    },
    expect: { verdict: 'problems', cause: 'server-unreachable' },
  },
  {
    id: 'never-claimed',
    story: 'Fresh Docker install, PLEX_CLAIM expired before first start; the server does not show up in my account.',
    observations: { 'server.identity': identity(false) },
    expect: { verdict: 'problems', cause: 'server-not-claimed' },
  },
  {
    id: 'token-copied-wrong',
    story: 'Pasted the token from the XML view; every call says 401.',
    observations: {
      'server.identity': identity(),
      'server.root': unauthorized,
      'server.prefs': unauthorized,
      'server.account': unauthorized,
    },
    expect: { verdict: 'problems', cause: 'token-rejected' },
  },
  {
    id: 'pihole-blocks-plextv',
    story: 'Pi-hole with a big blocklist. The server shows as offline in the app, local playback works.',
    observations: {
      'server.identity': identity(),
      'plextv.resources': plexTvDown,
      'plextv.user': plexTvDown,
      'plextv.publicIp': plexTvDown,
    },
    expect: { verdict: 'problems', cause: 'plextv-unreachable' },
  },
  {
    id: 'publish-error',
    story: 'Remote Access page: "Not available outside your network" with a publish error in the logs.',
    observations: {
      'server.identity': identity(),
      'server.account': account({ mappingState: 'failed', mappingError: 'publisherror' }),
    },
    expect: { verdict: 'problems', cause: 'mapping-failed' },
  },
  {
    id: 'pfsense-dns-rebinding',
    story: 'pfSense with the DNS resolver. At home every client plays through Relay; remote is fine.',
    observations: {
      'server.identity': identity(),
      'probe.plexDirectDns': ok(
        plexDirectDnsValue(
          { address: HOME.server, verdict: 'rebinding-blocked', answers: [{ outcome: 'rebinding-blocked' }] },
          { address: HOME.wan },
        ),
      ),
    },
    expect: { verdict: 'problems', cause: 'plex-direct-dns-rebinding' },
  },
  {
    id: 'secure-required-http-custom-url',
    story:
      'Set Secure connections to Required and added http://plex.example.com:32400 as custom URL; apps cannot connect.',
    observations: {
      'server.identity': identity(),
      'server.prefs': prefs({ secureConnections: 0, customConnections: 'http://plex.example.com:32400' }),
    },
    // Decided from the prefs alone now: an http:// custom URL is one no app dials while secure connections are Required.
    expect: { verdict: 'problems', cause: 'secure-connections-required' },
  },
  {
    id: 'lan-networks-wrong-subnet',
    story: 'Home streams are treated as remote and transcoded; LAN Networks is 192.168.0.0/24 from the old router.',
    observations: {
      'server.identity': identity(),
      'server.prefs': ok(prefsValue({ LanNetworksBandwidth: '192.168.0.0/24' })),
      'server.account': account({}),
    },
    expect: { verdict: 'problems', cause: 'lan-networks-misconfigured' },
  },
  {
    id: 'nothing-but-identity',
    story: 'Ran it with --no-plextv and no token, from the server. It answered /identity, nothing else could run.',
    observations: {
      'server.identity': identity(),
      'server.root': noToken(),
      'server.prefs': noToken(),
      'server.account': noToken(),
    },
    snapshot: { context: { tokenProvided: false, plexTv: false, experiments: [] } },
    expect: { verdict: 'inconclusive' },
  },
  {
    id: 'all-skipped',
    story: 'A snapshot where every observation was skipped.',
    observations: {
      'server.identity': noToken(),
      'server.account': noToken(),
      'server.prefs': noToken(),
      'plextv.resources': noToken(),
    },
    snapshot: { context: { tokenProvided: false, plexTv: false, experiments: [] } },
    expect: { verdict: 'inconclusive' },
  },
]);
