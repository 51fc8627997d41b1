/** The router: forwards that point elsewhere, automatic mapping that cannot work, an ISP filtering the port. */
import { HOME, deviceValue, ok, resourcesValue } from '../../src/testing/observations.js';
import { account, defineCases, identity, noIgd, noNatPmp, noToken, prefs, unreachable, upnp } from './define.js';

const manual = (port = 32400) => prefs({ ManualPortMappingMode: true, ManualPortMappingPort: port });

export default defineCases([
  {
    id: 'forward-to-old-dhcp-address',
    story:
      'Port forward 32400 → 192.168.1.23 has been there for years; the server got a new address after a router reset.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': manual(),
      'probe.upnp': upnp({ mappings: [{ externalPort: 32400, internalClient: '192.168.1.23', internalPort: 32400 }] }),
    },
    expect: { verdict: 'problems', cause: 'manual-port-mismatch' },
  },
  {
    id: 'forward-on-other-port',
    story: 'Manual port 32400 in Plex; on the router I forwarded 32401 to the server.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': manual(),
      'probe.upnp': upnp({ mappings: [{ externalPort: 32401, internalClient: HOME.server, internalPort: 32400 }] }),
    },
    expect: { verdict: 'problems', cause: 'manual-port-mismatch' },
  },
  {
    id: 'automatic-but-no-upnp',
    story: 'Never set up a forward, Plex is on automatic. Router UPnP is off.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': prefs(),
      'probe.upnp': noIgd(),
      'probe.natpmp': noNatPmp(),
    },
    expect: { verdict: 'problems', cause: 'no-port-forward' },
  },
  {
    id: 'automatic-no-upnp-state-unknown',
    story: 'Remote Access page spins on "retrying". Manual port unticked, the router does no UPnP or NAT-PMP.',
    observations: {
      'server.identity': identity(),
      'server.account': account({ mappingState: 'waiting', mappingError: '', publicAddress: '', publicPort: 0 }),
      'server.prefs': prefs(),
      'probe.upnp': noIgd(),
      'probe.natpmp': noNatPmp(),
    },
    expect: { verdict: 'problems', cause: 'no-port-forward' },
  },
  {
    id: 'no-token-no-upnp',
    story: 'Ran it without signing in. The router answered neither UPnP nor NAT-PMP.',
    observations: {
      'server.identity': identity(),
      'server.account': noToken(),
      'server.prefs': noToken(),
      'probe.upnp': noIgd(),
      'probe.natpmp': noNatPmp(),
    },
    snapshot: { context: { tokenProvided: false, plexTv: true, experiments: [] } },
    expect: { verdict: 'inconclusive', candidates: ['no-port-forward'] },
  },
  {
    id: 'upnp-table-has-other-hosts-only',
    story: 'UPnP is on, the Xbox and qBittorrent map ports fine, Plex on automatic does not show up.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': prefs(),
      'probe.upnp': upnp({
        mappings: [
          { externalPort: 3074, internalClient: '192.168.1.40', internalPort: 3074, description: 'Xbox' },
          { externalPort: 51413, internalClient: '192.168.1.12', internalPort: 51413, description: 'qBittorrent' },
        ],
      }),
      'probe.natpmp': noNatPmp(),
    },
    expect: { verdict: 'problems', cause: 'no-port-forward' },
  },
  {
    id: 'isp-blocks-32400-forward-fine',
    story:
      'Forward 32400 → server is right, WAN IP matches what Plex shows, still "not available outside". Went dark two weeks ago without changes.',
    observations: {
      'server.identity': identity(),
      // The story's "WAN IP matches what Plex shows": the page shows the public address (it was '' here, unlike the story).
      'server.account': unreachable({ publicAddress: HOME.wan }),
      'server.prefs': manual(),
      'probe.upnp': upnp(),
    },
    expect: { verdict: 'problems', cause: 'isp-blocks-port' },
  },
  {
    id: 'forward-fine-plex-check-pending',
    story:
      'Forward in place, WAN public. Plex shows the spinner (waiting) and friends say it does not work from outside.',
    observations: {
      'server.identity': identity(),
      'server.account': account({ mappingState: 'waiting', mappingError: '', publicAddress: '', publicPort: 0 }),
      'server.prefs': manual(),
      'probe.upnp': upnp(),
    },
    expect: { verdict: 'inconclusive', candidates: ['isp-blocks-port'] },
  },
  {
    id: 'remote-access-switched-off',
    story: 'Remote Access page only has an "Enable Remote Access" button.',
    observations: {
      'server.identity': identity(),
      'server.prefs': prefs({ PublishServerOnPlexOnlineKey: false }),
      'server.account': account({ mappingState: 'unknown', mappingError: '', publicAddress: '', publicPort: 0 }),
    },
    expect: { verdict: 'problems', cause: 'remote-access-disabled' },
  },
  {
    id: 'relay-only-indirect',
    story: 'Outside clients all show "Indirect" and are capped at 2 Mbps. Router UI hides port forwards.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': prefs(),
      'plextv.resources': ok(
        resourcesValue(
          deviceValue({
            connections: [
              { address: HOME.server, local: true },
              { address: HOME.relay, port: 8443, relay: true },
            ],
          }),
        ),
      ),
    },
    expect: { verdict: 'problems', candidates: ['no-port-forward'] },
  },
]);
