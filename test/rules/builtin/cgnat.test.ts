import rule from '../../../src/rules/builtin/cgnat.js';
import type { Observation } from '../../../src/core/observation.js';
import {
  accountValue,
  deviceValue,
  hostValue,
  ok,
  resourcesValue,
  upnpValue,
} from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';

type O = Record<string, Observation>;
const upnpWan = (ip: string) => (o: O) => void (o['probe.upnp'] = ok(upnpValue({ externalIp: ip })));
const seenAs = (ip: string) => (o: O) => void (o['plextv.publicIp'] = ok({ address: ip, class: 'public' }));

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: WAN is the public address plex.tv sees' },
    { name: "a private WAN is the double-nat rule's", observations: upnpWan('10.0.0.2') },
    {
      name: 'this machine is on a VPN: its public address says nothing',
      observations: (o) => (seenAs('185.1.2.3')(o), (o['probe.host'] = ok(hostValue({ vpnInterface: 'wg0' })))),
    },
    {
      name: 'the server egresses elsewhere than this machine (a VPN on the server, not CGNAT)',
      observations: (o) => (
        seenAs('84.0.0.1')(o),
        (o['server.account'] = ok(accountValue({ publicAddress: '185.1.2.3' })))
      ),
    },
    {
      name: 'run from another network',
      observations: upnpWan('100.64.0.2'),
      snapshot: { target: { url: 'http://203.0.113.7:32400' } },
    },
  ],
  notChecked: [
    {
      name: 'plex.tv says publicAddressMatches=false, nothing else: CGNAT is a (low) candidate beside a VPN',
      observations: (o) => {
        delete o['probe.host'];
        delete o['plextv.publicIp'];
        delete o['server.account'];
        delete o['server.root'];
        delete o['probe.upnp'];
        delete o['probe.natpmp'];
        o['plextv.resources'] = ok(resourcesValue(deviceValue({ publicAddressMatches: false })));
      },
      reason: /remote access check has no result/,
      suspects: ['suspected'],
    },
  ],
  invalid: [
    {
      name: 'no router answer, the Remote Access page shows a "public" address in shared space',
      observations: (o) => (
        delete o['probe.upnp'],
        delete o['probe.natpmp'],
        delete o['probe.host'],
        (o['server.account'] = ok(
          accountValue({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '100.101.2.3' }),
        ))
      ),
      expect: [{ messageId: 'sharedAddressSpace', confidence: 'medium', data: { wan: '100.101.2.3' } }],
    },
    {
      name: 'WAN in 100.64.0.0/10',
      observations: upnpWan('100.64.0.2'),
      expect: [
        {
          messageId: 'sharedAddressSpace',
          confidence: 'high',
          data: { wan: '100.64.0.2' },
          fixId: 'askIsp',
          mentions: ['100.64.0.0/10'],
        },
      ],
    },
    {
      name: 'public WAN, but plex.tv sees everyone here at another address',
      observations: (o) => (
        seenAs('84.0.0.1')(o),
        (o['server.account'] = ok(accountValue({ publicAddress: '84.0.0.1' })))
      ),
      expect: [
        { messageId: 'wanDiffersFromPublic', confidence: 'medium', data: { wan: '84.1.1.2', public: '84.0.0.1' } },
      ],
    },
  ],
});
