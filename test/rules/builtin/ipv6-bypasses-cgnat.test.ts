import rule from '../../../src/rules/builtin/ipv6-bypasses-cgnat.js';
import type { Observation } from '../../../src/core/observation.js';
import { HostInfo } from '../../../src/probes/host/index.js';
import { UpnpProbeValue } from '../../../src/probes/upnp/schema.js';
import {
  accountValue,
  deviceValue,
  failed,
  hostValue,
  ok,
  prefsValue,
  resourcesValue,
  skipped,
  upnpValue,
  HOME,
} from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';

type O = Record<string, Observation>;
/** A global address as the lab and real ISPs hand out (2000::/3, not documentation space). */
const V6 = '2a00:1450:4001:1::10';

const withV6 = (...addresses: { address: string; cidr?: string }[]) => onHost(hostValue(), ...addresses);
const onHost = (base: HostInfo, ...addresses: { address: string; cidr?: string }[]) =>
  HostInfo.parse({
    ...base,
    interfaces: base.interfaces.map((i) =>
      i.name === 'eth0'
        ? {
            ...i,
            addresses: [
              ...i.addresses,
              ...addresses.map((a) => ({
                address: a.address,
                family: 6,
                cidr: a.cidr ?? `${a.address}/64`,
                class: a.address.startsWith('fe80') ? 'link-local' : a.address.startsWith('fd') ? 'private' : 'public',
                internal: false,
              })),
            ],
          }
        : i,
    ),
  });
const cgnat = (o: O): void => {
  o['probe.upnp'] = ok(upnpValue({ externalIp: '100.64.0.2', mappings: [] }));
  delete o['probe.natpmp'];
  o['server.account'] = ok(
    accountValue({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '', publicPort: 0 }),
  );
  o['probe.host'] = ok(withV6({ address: V6 }, { address: 'fe80::1' }));
};
const firewall = (status: UpnpProbeValue['ipv6Firewall']) => (o: O) => {
  const value = upnpValue({ externalIp: '100.64.0.2', mappings: [] });
  o['probe.upnp'] = ok(UpnpProbeValue.parse({ ...value, ipv6Firewall: status }));
};
const ipv6On = (o: O): void => void (o['server.prefs'] = ok(prefsValue({ EnableIPv6: true })));
const serverRun = { target: { url: `http://127.0.0.1:${HOME.port}` } };

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: remote access works over IPv4', evidence: /mappingState=mapped/ },
    {
      name: 'CGNAT, but no global IPv6 here (only link-local and ULA): nothing to suggest',
      observations: (o) => (cgnat(o), (o['probe.host'] = ok(withV6({ address: 'fe80::1' }, { address: 'fd00::10' })))),
      evidence: /no global IPv6/,
    },
    {
      name: 'documentation-range IPv6 is not a global address',
      observations: (o) => (cgnat(o), (o['probe.host'] = ok(withV6({ address: '2001:db8::10' })))),
      evidence: /no global IPv6/,
    },
    {
      name: 'CGNAT, IPv6 on, the router does not filter inbound IPv6',
      observations: (o) => (cgnat(o), ipv6On(o), firewall({ offered: true, firewallEnabled: false })(o)),
      evidence: /FirewallEnabled=false/,
    },
    {
      name: 'public WAN and failing remote access: not an upstream NAT, IPv6 is not the answer',
      observations: (o) =>
        void (o['server.account'] = ok(accountValue({ mappingState: 'failed', mappingError: 'unreachable' }))),
      evidence: /public WAN address 84\.1\.1\.2/,
    },
    {
      name: 'CGNAT, IPv6 on, router firewall not readable: not decided (never passed), no IPv6 suggestion',
      observations: (o) => (cgnat(o), ipv6On(o)),
      outcome: 'not-checked',
    },
  ],
  invalid: [
    {
      name: 'CGNAT, the server host has global IPv6, Plex IPv6 off',
      observations: cgnat,
      snapshot: serverRun,
      expect: [
        {
          messageId: 'plexIpv6Off',
          confidence: 'high',
          data: { address: V6, port: 32400 },
          fixId: 'enableIpv6',
          mentions: ['Enable server support for IPv6', `[${V6}]`, 'TCP 32400', 'Remote clients need IPv6 too'],
        },
      ],
    },
    {
      name: 'CGNAT seen from another machine on the LAN: the LAN has IPv6 (medium)',
      observations: (o) => (
        cgnat(o),
        (o['probe.host'] = ok(onHost(hostValue({ address: '192.168.1.20' }), { address: V6 })))
      ),
      expect: [{ messageId: 'plexIpv6Off', confidence: 'medium' }],
    },
    {
      name: 'double NAT (private WAN) works the same way',
      observations: (o) => (cgnat(o), (o['probe.upnp'] = ok(upnpValue({ externalIp: '192.168.0.2', mappings: [] })))),
      expect: [{ messageId: 'plexIpv6Off', mentions: ['double NAT'] }],
    },
    {
      name: "Plex's own mappingError=doublenat, no router answer",
      observations: (o) => (
        cgnat(o),
        (o['probe.upnp'] = failed('ENOIGD', 'no UPnP IGD answered', { phase: 'timeout' })),
        (o['server.account'] = ok(accountValue({ mappingState: 'failed', mappingError: 'doublenat' })))
      ),
      expect: [{ messageId: 'plexIpv6Off' }],
    },
    {
      name: 'IPv6 on, but the router blocks inbound IPv6 and allows no pinholes',
      observations: (o) => (
        cgnat(o),
        ipv6On(o),
        firewall({ offered: true, firewallEnabled: true, inboundPinholeAllowed: false })(o)
      ),
      expect: [
        {
          messageId: 'routerBlocksIpv6',
          confidence: 'high',
          fixId: 'openPinhole',
          mentions: ['InboundPinholeAllowed=0', `TCP 32400 to [${V6}]`],
        },
      ],
    },
  ],
  notChecked: [
    {
      name: 'nothing known about the WAN: no NAT to get past as far as we know',
      observations: (o) => (
        delete o['probe.upnp'],
        delete o['probe.natpmp'],
        delete o['server.root'],
        (o['server.account'] = skipped('no token'))
      ),
      reason: /CGNAT or double NAT/,
    },
    {
      name: 'CGNAT, but no host probe and plex.tv lists no IPv6: whether IPv6 exists is unknown',
      observations: (o) => (cgnat(o), delete o['probe.host']),
      reason: /global IPv6 address is not known/,
      howToCheck: /on the server itself/,
    },
    {
      name: 'CGNAT and global IPv6, prefs unreadable: suspects Plex IPv6 off',
      observations: (o) => (cgnat(o), (o['server.prefs'] = failed('PLEXDIAG_AUTH', 'token missing or invalid'))),
      reason: /EnableIPv6 setting was not read/,
      suspects: ['plexIpv6Unknown'],
    },
    {
      name: 'CGNAT, IPv6 on, router filters inbound IPv6 (pinholes allowed): suspected, not decided',
      observations: (o) => (
        cgnat(o),
        ipv6On(o),
        firewall({ offered: true, firewallEnabled: true, inboundPinholeAllowed: true })(o)
      ),
      reason: /filters inbound IPv6/,
      howToCheck: /mobile data/,
      suspects: ['routerMayBlockIpv6'],
    },
    {
      name: 'plex.tv publishes IPv6 (so it is on), prefs unknown, router firewall half-answered',
      observations: (o) => (
        cgnat(o),
        delete o['probe.host'],
        delete o['server.prefs'],
        (o['plextv.resources'] = ok(
          resourcesValue(deviceValue({ connections: [{ address: HOME.server, local: true }, { address: V6 }] })),
        )),
        firewall({
          offered: true,
          firewallEnabled: undefined,
          error: 'GetFirewallStatus answered without a usable FirewallEnabled',
        })(o)
      ),
      reason: /without a usable FirewallEnabled/,
    },
  ],
});
