import rule from '../../../src/rules/builtin/outside-reachability.js';
import { HOME, failed, skipped } from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';
import { OTHER_SERVER, forwardPort, frontDoorPort, outside, plexPort } from '../../helpers/outside.js';

new RuleTester().run(rule.id, rule, {
  valid: [
    {
      name: "a reflector outside reached Plex's port and /identity named this server",
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort()] })),
      evidence: /identity names this server/,
    },
    {
      name: 'the identifier differs only in case: still this server',
      observations: (o) =>
        void (o['probe.outside'] = outside({ ports: [plexPort('open', HOME.machineIdentifier.toUpperCase())] })),
      evidence: /this server/,
    },
    {
      name: 'a front door by design: 32400 filtered, 443 reaches this server through TLS',
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort('filtered'), frontDoorPort()] })),
      evidence: /TLS handshake ok/,
    },
  ],
  invalid: [
    {
      name: 'filtered from outside',
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort('filtered'), forwardPort(8443)] })),
      expect: [
        { messageId: 'closed', confidence: 'high', data: { port: 32400, state: 'filtered', address: HOME.wan } },
      ],
    },
    {
      name: 'refused from outside',
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort('refused')] })),
      expect: [{ messageId: 'closed', data: { state: 'refused' } }],
    },
    {
      name: 'open, but another Plex server answers',
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort('open', OTHER_SERVER)] })),
      expect: [{ messageId: 'notThisServer', mentions: [OTHER_SERVER] }],
    },
    {
      name: 'a front door that reaches ANOTHER server does not count: Plex port closed',
      observations: (o) =>
        void (o['probe.outside'] = outside({ ports: [plexPort('filtered'), frontDoorPort(443, OTHER_SERVER)] })),
      expect: [{ messageId: 'closed' }],
    },
    {
      name: 'a lying identity: our machineIdentifier in a non-Plex body (HTML) is not this server',
      observations: (o) => {
        const port = plexPort();
        port.identity = {
          status: 'ok',
          httpStatus: 200,
          bodyKind: 'html',
          machineIdentifier: HOME.machineIdentifier,
        };
        o['probe.outside'] = outside({ ports: [port] });
      },
      expect: [{ messageId: 'notThisServer', mentions: ['html'] }],
    },
    {
      name: "a lying flag: identityMatches=true while the identifier is another server's",
      observations: (o) =>
        void (o['probe.outside'] = outside({ ports: [{ ...plexPort('open', OTHER_SERVER), identityMatches: true }] })),
      expect: [{ messageId: 'notThisServer' }],
    },
  ],
  notChecked: [
    {
      name: 'no reflector given',
      observations: (o) => void (o['probe.outside'] = skipped('no reflector given (--reflector URL)')),
      reason: /no outside check/,
      howToCheck: /--reflector/,
    },
    { name: 'not collected at all', reason: /nothing was checked from outside/, howToCheck: /--reflector/ },
    {
      name: 'the reflector refused us',
      observations: (o) => void (o['probe.outside'] = failed('EREFLECTOR_UNAUTHORIZED', 'the reflector refused')),
      reason: /EREFLECTOR_UNAUTHORIZED/,
    },
    {
      name: 'hairpin success is never outside success',
      observations: (o) => void (o['probe.outside'] = outside({ vantage: 'hairpin', ports: [plexPort()] })),
      reason: /not from outside \(hairpin\)/,
    },
    {
      name: 'a LAN reflector proves nothing about the internet',
      observations: (o) => void (o['probe.outside'] = outside({ vantage: 'lan', ports: [plexPort()] })),
      reason: /\(lan\)/,
    },
    {
      name: 'a loopback test reflector proves nothing about the internet',
      observations: (o) => void (o['probe.outside'] = outside({ vantage: 'loopback-test', ports: [plexPort()] })),
      reason: /\(loopback-test\)/,
    },
    {
      name: 'a reflector result for another address (a second WAN): not our path',
      observations: (o) => void (o['probe.outside'] = outside({ source: '84.9.9.9', ports: [plexPort()] })),
      reason: /checked another path/,
    },
    {
      name: 'open, but this server’s identifier is unknown',
      observations: (o) => void (o['probe.outside'] = outside({ expected: null, ports: [plexPort()] })),
      reason: /no \/identity named this server/,
    },
    {
      name: 'open, identity not answered',
      observations: (o) => {
        const port = plexPort();
        port.identity = { status: 'failed', phase: 'connect', code: 'ECONNRESET', message: 'reset' };
        o['probe.outside'] = outside({ ports: [port] });
      },
      reason: /open alone does not prove/,
    },
  ],
});
