/** IPv6: the way past CGNAT or double NAT left unused, and IPv6 connections plex.tv publishes that do not answer. */
import { ConnectionsValue } from '../../src/collect/values/connections.js';
import { HostInfo } from '../../src/probes/host/index.js';
import { UpnpProbeValue } from '../../src/probes/upnp/schema.js';
import {
  HOME,
  deviceValue,
  hostValue,
  ok,
  probedConnection,
  resourcesValue,
  upnpValue,
} from '../../src/testing/observations.js';
import { account, defineCases, identity, prefs, unreachable, upnp } from './define.js';

const V6 = '2a02:8108:1a40:3c00::1f';
const NEW_V6 = '2a02:8108:1a40:7e00::1f';
const onServer = { target: { url: 'http://127.0.0.1:32400', machineIdentifier: HOME.machineIdentifier } };

/** A host (the server, or a laptop on its LAN) with a global IPv6 address beside its IPv4 one. */
function hostWithIpv6(address: string, ipv4: string = HOME.server): HostInfo {
  const base = hostValue({ address: ipv4 });
  return HostInfo.parse({
    ...base,
    interfaces: base.interfaces.map((i) =>
      i.name === 'eth0'
        ? {
            ...i,
            addresses: [
              ...i.addresses,
              { address, family: 6, cidr: `${address}/64`, class: 'public', internal: false },
              {
                address: 'fe80::1e2:3ff:fe4a:5b6c',
                family: 6,
                cidr: 'fe80::/64',
                class: 'link-local',
                internal: false,
              },
            ],
          }
        : i,
    ),
  });
}

const withIpv6Firewall = (firewall: UpnpProbeValue['ipv6Firewall'], externalIp: string) =>
  ok(UpnpProbeValue.parse({ ...upnpValue({ externalIp, mappings: [] }), ipv6Firewall: firewall }));

/** plex.tv lists the LAN connection and one IPv6 connection; its probe failed with `code`. */
function publishedIpv6(address: string, code: string, phase: string) {
  return {
    'plextv.resources': ok(
      resourcesValue(deviceValue({ connections: [{ address: HOME.server, local: true }, { address }] })),
    ),
    'probe.connections': ok(
      ConnectionsValue.parse({
        connections: [
          probedConnection({ address: HOME.server, local: true }),
          probedConnection({ address, tcp: { code, phase }, identity: { code, phase } }),
        ],
      }),
    ),
  };
}

export default defineCases([
  {
    id: 'cgnat-ipv6-left-off',
    story:
      'Fibre ISP, router says WAN 100.71.3.9 and shows an IPv6 prefix. Plex: not available outside your network. Never touched the IPv6 setting.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': prefs({ EnableIPv6: false }),
      'probe.upnp': upnp({ externalIp: '100.71.3.9', mappings: [] }),
      'probe.host': ok(hostWithIpv6(V6)),
    },
    snapshot: onServer,
    expect: { verdict: 'problems', cause: 'cgnat', candidates: ['ipv6-bypasses-cgnat'] },
  },
  {
    id: 'cgnat-ipv6-on-router-blocks',
    story: 'Turned on IPv6 in Plex as a forum post said, still red. The ISP router is a locked-down box; UPnP is on.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': prefs({ EnableIPv6: true }),
      'probe.upnp': withIpv6Firewall(
        { offered: true, firewallEnabled: true, inboundPinholeAllowed: false },
        '100.71.3.9',
      ),
      'probe.host': ok(hostWithIpv6(V6)),
    },
    snapshot: onServer,
    expect: { verdict: 'problems', cause: 'cgnat', candidates: ['ipv6-bypasses-cgnat'] },
  },
  {
    id: 'double-nat-ipv6-laptop-on-lan',
    story:
      'Ran the check from my laptop on the same Wi-Fi. ISP modem in front of my mesh router; my laptop has an IPv6 address.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': prefs({ EnableIPv6: false }),
      'probe.upnp': upnp({ externalIp: '192.168.0.23' }),
      'probe.host': ok(hostWithIpv6('2a02:8108:1a40:3c00::77', '192.168.1.23')),
    },
    expect: { verdict: 'problems', cause: 'double-nat', candidates: ['ipv6-bypasses-cgnat'] },
  },
  {
    id: 'ipv6-prefix-changed',
    story:
      'Remote works over IPv4, but phones on IPv6 spin for ages before playing. My ISP hands out a new IPv6 prefix every night.',
    observations: {
      'server.identity': identity(),
      'server.account': account({}),
      'server.prefs': prefs({ EnableIPv6: true }),
      'probe.host': ok(hostWithIpv6(NEW_V6)),
      ...publishedIpv6(V6, 'ETIMEDOUT', 'timeout'),
    },
    snapshot: onServer,
    expect: { verdict: 'problems', cause: 'ipv6-published-unreachable' },
  },
  {
    id: 'ipv6-published-plex-not-listening',
    story:
      'plex.tv lists an IPv6 address for my server; I turned IPv6 off in Plex last week because of buffering. Connections on IPv6 phones hang.',
    observations: {
      'server.identity': identity(),
      'server.account': account({}),
      'server.prefs': prefs({ EnableIPv6: false }),
      'probe.host': ok(hostWithIpv6(V6)),
      ...publishedIpv6(V6, 'ECONNREFUSED', 'connect'),
    },
    snapshot: onServer,
    expect: { verdict: 'problems', cause: 'ipv6-published-unreachable' },
  },
]);
