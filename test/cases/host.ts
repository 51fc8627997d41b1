/** The server's own host: its firewall, and the address Plex's port listens on (read when run on the server). */
import type { HostFirewallValue, HostListenValue } from '../../src/collect/values/host.js';
import type { Observation } from '../../src/core/observation.js';
import { HOME, hostValue, ok, skipped } from '../../src/testing/observations.js';
import { defineCases, identity, noIgd, noNatPmp, prefs, unreachable, upnp } from './define.js';

/** Run on the server itself: the URL is loopback, the host probe shows the server's LAN address. */
const onServer = { target: { url: `http://127.0.0.1:${HOME.port}` } };
const serverHost = (): Observation => ok(hostValue({ address: HOME.server }));

const firewall = (ipv4: HostFirewallValue['ipv4'], extra: Partial<HostFirewallValue> = {}): Observation =>
  ok({
    port: HOME.port,
    inInterface: 'eth0',
    ipv4,
    ipv6: ipv4,
    sources: [
      { tool: 'nft', status: 'read' },
      { tool: 'iptables-save', status: 'read' },
    ],
    ...extra,
  } satisfies HostFirewallValue);

const listen = (...sockets: HostListenValue['sockets']): Observation =>
  ok({ port: HOME.port, portSource: 'server.account privatePort', sockets, notes: [] } satisfies HostListenValue);

export default defineCases([
  {
    id: 'ufw-switched-on-by-an-upgrade',
    story:
      'After upgrading Ubuntu, remote access stopped: "Not available outside your network". The router still shows the UPnP mapping to the server and my WAN address is public. Ran plex-diagnose on the server with sudo.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': prefs(),
      'probe.host': serverHost(),
      'probe.upnp': upnp(),
      'plextv.publicIp': ok({ address: HOME.wan, class: 'public' }),
      'host.firewall': firewall(
        {
          verdict: 'rejected',
          tool: 'iptables-save',
          baseChain: 'INPUT',
          decidedBy: '-A ufw-reject-input -p tcp -j REJECT --reject-with tcp-reset',
        },
        { frontEnd: 'ufw' },
      ),
      'host.listen': listen({ address: '0.0.0.0', family: 4, port: HOME.port, scope: 'all' }),
    },
    snapshot: onServer,
    expect: { verdict: 'problems', cause: 'host-firewall-blocks-port' },
  },
  {
    id: 'nft-lan-only-static-forward',
    story:
      'Static forward 32400 on the router, manual port 32400 in Plex, no UPnP. LAN works, remote does not. /etc/nftables.conf accepts 192.168.1.0/24 and drops 32400 otherwise.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': prefs({ ManualPortMappingMode: true, ManualPortMappingPort: HOME.port }),
      'probe.host': serverHost(),
      'probe.upnp': noIgd(),
      'probe.natpmp': noNatPmp(),
      'host.firewall': firewall({
        verdict: 'dropped',
        tool: 'nft',
        baseChain: 'inet filter input',
        decidedBy: 'inet filter input handle 5',
      }),
    },
    snapshot: onServer,
    expect: { verdict: 'problems', cause: 'host-firewall-blocks-port' },
  },
  {
    id: 'firewall-unread-without-root',
    story:
      'Same static forward, manual port, remote fails; ran plex-diagnose on the server but without sudo, so the firewall could not be read.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': prefs({ ManualPortMappingMode: true, ManualPortMappingPort: HOME.port }),
      'probe.host': serverHost(),
      'probe.upnp': noIgd(),
      'probe.natpmp': noNatPmp(),
      'host.firewall': skipped('run as root to read the firewall (nft: Operation not permitted (you must be root))'),
    },
    snapshot: onServer,
    expect: { verdict: 'problems', candidates: ['host-firewall-blocks-port', 'no-port-forward'] },
  },
  {
    id: 'compose-publishes-on-loopback',
    story:
      'docker compose with ports: "127.0.0.1:32400:32400" copied from a reverse-proxy guide, but no proxy. Nothing but the server itself can open Plex; remote access fails.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': prefs(),
      'probe.host': serverHost(),
      'host.listen': listen({ address: '127.0.0.1', family: 4, port: HOME.port, scope: 'loopback' }),
    },
    snapshot: onServer,
    expect: { verdict: 'problems', cause: 'plex-listens-wrong-address' },
  },
  {
    id: 'bound-to-the-vpn-address',
    story:
      'Plex published on the WireGuard address only (-p 10.8.0.2:32400:32400) so "only the VPN can reach it"; now the router forward to 192.168.1.10 does nothing. No firewall rules.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable({ privateAddress: HOME.server }),
      'server.prefs': prefs({ ManualPortMappingMode: true, ManualPortMappingPort: HOME.port }),
      'probe.host': serverHost(),
      'host.listen': listen({ address: '10.8.0.2', family: 4, port: HOME.port, scope: 'address' }),
      'host.firewall': firewall({ verdict: 'accepted', tool: 'nft', decidedBy: 'no base chain' }),
    },
    snapshot: onServer,
    expect: { verdict: 'problems', cause: 'plex-listens-wrong-address' },
  },
]);
