import rule from '../../../src/rules/builtin/vpn-on-server.js';
import type { Observation } from '../../../src/core/observation.js';
import { accountValue, deviceValue, failed, hostValue, ok, resourcesValue } from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';

type O = Record<string, Observation>;
const vpnHost = (o: O) => void (o['probe.host'] = ok(hostValue({ vpnInterface: 'wg0' })));
const serverSeenAt = (ip: string, matches?: boolean) => (o: O) => {
  o['server.account'] = ok(accountValue({ publicAddress: ip }));
  o['plextv.resources'] = ok(
    resourcesValue(
      deviceValue({ publicAddress: ip, ...(matches === undefined ? {} : { publicAddressMatches: matches }) }),
    ),
  );
};
const laptopOnLan = (o: O) => void (o['probe.host'] = ok(hostValue({ address: '192.168.1.20' })));

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: no tunnel, plex.tv sees the router' },
    { name: 'a VPN on the server, but Plex is split-tunnelled (plex.tv sees the router)', observations: vpnHost },
    {
      name: 'a VPN on the laptop running this, not on the server',
      observations: (o) => (
        serverSeenAt('185.1.2.3')(o),
        (o['probe.host'] = ok(hostValue({ address: '192.168.1.20', vpnInterface: 'tun0' })))
      ),
    },
    {
      name: 'run from another network',
      observations: serverSeenAt('185.1.2.3'),
      snapshot: { target: { url: 'http://203.0.113.7:32400' } },
    },
  ],
  notChecked: [
    {
      name: 'plex.tv alone says publicAddressMatches=false (no address of this machine, no host facts): a candidate',
      observations: (o) => {
        delete o['probe.host'];
        delete o['plextv.publicIp'];
        delete o['server.account'];
        delete o['server.root'];
        o['plextv.resources'] = ok(resourcesValue(deviceValue({ publicAddressMatches: false })));
      },
      reason: /remote access check has no result/,
      suspects: ['suspected'],
    },
  ],
  invalid: [
    {
      name: 'no host facts, a private URL reached directly: plex.tv sees the server elsewhere and says so (medium)',
      observations: (o) => {
        delete o['probe.host'];
        delete o['probe.upnp'];
        o['probe.natpmp'] = failed('ETIMEDOUT', 'no answer', { phase: 'timeout' });
        serverSeenAt('185.65.134.7', false)(o);
      },
      expect: [{ messageId: 'differentEgress', confidence: 'medium', data: { server: '185.65.134.7' } }],
    },
    {
      name: 'run on the server: default route via wg0, plex.tv sees the VPN address',
      observations: (o) => (vpnHost(o), serverSeenAt('185.1.2.3')(o)),
      expect: [
        {
          messageId: 'vpnDefaultRoute',
          confidence: 'high',
          data: { interface: 'wg0', seen: '185.1.2.3', port: 32400 },
          fixId: 'splitTunnel',
        },
      ],
    },
    {
      name: 'run from a laptop on the LAN: the server egresses elsewhere (publicAddressMatches=false)',
      observations: (o) => (laptopOnLan(o), serverSeenAt('185.1.2.3', false)(o)),
      expect: [{ messageId: 'differentEgress', confidence: 'high', data: { server: '185.1.2.3', here: '84.1.1.2' } }],
    },
    {
      name: "the same, without plex.tv's publicAddressMatches flag: medium",
      observations: (o) => {
        laptopOnLan(o);
        serverSeenAt('185.1.2.3')(o);
        o['plextv.resources'] = ok(
          resourcesValue(deviceValue({ publicAddress: '185.1.2.3', publicAddressMatches: undefined })),
        );
      },
      expect: [{ messageId: 'differentEgress', confidence: 'medium' }],
    },
  ],
});
