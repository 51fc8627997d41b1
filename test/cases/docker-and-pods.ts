/** Plex in a container or a pod: the address it advertises and the port it cannot map. */
import { HOME, deviceValue, hostValue, ok, resourcesValue } from '../../src/testing/observations.js';
import { HostInfo } from '../../src/probes/host/index.js';
import { account, defineCases, identity, noIgd, noNatPmp, prefs, unreachable } from './define.js';

const containerHost = HostInfo.parse({
  ...hostValue({ address: '172.17.0.5', gateway: '172.17.0.1', container: true }),
});

export default defineCases([
  {
    id: 'docker-bridge-remote-access-page',
    story:
      'pms-docker in bridge mode with -p 32400:32400. Settings → Remote Access says "Not available outside your network", Private 172.17.0.2:32400, Public 84.1.1.2:32400. Manual port not ticked.',
    observations: {
      'server.identity': identity(),
      'server.account': account({
        mappingState: 'failed',
        mappingError: 'unreachable',
        privateAddress: '172.17.0.2',
        publicAddress: HOME.wan,
      }),
      'server.prefs': prefs(),
    },
    // Only Plex's own "Private" address says bridge (no route or interface was seen): the container address it
    // publishes is a finding, "a bridged container cannot map ports" the leading candidate for the outside failure.
    expect: { verdict: 'problems', candidates: ['no-port-forward'] },
  },
  {
    id: 'docker-lan-clients-get-container-ip',
    story:
      'Docker on a Synology. Remote streams go through Relay and phones at home cannot connect; the app tries 172.18.0.3. No ADVERTISE_IP set.',
    observations: {
      'server.identity': identity(),
      'plextv.resources': ok(
        resourcesValue(
          deviceValue({
            publicAddressMatches: true,
            connections: [
              { address: '172.18.0.3', local: true },
              { address: HOME.relay, port: 8443, relay: true },
            ],
          }),
        ),
      ),
      'server.prefs': prefs({ customConnections: '' }),
    },
    expect: { verdict: 'problems', cause: 'container-address-advertised' },
  },
  {
    id: 'docker-custom-url-not-published',
    story:
      'I set Custom server access URLs to http://192.168.1.10:32400 but plex.tv still hands out only the 172.18.0.3 address, so local clients still fail.',
    observations: {
      'server.identity': identity(),
      'server.prefs': prefs({ customConnections: 'http://192.168.1.10:32400' }),
      'plextv.resources': ok(
        resourcesValue(
          deviceValue({
            connections: [
              { address: '172.18.0.3', local: true },
              { address: HOME.relay, port: 8443, relay: true },
            ],
          }),
        ),
      ),
    },
    expect: { verdict: 'problems', cause: 'container-address-advertised' },
  },
  {
    id: 'docker-run-inside-container',
    story:
      'Ran the tool inside the Plex container (bridge network). Remote access fails; Plex is left on automatic port mapping.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable({ privateAddress: '172.17.0.5' }),
      'server.prefs': prefs({ ManualPortMappingMode: false }),
      'probe.host': ok(containerHost),
      'probe.upnp': noIgd(),
      'probe.natpmp': noNatPmp(),
    },
    snapshot: { target: { url: 'http://127.0.0.1:32400', machineIdentifier: HOME.machineIdentifier } },
    expect: { verdict: 'problems', cause: 'no-port-forward' },
  },
  {
    id: 'kubernetes-pod-address',
    story:
      'Plex on k3s behind a LoadBalancer Service. Clients on the LAN are told to use 10.42.0.17 and fall back to Relay.',
    observations: {
      'server.identity': identity(),
      'plextv.resources': ok(
        resourcesValue(
          deviceValue({
            connections: [
              { address: '10.42.0.17', local: true },
              { address: HOME.relay, port: 8443, relay: true },
            ],
          }),
        ),
      ),
    },
    expect: { verdict: 'problems', cause: 'container-address-advertised' },
  },
  {
    id: 'home-assistant-addon-no-upnp',
    story:
      'Plex add-on in Home Assistant OS. Remote access red. The router has UPnP off and I never set a manual port.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': prefs({ ManualPortMappingMode: false }),
      'probe.upnp': noIgd(),
      'probe.natpmp': noNatPmp(),
      'probe.host': ok(hostValue()),
    },
    expect: { verdict: 'problems', cause: 'no-port-forward' },
  },
]);
