import rule from '../../../src/rules/builtin/lan-networks-misconfigured.js';
import type { Observation } from '../../../src/core/observation.js';
import { accountValue, failed, hostValue, ok, prefsValue, skipped } from '../../../src/testing/observations.js';
import { RuleTester, all } from '../../../src/testing/index.js';

type O = Record<string, Observation>;

const prefs = (values: { LanNetworksBandwidth?: string; allowedNetworks?: string }) => (o: O) =>
  void (o['server.prefs'] = ok(prefsValue(values)));
const lanList = (value: string) => prefs({ LanNetworksBandwidth: value });
const allowed = (value: string) => prefs({ allowedNetworks: value });
const laptopOnLan = (o: O) => void (o['probe.host'] = ok(hostValue({ address: '192.168.1.20' })));
const elsewhere = (o: O) => void (o['probe.host'] = ok(hostValue({ address: '10.0.0.5' })));

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: both lists empty (Plex uses its own subnets)' },
    { name: 'LAN Networks in CIDR form covers the server', observations: lanList('192.168.1.0/24') },
    {
      name: "LAN Networks in Plex's ip/netmask form covers the server",
      observations: lanList('192.168.1.0/255.255.255.0'),
    },
    {
      name: 'LAN Networks covers the server and this LAN laptop',
      observations: all(lanList('192.168.1.0/24,10.8.0.0/24'), laptopOnLan),
    },
    {
      name: 'allowedNetworks: the LAN, a single LAN host, Tailscale (100.64.0.0/10) and an IPv6 ULA',
      observations: allowed('192.168.1.0/24,192.168.1.50,100.64.0.0/10,fd00::/8'),
    },
    {
      name: "LAN Networks set but the server's LAN address is unknown",
      observations: all(
        lanList('192.168.2.0/24'),
        elsewhere,
        (o) => void (o['server.account'] = skipped('no token')),
        (o) => void (o['plextv.resources'] = skipped('no token')),
      ),
      snapshot: { target: { url: 'http://84.1.1.2:32400' } },
    },
    {
      name: "the server address is a container's: nothing to compare",
      observations: all(
        lanList('192.168.2.0/24'),
        (o) => void (o['server.account'] = ok(accountValue({ privateAddress: '172.18.0.3' }))),
        (o) => void (o['plextv.resources'] = skipped('no token')),
      ),
      snapshot: { target: { url: 'http://172.18.0.3:32400' } },
    },
  ],
  invalid: [
    {
      name: 'a prefix longer than 32 next to a valid ip/netmask entry',
      observations: lanList('192.168.1.0/255.255.255.0,192.168.1.0/33'),
      expect: [
        {
          messageId: 'invalidEntry',
          confidence: 'high',
          data: { pref: 'LanNetworksBandwidth', entry: '192.168.1.0/33' },
          fixId: 'correctEntry',
          actions: [],
          mentions: ['the list is 192.168.1.0/255.255.255.0'],
        },
      ],
    },
    {
      name: 'a wildcard in allowedNetworks',
      observations: allowed('192.168.1.*'),
      expect: [
        {
          messageId: 'invalidEntry',
          data: { pref: 'allowedNetworks', entry: '192.168.1.*' },
          mentions: ['the list is (empty)'],
        },
      ],
    },
    {
      name: 'a netmask whose ones are not contiguous',
      observations: allowed('192.168.0.0/255.0.255.0'),
      expect: [{ messageId: 'invalidEntry', data: { entry: '192.168.0.0/255.0.255.0' } }],
    },
    { name: 'a host name', observations: allowed('nas.local'), expect: [{ messageId: 'invalidEntry' }] },
    {
      name: 'LAN Networks is another subnet; run on the server, so the exact network is added',
      observations: lanList('192.168.2.0/24'),
      expect: [
        {
          messageId: 'lanMissesServer',
          confidence: 'high',
          data: { address: '192.168.1.10', value: '192.168.2.0/24' },
          fixId: 'addLanNetwork',
          actions: [{ type: 'edit-list', pref: 'LanNetworksBandwidth', add: ['192.168.1.0/24'] }],
        },
      ],
    },
    {
      name: 'the same seen from another network: a /24 is suggested, nothing applied',
      observations: all(lanList('192.168.2.0/24'), elsewhere),
      expect: [
        { messageId: 'lanMissesServer', fixId: 'addLanNetworkGuess', actions: [], mentions: ['e.g. 192.168.1.0/24'] },
      ],
    },
    {
      name: "the server's address known only from the URL given: medium",
      observations: all(
        lanList('192.168.2.0/24'),
        (o) => void (o['server.account'] = skipped('no token')),
        (o) => void (o['plextv.resources'] = skipped('no token')),
      ),
      expect: [{ messageId: 'lanMissesServer', confidence: 'medium' }],
    },
    {
      name: 'only entries Plex cannot parse: each reported, and the server is not covered',
      observations: lanList('192.168.1.0-192.168.1.255'),
      expect: [{ messageId: 'invalidEntry' }, { messageId: 'lanMissesServer' }],
    },
    {
      name: 'only the server itself is listed; this LAN laptop counts as remote',
      observations: all(lanList('192.168.1.10/32'), laptopOnLan),
      expect: [
        {
          messageId: 'lanMissesThisMachine',
          confidence: 'high',
          data: { address: '192.168.1.20' },
          actions: [{ type: 'edit-list', pref: 'LanNetworksBandwidth', add: ['192.168.1.0/24'] }],
        },
      ],
    },
    {
      name: 'allowedNetworks 0.0.0.0/0: removed by the fix',
      observations: allowed('0.0.0.0/0'),
      expect: [
        {
          messageId: 'allowedEveryone',
          confidence: 'high',
          data: { entry: '0.0.0.0/0' },
          fixId: 'removeEveryone',
          actions: [{ type: 'edit-list', pref: 'allowedNetworks', remove: ['0.0.0.0/0'] }],
        },
      ],
    },
    {
      name: 'the LAN plus 0.0.0.0/0 and ::/0: both reported, the LAN kept',
      observations: allowed('192.168.1.0/24,0.0.0.0/0,::/0'),
      expect: [
        {
          messageId: 'allowedEveryone',
          data: { entry: '0.0.0.0/0' },
          actions: [{ type: 'edit-list', pref: 'allowedNetworks', remove: ['0.0.0.0/0', '::/0'] }],
        },
        {
          messageId: 'allowedEveryone',
          data: { entry: '::/0' },
          actions: [{ type: 'edit-list', pref: 'allowedNetworks', remove: ['0.0.0.0/0', '::/0'] }],
        },
      ],
    },
    {
      name: 'everything in the netmask form (0.0.0.0/0.0.0.0)',
      observations: allowed('0.0.0.0/0.0.0.0'),
      expect: [{ messageId: 'allowedEveryone' }],
    },
    {
      name: 'a public /16',
      observations: allowed('51.15.0.0/16'),
      expect: [
        {
          messageId: 'allowedPublic',
          confidence: 'medium',
          data: { entry: '51.15.0.0/16' },
          fixId: 'narrowAllowed',
          actions: [],
        },
      ],
    },
    {
      name: '10.0.0.0/7 reaches past the private 10/8 into public space',
      observations: allowed('10.0.0.0/7'),
      expect: [{ messageId: 'allowedPublic' }],
    },
    { name: 'a single public address', observations: allowed('84.1.1.99'), expect: [{ messageId: 'allowedPublic' }] },
  ],
  notChecked: [
    {
      name: 'prefs not readable',
      observations: (o) => void (o['server.prefs'] = failed('PLEXDIAG_AUTH', 'token missing or invalid')),
      reason: /needs server.prefs/,
    },
  ],
});
