/**
 * More owner reports, each as the thread gives it: a compose file, the Remote Access page's lines, whether the router
 * answers UPnP, what they typed on the command line. Two or three facts each; none from our own scenarios.
 */
import { HOME, deviceValue, ok, resourcesValue } from '../../src/testing/observations.js';
import { PublicIpValue } from '../../src/collect/values/plextv.js';
import { parseForward } from '../../src/collect/values/declared.js';
import { account, defineCases, identity, noIgd, noNatPmp, noToken, prefs, unreachable, upnp } from './define.js';

const publicIp = (address: string) => ok(PublicIpValue.parse({ address, class: 'public' }));
const said = (...forwards: string[]) => ok({ via: 'flag', forwards: forwards.map((f) => parseForward(f)!) });

export default defineCases([
  {
    id: 'compose-bridge-no-upnp-private-172-18',
    story:
      'docker compose with `ports: ["32400:32400"]` (no network_mode). Remote Access: "Not available outside your network", Private 172.18.0.2:32400. The router has UPnP off.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable({ privateAddress: '172.18.0.2' }),
      'server.prefs': prefs(),
      'probe.upnp': noIgd(),
      'probe.natpmp': noNatPmp(),
    },
    expect: { verdict: 'problems', cause: 'no-port-forward', candidates: ['container-address-advertised'] },
  },
  {
    id: 'manual-32401-router-forwards-32400',
    story:
      '"Manually specify public port" is ticked with 32401 (copied from a guide); UPnP on the router lists TCP 32400 → my server. Still not reachable.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': prefs({ ManualPortMappingMode: true, ManualPortMappingPort: 32401 }),
      'probe.upnp': upnp(),
    },
    expect: { verdict: 'problems', cause: 'manual-port-mismatch' },
  },
  {
    id: 'manual-port-stated-forward-disagrees',
    story:
      'ISP router without UPnP. Plex is set to manual port 40000; on the router I forward 32400 to 192.168.1.10:32400 (ran with --forward 32400:192.168.1.10:32400).',
    observations: {
      'server.identity': identity(),
      'server.prefs': prefs({ ManualPortMappingMode: true, ManualPortMappingPort: 40000 }),
      'probe.upnp': noIgd(),
      'declared.forwards': said(`32400:${HOME.server}:32400`),
    },
    expect: { verdict: 'problems', cause: 'manual-port-mismatch' },
  },
  {
    id: 'advertise-ip-http-secure-required',
    story:
      'pms-docker with ADVERTISE_IP=http://192.168.1.10:32400/ and Secure connections set to Required. The TV app at home says the server is unavailable.',
    observations: {
      'server.identity': identity(),
      'server.prefs': prefs({ secureConnections: 0, customConnections: 'http://192.168.1.10:32400/' }),
    },
    expect: { verdict: 'problems', cause: 'secure-connections-required' },
  },
  {
    id: 'publish-error-remote-access-page',
    story:
      'Remote Access page shows a red "publish error" under the toggle; plex.tv is reachable from the box but nothing else was checked.',
    observations: {
      'server.identity': identity(),
      'server.account': account({ mappingState: 'failed', mappingError: 'publisherror', publicAddress: '' }),
      'server.prefs': prefs(),
    },
    expect: { verdict: 'problems', candidates: ['mapping-failed'] },
  },
  {
    id: 'double-nat-page-shows-private-public',
    story:
      'Behind the ISP\'s box and my own router. The Remote Access page reads "Public 192.168.0.2:32400" and "Not available outside your network". No UPnP anywhere.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable({ publicAddress: '192.168.0.2' }),
      'probe.upnp': noIgd(),
    },
    expect: { verdict: 'problems', cause: 'double-nat' },
  },
  {
    id: 'vpn-container-public-address-differs',
    story:
      'Plex runs next to a gluetun VPN container. plex.tv lists the server at a VPN provider address; my laptop on the same LAN is seen at my own line.',
    observations: {
      'server.identity': identity(),
      'plextv.resources': ok(
        resourcesValue(deviceValue({ publicAddress: '185.65.134.7', publicAddressMatches: false })),
      ),
      'plextv.publicIp': publicIp(HOME.wan),
      'probe.upnp': noIgd(),
    },
    expect: { verdict: 'problems', cause: 'vpn-on-server' },
  },
  {
    id: 'says-fails-no-token-upnp-answers',
    story:
      'No token handy. Friends cannot stream; I ran it with --says-remote-fails. The router answers UPnP and lists a forward of 32400 to the server.',
    observations: {
      'server.identity': identity(),
      'server.account': noToken(),
      'server.prefs': noToken(),
      'probe.upnp': upnp(),
      'declared.remoteAccess': ok({ via: 'flag', failsFromOutside: true }),
    },
    snapshot: { context: { tokenProvided: false, plexTv: false, experiments: [] } },
    expect: { verdict: 'inconclusive', candidates: ['isp-blocks-port'] },
  },
  {
    id: 'plextv-only-publicaddressmatches-false',
    story: 'Only the plex.tv side: the app shows the server as "Indirect", plex.tv says publicAddressMatches=0.',
    observations: {
      'server.identity': identity(),
      'plextv.resources': ok(resourcesValue(deviceValue({ publicAddressMatches: false }))),
      'server.account': unreachable(),
    },
    expect: { verdict: 'problems', candidates: ['vpn-on-server', 'cgnat'] },
  },
]);
