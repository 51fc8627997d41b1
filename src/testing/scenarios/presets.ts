/**
 * The scenario presets: one common home setup each (HOME in observations.ts: server 192.168.1.10, router 192.168.1.1,
 * public address 84.1.1.2), changed in the one way that breaks it, with the root cause `diagnose` must put first.
 * `plex-diagnose demo <name>` runs them; our end-to-end tests check each expectation.
 */
import { HOME } from '../observations.js';
import { defineScenario, type Scenario } from './define.js';

/** A VPN provider's exit address (public, not ours). */
const VPN_EXIT = '185.65.135.77';

const list = [
  defineScenario({
    name: 'healthy',
    title: 'Everything works',
    description: `Plex on ${HOME.server} behind a router that holds the public address ${HOME.wan}; Plex maps port 32400 over UPnP itself and plex.tv reaches it.`,
    expected: 'healthy',
  }),
  defineScenario({
    name: 'isp-blocks-32400',
    title: 'The ISP filters inbound port 32400',
    description: `The router holds ${HOME.wan} and forwards 32400 to the server, and Plex still says "Not available outside your network": the ISP drops inbound TCP 32400 before it reaches the router.`,
    expected: { ruleId: 'isp-blocks-port', messageId: 'likely' },
    network: { ispBlockedPorts: [32400] },
  }),
  defineScenario({
    name: 'double-nat',
    title: 'A second router (double NAT)',
    description:
      "The ISP's modem-router translates too: your router's WAN address is 192.168.0.2, so the forward it made for Plex is never reached from the internet.",
    expected: { ruleId: 'double-nat', messageId: 'privateWan' },
    network: { router: { wan: '192.168.0.2' } },
  }),
  defineScenario({
    name: 'cgnat',
    title: 'Carrier-grade NAT at the ISP',
    description: `The router's WAN address is 100.72.14.3 (the ISP's shared address space); plex.tv sees ${HOME.wan}, shared with other customers.`,
    expected: { ruleId: 'cgnat', messageId: 'sharedAddressSpace' },
    network: { router: { wan: '100.72.14.3' } },
  }),
  defineScenario({
    name: 'manual-port-mismatch',
    title: "Plex's manual public port is not the forwarded one",
    description:
      'The router forwards 32400 to the server, but "Manually specify public port" says 44400: plex.tv tests a port nothing forwards.',
    expected: { ruleId: 'manual-port-mismatch', messageId: 'otherPortForwarded' },
    server: { prefs: { ManualPortMappingMode: true, ManualPortMappingPort: 44400 } },
    network: { router: { forwards: [{ externalPort: 32400, description: 'plex' }] } },
  }),
  defineScenario({
    name: 'docker-bridge',
    title: 'Docker bridge address advertised',
    description: `Plex runs in Docker on ${HOME.server} with bridge networking and advertises its container address 172.18.0.3 as the local connection; remote access works through a manual forward, LAN clients cannot reach 172.18.0.3.`,
    expected: { ruleId: 'container-address-advertised', messageId: 'containerAddressOnly' },
    server: { prefs: { ManualPortMappingMode: true, ManualPortMappingPort: 32400 } },
    network: { container: { address: '172.18.0.3' }, router: { forwards: [{ externalPort: 32400 }] }, vantage: 'lan' },
  }),
  defineScenario({
    name: 'dns-rebinding',
    title: 'DNS rebinding protection blocks plex.direct',
    description: `The router's DNS forwarder drops answers that point into the LAN, so 192-168-1-10.<hash>.plex.direct does not resolve: apps cannot use the secure local connection and go out through ${HOME.wan} or the Relay.`,
    expected: { ruleId: 'plex-direct-dns-rebinding', messageId: 'rebindingBlocked' },
    network: { dns: 'rebind-empty' },
  }),
  defineScenario({
    name: 'remote-access-disabled',
    title: 'Remote access is turned off',
    description:
      'Settings → Remote Access is disabled (PublishServerOnPlexOnlineKey=0): the server does not publish a public address, whatever the router does.',
    expected: { ruleId: 'remote-access-disabled', messageId: 'disabled' },
    server: { prefs: { PublishServerOnPlexOnlineKey: false } },
  }),
  defineScenario({
    name: 'custom-url-no-port',
    title: 'A custom access URL without a port',
    description: `The owner published https://plex.example.com (a reverse proxy behind the router's 443 forward) without writing :443; Plex apps do not assume a default port for custom URLs.`,
    expected: { ruleId: 'custom-url-problem', messageId: 'noPort' },
    server: { prefs: { customConnections: 'https://plex.example.com' } },
    network: {
      names: { 'plex.example.com': HOME.wan },
      router: { forwards: [{ externalPort: 443, description: 'reverse proxy' }] },
    },
  }),
  defineScenario({
    name: 'relay-only',
    title: 'Only the Relay gets in',
    description:
      "The router speaks UPnP but refuses Plex's mapping request (UPnP denied for this host) and answers no NAT-PMP; nobody forwarded a port. Outside your network apps fall back to the bandwidth-limited Plex Relay.",
    // The relay is the symptom people notice; the rule that says why (no forward) heads the report and explains it.
    expected: {
      ruleId: 'no-port-forward',
      messageId: 'upnpWithoutMapping',
      also: [{ ruleId: 'relay-only', messageId: 'relayOnly' }],
    },
    network: { router: { upnpRefusesMapping: true, natPmp: false } },
  }),
  defineScenario({
    name: 'vpn-on-server',
    title: 'A VPN on the server',
    description: `The server's default route goes through WireGuard (wg0): plex.tv sees it at the VPN's ${VPN_EXIT} and tests port 32400 there, not on your router.`,
    expected: { ruleId: 'vpn-on-server', messageId: 'vpnDefaultRoute' },
    network: { vpn: { interface: 'wg0', exitAddress: VPN_EXIT } },
  }),
  defineScenario({
    name: 'not-signed-in',
    title: 'The server is not claimed',
    description:
      'A fresh server (e.g. a new container started without PLEX_CLAIM) belongs to no Plex account, so it never publishes itself to plex.tv.',
    expected: { ruleId: 'server-not-claimed', messageId: 'notClaimed' },
    server: { claimed: false },
  }),
] as const;

export type ScenarioName = (typeof list)[number]['name'];

/** The presets by name, in listing order. */
export const scenarios = Object.freeze(Object.fromEntries(list.map((s) => [s.name, s]))) as Readonly<
  Record<ScenarioName, Scenario>
>;
