/** NAT in front of the router: CGNAT, a second router, a VPN on the server. */
import { HOME, deviceValue, hostValue, ok, resourcesValue } from '../../src/testing/observations.js';
import { PublicIpValue } from '../../src/collect/values/plextv.js';
import { account, defineCases, identity, noNatPmp, prefs, unreachable, upnp } from './define.js';

const publicIp = (address: string) => ok(PublicIpValue.parse({ address, class: 'public' }));

export default defineCases([
  {
    id: 'cgnat-router-wan-shared-space',
    story: 'Router status page says WAN IP 100.72.14.9. Plex: not available outside your network.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'probe.upnp': upnp({ externalIp: '100.72.14.9', mappings: [] }),
    },
    expect: { verdict: 'problems', cause: 'cgnat' },
  },
  {
    id: 'cgnat-public-address-in-shared-space',
    story: 'The Remote Access page shows Public 100.101.2.3:32400. I did not touch the router.',
    observations: {
      'server.identity': identity(),
      'server.account': account({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '100.101.2.3' }),
      'server.prefs': prefs(),
    },
    expect: { verdict: 'problems', cause: 'cgnat' },
  },
  {
    id: 'double-nat-isp-box-in-front',
    story: 'ISP modem/router plus my own Asus behind it. UPnP on the Asus is on, and it says its WAN is 192.168.0.23.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'probe.upnp': upnp({ externalIp: '192.168.0.23' }),
      'probe.natpmp': noNatPmp(),
    },
    expect: { verdict: 'problems', cause: 'double-nat' },
  },
  {
    id: 'double-nat-plex-says-so',
    story: 'Tautulli keeps logging the mapping error doublenat; nothing else known.',
    observations: {
      'server.identity': identity(),
      'server.account': account({ mappingState: 'failed', mappingError: 'doublenat' }),
    },
    expect: { verdict: 'problems', cause: 'double-nat' },
  },
  {
    id: 'private-range-public-address',
    story: 'Remote Access shows Public 10.20.30.40:32400 and red. Fibre ONT plus a mesh system.',
    observations: {
      'server.identity': identity(),
      'server.account': account({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '10.20.30.40' }),
    },
    expect: { verdict: 'problems', candidates: ['double-nat', 'cgnat'] },
  },
  {
    id: 'vpn-client-on-server',
    story:
      'NordVPN (WireGuard) runs on the Plex box. Since then remote access fails; the Public address shown is not mine.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable({ publicAddress: '185.65.134.7' }),
      'probe.host': ok(hostValue({ vpnInterface: 'wg0' })),
      'plextv.publicIp': publicIp('185.65.134.7'),
      'probe.upnp': upnp(),
    },
    snapshot: { target: { url: 'http://127.0.0.1:32400', machineIdentifier: HOME.machineIdentifier } },
    expect: { verdict: 'problems', cause: 'vpn-on-server' },
  },
  {
    id: 'public-address-mismatch-only',
    story:
      'The app says the server is only reachable indirectly; plex.tv lists it with a public address that is not my line.',
    observations: {
      'server.identity': identity(),
      'plextv.resources': ok(
        resourcesValue(deviceValue({ publicAddress: '185.65.134.7', publicAddressMatches: false })),
      ),
      'plextv.publicIp': publicIp(HOME.wan),
    },
    expect: { verdict: 'problems', candidates: ['vpn-on-server'] },
  },
]);
