import rule from '../../../src/rules/builtin/forward-reaches-other-host.js';
import { HOME } from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';
import { OTHER_SERVER, forwardPort, frontDoorPort, outside, plexPort } from '../../helpers/outside.js';

const htmlOn = (port: ReturnType<typeof plexPort>) => ({
  ...port,
  identity: { status: 'ok' as const, httpStatus: 200, bodyKind: 'html' as const, title: 'Router login' },
});

new RuleTester().run(rule.id, rule, {
  valid: [
    {
      name: "Plex's port reaches this server from outside",
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort(), forwardPort(22)] })),
      evidence: /32400 open .*identity names this server/,
    },
    {
      name: 'Plex port and the front door both reach this server',
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort(), frontDoorPort()] })),
      evidence: /443 open/,
    },
  ],
  invalid: [
    {
      name: 'another Plex server answers on the public port',
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort('open', OTHER_SERVER)] })),
      expect: [
        {
          messageId: 'otherPlex',
          confidence: 'high',
          data: { port: 32400, seen: OTHER_SERVER, expected: HOME.machineIdentifier },
          fixId: 'retarget',
          mentions: [`${HOME.server}:32400`],
        },
      ],
    },
    {
      name: "a router's login page answers on the public port: not Plex",
      observations: (o) => void (o['probe.outside'] = outside({ ports: [htmlOn(plexPort())] })),
      expect: [{ messageId: 'notPlex', confidence: 'high', mentions: ['Router login'] }],
    },
    {
      name: 'a lying identity: our machineIdentifier, but HTTP 500',
      observations: (o) => {
        const port = plexPort();
        port.identity = {
          status: 'ok',
          httpStatus: 500,
          bodyKind: 'plex-identity',
          machineIdentifier: HOME.machineIdentifier,
        };
        o['probe.outside'] = outside({ ports: [port] });
      },
      expect: [{ messageId: 'notPlex' }],
    },
    {
      name: 'Plex port fine, the front door reaches another server (a forward of 443 to the old box)',
      observations: (o) =>
        void (o['probe.outside'] = outside({ ports: [plexPort(), frontDoorPort(443, OTHER_SERVER)] })),
      expect: [{ messageId: 'otherPlex', data: { port: 443 } }],
    },
    {
      name: 'both wrong: the Plex port is named first',
      observations: (o) =>
        void (o['probe.outside'] = outside({
          ports: [frontDoorPort(443, OTHER_SERVER), plexPort('open', OTHER_SERVER)],
        })),
      expect: [{ messageId: 'otherPlex', data: { port: 32400 } }],
    },
  ],
  notChecked: [
    { name: 'no outside check', reason: /nothing was checked from outside/, howToCheck: /--reflector/ },
    {
      name: 'a hairpin check showing another server is not the outside view',
      observations: (o) =>
        void (o['probe.outside'] = outside({ vantage: 'hairpin', ports: [plexPort('open', OTHER_SERVER)] })),
      reason: /hairpin/,
    },
    {
      name: 'a reflector that tested another address of ours',
      observations: (o) =>
        void (o['probe.outside'] = outside({ source: '84.9.9.9', ports: [plexPort('open', OTHER_SERVER)] })),
      reason: /another path/,
    },
    {
      name: "this server's identifier is unknown: nothing to compare",
      observations: (o) =>
        void (o['probe.outside'] = outside({ expected: null, ports: [plexPort('open', OTHER_SERVER)] })),
      reason: /machineIdentifier is not known/,
    },
    {
      name: 'the Plex port is closed: no identity to judge',
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort('filtered'), forwardPort(22)] })),
      reason: /no port checked from outside was open with \/identity asked/,
    },
  ],
});
