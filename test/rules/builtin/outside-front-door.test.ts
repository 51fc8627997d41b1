import rule from '../../../src/rules/builtin/outside-front-door.js';
import { ok, prefsValue } from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';
import { OTHER_SERVER, forwardPort, frontDoorPort, outside, plexPort } from '../../helpers/outside.js';

const proxied = outside({ ports: [plexPort('filtered'), frontDoorPort()] });

new RuleTester().run(rule.id, rule, {
  valid: [
    {
      name: "the internet reaches Plex's own port: no front door needed",
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort()] })),
      evidence: /identity/,
    },
  ],
  invalid: [
    {
      name: 'a reverse proxy by design, advertised in the custom URLs',
      observations: (o) => (
        (o['probe.outside'] = proxied),
        (o['server.prefs'] = ok(prefsValue({ customConnections: 'https://plex.example.net' })))
      ),
      expect: [
        {
          messageId: 'byDesign',
          severity: 'info',
          confidence: 'high',
          data: { port: 443, plexPort: 32400, state: 'filtered' },
          mentions: ['is among the Custom server access URLs'],
        },
      ],
    },
    {
      name: 'a front door that apps cannot find (no custom URL on its port)',
      observations: (o) => (
        (o['probe.outside'] = proxied),
        (o['server.prefs'] = ok(prefsValue({ customConnections: 'https://plex.example.net:8443' })))
      ),
      expect: [{ messageId: 'byDesign', mentions: ['No Custom server access URL uses port 443'] }],
    },
    {
      name: 'a tunnel on another port, said by the user too',
      observations: (o) => (
        (o['probe.outside'] = outside({ ports: [plexPort('refused'), frontDoorPort(8443)] })),
        (o['declared.frontDoor'] = ok({ via: 'flag', kind: 'tunnel' }))
      ),
      expect: [{ messageId: 'byDesign', data: { port: 8443, state: 'refused' } }],
    },
  ],
  notChecked: [
    { name: 'no outside check', reason: /nothing was checked from outside/, howToCheck: /--reflector/ },
    {
      name: 'a front door through hairpin only is not proof',
      observations: (o) =>
        void (o['probe.outside'] = outside({ vantage: 'hairpin', ports: [plexPort('filtered'), frontDoorPort()] })),
      reason: /hairpin/,
    },
    {
      name: '443 answers TLS but as another server: not this front door',
      observations: (o) => (
        (o['probe.outside'] = outside({ ports: [plexPort('filtered'), frontDoorPort(443, OTHER_SERVER)] })),
        (o['declared.frontDoor'] = ok({ via: 'flag', kind: 'reverse-proxy' }))
      ),
      reason: /you said there is a reverse-proxy, but no port/,
      howToCheck: /443\/https/,
    },
    {
      name: 'an open port without TLS or identity proves no front door',
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort('filtered'), forwardPort(443)] })),
      reason: /no port checked from outside reached this server/,
    },
  ],
});
