import rule from '../../../src/rules/builtin/double-nat.js';
import type { Observation } from '../../../src/core/observation.js';
import {
  accountValue,
  deviceValue,
  failed,
  natPmpValue,
  ok,
  resourcesValue,
  upnpValue,
} from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';

type O = Record<string, Observation>;
const upnpWan = (ip: string) => (o: O) => void (o['probe.upnp'] = ok(upnpValue({ externalIp: ip })));
const natpmpDown = (o: O) => void (o['probe.natpmp'] = failed('ETIMEDOUT', 'no answer', { phase: 'timeout' }));

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: public WAN' },
    { name: "a CGNAT WAN is the cgnat rule's", observations: upnpWan('100.64.0.2') },
    {
      name: 'router unreadable: nothing to say',
      observations: (o) => (natpmpDown(o), (o['probe.upnp'] = failed('ENOIGD', 'none', { phase: 'timeout' }))),
    },
    {
      name: 'run from another network',
      observations: upnpWan('10.0.0.2'),
      snapshot: { target: { url: 'http://203.0.113.7:32400' } },
    },
  ],
  invalid: [
    {
      name: 'the Remote Access page shows a private "Public" address, router unreadable: double NAT (medium)',
      observations: (o) => (
        natpmpDown(o),
        (o['probe.upnp'] = failed('ENOIGD', 'none', { phase: 'timeout' })),
        (o['server.account'] = ok(accountValue({ mappingState: 'failed', publicAddress: '192.168.0.2' })))
      ),
      expect: [
        {
          messageId: 'publishedPrivate',
          confidence: 'medium',
          data: { address: '192.168.0.2' },
          fixId: 'findUpstream',
        },
      ],
    },
    {
      name: 'the same address read from plex.tv, run from another network: still decided (no router needed)',
      observations: (o) => (
        (o['server.account'] = ok(accountValue({ publicAddress: '' }))),
        (o['plextv.resources'] = ok(resourcesValue(deviceValue({ publicAddress: '10.20.0.7' })))),
        delete o['probe.upnp'],
        delete o['probe.natpmp']
      ),
      snapshot: { target: { url: 'http://203.0.113.7:32400' } },
      expect: [{ messageId: 'publishedPrivate', data: { address: '10.20.0.7' } }],
    },
    {
      name: 'the router reports a private WAN address over UPnP',
      observations: upnpWan('10.0.0.2'),
      expect: [
        {
          messageId: 'privateWan',
          confidence: 'high',
          data: { wan: '10.0.0.2' },
          fixId: 'bridgeOrForward',
          mentions: ['forward TCP 32400', '10.0.0.2'],
        },
      ],
    },
    {
      name: 'only NAT-PMP answers, with a private address',
      observations: (o) => (
        (o['probe.upnp'] = failed('ENOIGD', 'none', { phase: 'timeout' })),
        (o['probe.natpmp'] = ok(natPmpValue('192.168.0.2')))
      ),
      expect: [{ messageId: 'privateWan', data: { wan: '192.168.0.2' } }],
    },
    {
      name: 'without a host probe the vantage is unknown: medium',
      observations: (o) => (upnpWan('10.0.0.2')(o), delete o['probe.host']),
      expect: [{ messageId: 'privateWan', confidence: 'medium' }],
    },
    {
      name: 'miniupnpd answers an empty external address (its WAN is reserved)',
      observations: (o) => (
        upnpWan('')(o),
        (o['probe.natpmp'] = failed('ENATPMP_NETWORK_FAILURE', 'network failure', { phase: 'response' }))
      ),
      expect: [{ messageId: 'wanNotPublic', confidence: 'medium', data: { source: 'UPnP' }, fixId: 'findUpstream' }],
    },
    {
      name: 'Plex says doublenat while the router looks public',
      observations: (o) =>
        void (o['server.account'] = ok(accountValue({ mappingState: 'failed', mappingError: 'doublenat' }))),
      expect: [{ messageId: 'plexSaysDoubleNat', confidence: 'medium' }],
    },
  ],
});
