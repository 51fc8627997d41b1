import rule from '../../../src/rules/builtin/ipv6-published-unreachable.js';
import type { Observation } from '../../../src/core/observation.js';
import { ConnectionsValue } from '../../../src/collect/values/connections.js';
import { HostInfo } from '../../../src/probes/host/index.js';
import {
  HOME,
  deviceValue,
  hostValue,
  ok,
  prefsValue,
  probedConnection,
  resourcesValue,
  skipped,
} from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';

type O = Record<string, Observation>;
const V6 = '2a00:1450:4001:1::10';
const NEW_V6 = '2a00:1450:4001:2::10';

const hostWith = (base: HostInfo, address?: string): HostInfo =>
  HostInfo.parse({
    ...base,
    interfaces: base.interfaces.map((i) =>
      i.name === 'eth0' && address
        ? {
            ...i,
            addresses: [
              ...i.addresses,
              { address, family: 6, cidr: `${address}/64`, class: 'public', internal: false },
            ],
          }
        : i,
    ),
  });
type Probe = Parameters<typeof probedConnection>[0];
/** plex.tv lists the LAN connection and a v6 one; the probe of the v6 one goes as `v6` says. */
const published =
  (v6: Partial<Probe> = {}) =>
  (o: O) => {
    o['plextv.resources'] = ok(
      resourcesValue(deviceValue({ connections: [{ address: HOME.server, local: true }, { address: V6 }] })),
    );
    o['probe.connections'] = ok(
      ConnectionsValue.parse({
        connections: [
          probedConnection({ address: HOME.server, local: true }),
          probedConnection({ address: V6, ...v6 }),
        ],
      }),
    );
    o['probe.host'] = ok(hostWith(hostValue(), V6));
  };
const refused = {
  tcp: { code: 'ECONNREFUSED', phase: 'connect' },
  identity: { code: 'ECONNREFUSED', phase: 'connect' },
};
const timedOut = { tcp: { code: 'ETIMEDOUT', phase: 'timeout' }, identity: { code: 'ETIMEDOUT', phase: 'timeout' } };
const noRoute = { tcp: { code: 'ENETUNREACH', phase: 'connect' }, identity: { code: 'ENETUNREACH', phase: 'connect' } };
const elsewhere = { target: { url: 'http://203.0.113.7:32400' } };

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'plex.tv lists no IPv6 connection', evidence: /no IPv6 connection/ },
    { name: 'the published IPv6 connection answers as this server', observations: published(), evidence: /answered/ },
    {
      name: 'a documentation-range "IPv6" connection is not a published global address',
      observations: (o) =>
        void (o['plextv.resources'] = ok(resourcesValue(deviceValue({ connections: [{ address: '2001:db8::10' }] })))),
      evidence: /no IPv6 connection/,
    },
  ],
  invalid: [
    {
      name: 'refused from the server host itself: Plex does not listen on IPv6 (pref off)',
      observations: (o) => (published(refused)(o), (o['server.prefs'] = ok(prefsValue({ EnableIPv6: false })))),
      expect: [
        {
          messageId: 'notListening',
          confidence: 'high',
          data: { address: V6, port: 32400 },
          fixId: 'listenOnIpv6',
          mentions: ['EnableIPv6=0', 'Enable server support for IPv6'],
        },
      ],
    },
    {
      name: 'the host has a new prefix; plex.tv still lists the old address',
      observations: (o) => (published(timedOut)(o), (o['probe.host'] = ok(hostWith(hostValue(), NEW_V6)))),
      expect: [{ messageId: 'staleAddress', confidence: 'high', data: { current: NEW_V6 }, fixId: 'republish' }],
    },
    {
      name: 'times out from another network that has IPv6: a firewall on the way (medium)',
      observations: (o) => (published(timedOut)(o), delete o['probe.host']),
      snapshot: elsewhere,
      expect: [{ messageId: 'noAnswer', confidence: 'medium', fixId: 'openFirewall', mentions: [`[${V6}]`] }],
    },
  ],
  notChecked: [
    {
      name: 'no token: plex.tv was not asked',
      observations: (o) => void (o['plextv.resources'] = skipped('no token')),
      reason: /was not read/,
    },
    {
      name: 'plex.tv lists IPv6 but the connections were not probed',
      observations: (o) => (published()(o), delete o['probe.connections']),
      reason: /not probed/,
    },
    {
      name: 'this machine has no IPv6 route: the failure says nothing about the server',
      observations: (o) => (published(noRoute)(o), (o['probe.host'] = ok(hostValue({ address: '192.168.1.20' })))),
      reason: /no route/,
      howToCheck: /mobile data/,
    },
  ],
});
