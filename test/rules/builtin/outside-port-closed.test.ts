import rule from '../../../src/rules/builtin/outside-port-closed.js';
import type { Observation } from '../../../src/core/observation.js';
import { HOME, failed, ok, upnpValue } from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';
import { forwardPort, frontDoorPort, outside, plexPort } from '../../helpers/outside.js';

type O = Record<string, Observation>;
const noIgd = (o: O): void => {
  o['probe.upnp'] = failed('ENOIGD', 'no UPnP IGD answered', { phase: 'timeout' });
  o['probe.natpmp'] = failed('ETIMEDOUT', 'no answer', { phase: 'timeout' });
};
const closedPlex = (state: 'refused' | 'filtered') => outside({ ports: [plexPort(state), forwardPort(8443)] });

new RuleTester().run(rule.id, rule, {
  valid: [
    {
      name: "Plex's port is open from outside",
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort(), forwardPort(8443)] })),
      evidence: /32400 open/,
    },
  ],
  invalid: [
    {
      name: 'refused from outside, the router lists no forward of 32400: the forward is missing (measured)',
      observations: (o) => (
        (o['probe.outside'] = closedPlex('refused')),
        (o['probe.upnp'] = ok(upnpValue({ mappings: [] })))
      ),
      expect: [
        {
          messageId: 'noForward',
          confidence: 'high',
          data: { port: 32400, state: 'refused', openPort: 8443, server: HOME.server },
          fixId: 'addForward',
        },
      ],
    },
    {
      name: 'filtered, and the router forwards 32400 only to another host: missing forward to the server',
      observations: (o) => (
        (o['probe.outside'] = closedPlex('filtered')),
        (o['probe.upnp'] = ok(upnpValue({ mappings: [{ internalClient: '192.168.1.99' }] })))
      ),
      expect: [{ messageId: 'noForward', confidence: 'high', data: { state: 'filtered' } }],
    },
    {
      name: 'no UPnP; the forwards you stated do not include 32400: missing (declared, medium)',
      observations: (o) => (
        noIgd(o),
        (o['probe.outside'] = closedPlex('refused')),
        (o['declared.forwards'] = ok({
          via: 'flag',
          forwards: [{ externalPort: 8443, host: HOME.server, internalPort: 8443 }],
        }))
      ),
      expect: [{ messageId: 'noForward', confidence: 'medium' }],
    },
    {
      name: 'forwarded to the server, answers on the LAN, refused from outside: the host refuses the internet',
      observations: (o) => void (o['probe.outside'] = closedPlex('refused')),
      expect: [
        { messageId: 'hostRefuses', confidence: 'medium', fixId: 'allowHost', mentions: ['ufw allow 32400/tcp'] },
      ],
    },
    {
      name: "refused, the router's forwards unreadable: say what separates a missing forward from the host",
      observations: (o) => (noIgd(o), (o['probe.outside'] = closedPlex('refused'))),
      expect: [
        { messageId: 'forwardOrHost', confidence: 'medium', mentions: ["The router's forward list separates them"] },
      ],
    },
  ],
  notChecked: [
    { name: 'no outside check', reason: /nothing was checked from outside/, howToCheck: /--reflector/ },
    {
      name: 'hairpin: closed through NAT loopback says nothing about the outside',
      observations: (o) =>
        void (o['probe.outside'] = outside({ vantage: 'hairpin', ports: [plexPort('refused'), forwardPort(8443)] })),
      reason: /hairpin/,
    },
    {
      name: 'filtered and forwarded to the server: upstream or the host dropping, not this rule',
      observations: (o) => void (o['probe.outside'] = closedPlex('filtered')),
      reason: /see isp-blocks-port/,
      howToCheck: /firewall ruleset/,
    },
    {
      name: "filtered, the router's forwards unreadable: a candidate only",
      observations: (o) => (noIgd(o), (o['probe.outside'] = closedPlex('filtered'))),
      reason: /cannot be read/,
      suspects: ['suspected'],
    },
    {
      name: 'no other port open: nothing shows the internet gets through the router',
      observations: (o) =>
        void (o['probe.outside'] = outside({ ports: [plexPort('refused'), forwardPort(22, 'filtered')] })),
      reason: /no other port was open/,
      howToCheck: /--forward-check/,
    },
    {
      name: 'the server did not answer here',
      observations: (o) => (delete o['server.identity'], (o['probe.outside'] = closedPlex('refused'))),
      reason: /server that is down/,
    },
    {
      name: 'closed by design: a front door reaches this server',
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort('refused'), frontDoorPort()] })),
      reason: /by design/,
    },
  ],
});
