import rule from '../../../src/rules/builtin/manual-port-mismatch.js';
import type { Observation } from '../../../src/core/observation.js';
import { HOME, accountValue, failed, ok, prefsValue, upnpValue } from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';
import { parseForward } from '../../../src/collect/values/declared.js';

type O = Record<string, Observation>;
const unreachable = (o: O): void => {
  o['server.account'] = ok(
    accountValue({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '', publicPort: 0 }),
  );
};
const manual = (port: number) => (o: O) =>
  void (o['server.prefs'] = ok(prefsValue({ ManualPortMappingMode: true, ManualPortMappingPort: port })));
const table =
  (...mappings: NonNullable<NonNullable<Parameters<typeof upnpValue>[0]>['mappings']>[]) =>
  (o: O) =>
    void (o['probe.upnp'] = ok(upnpValue({ mappings: mappings.flat() })));

const stated = (...forwards: string[]): Observation =>
  ok({ via: 'flag', forwards: forwards.map((f) => parseForward(f)!) });

new RuleTester().run(rule.id, rule, {
  valid: [
    {
      name: 'no UPnP answer, but Plex is mapped: the outside decides it',
      observations: (o) => void (o['probe.upnp'] = failed('ENOIGD', 'no UPnP IGD answered')),
      evidence: /mappingState=mapped/,
    },
    {
      name: "no host facts and the IGD answered from another subnet: not the server's router",
      observations: (o) => (
        unreachable(o),
        table([{ internalClient: '192.168.1.99' }])(o),
        delete o['probe.host'],
        delete o['probe.natpmp'],
        (o['probe.upnp'] = ok({
          ...upnpValue({ mappings: [{ internalClient: '192.168.1.99' }] }),
          ssdpFrom: '10.9.0.1',
          location: 'http://10.9.0.1:5000/rootDesc.xml',
        }))
      ),
    },
    { name: 'healthy: automatic 32400 mapped to the server' },
    {
      name: 'manual 40000 forwarded to the server, mapped',
      observations: (o) => (manual(40000)(o), table([{ externalPort: 40000 }])(o)),
    },
    {
      name: 'the router table disagrees but Plex is mapped: trust the outcome',
      observations: (o) => (manual(40000)(o), table([])(o)),
    },
    {
      name: 'manual port absent from an incomplete table: cannot tell',
      observations: (o) => {
        unreachable(o);
        manual(40000)(o);
        o['probe.upnp'] = ok({ ...upnpValue({ mappings: [] }), mappingsComplete: false });
      },
    },
    {
      name: 'manual 40000 behind a router without a public WAN (miniupnpd then lists nothing): its silence proves nothing',
      observations: (o) => {
        unreachable(o);
        manual(40000)(o);
        o['probe.upnp'] = ok(upnpValue({ externalIp: '', mappings: [] }));
        o['probe.natpmp'] = failed('ENATPMP_NETWORK_FAILURE', 'network failure', { phase: 'response' });
      },
    },
    {
      name: 'run from another network',
      observations: (o) => (unreachable(o), table([{ internalClient: '192.168.1.99' }])(o)),
      snapshot: { target: { url: 'http://203.0.113.7:32400' } },
    },
  ],
  invalid: [
    {
      name: 'no UPnP: manual port 40000, and the user said the router forwards 32400 to the server',
      observations: (o) => (
        unreachable(o),
        manual(40000)(o),
        (o['probe.upnp'] = failed('ENOIGD', 'no UPnP IGD answered')),
        (o['probe.natpmp'] = failed('ETIMEDOUT', 'no answer', { phase: 'timeout' })),
        (o['declared.forwards'] = stated(`32400:${HOME.server}:32400`))
      ),
      expect: [
        {
          messageId: 'otherPortForwarded',
          confidence: 'medium',
          data: { manualPort: 40000, forwardedPort: 32400 },
          fixId: 'useForwardedPort',
        },
      ],
    },
    {
      name: 'no UPnP, Plex check unread: the stated forward goes to the old DHCP address',
      observations: (o) => (
        (o['server.account'] = ok(accountValue({ mappingState: '', mappingError: '', publicPort: 0 }))),
        manual(40000)(o),
        (o['probe.upnp'] = failed('ENOIGD', 'no UPnP IGD answered')),
        (o['declared.forwards'] = stated('40000:192.168.1.77:32400')),
        delete o['server.root']
      ),
      expect: [{ messageId: 'wrongHost', confidence: 'medium', data: { forwardHost: '192.168.1.77' } }],
    },
    {
      name: "Plex's check still waiting: the UPnP table already shows the forward to another machine",
      observations: (o) => (
        (o['server.account'] = ok(accountValue({ mappingState: 'waiting', mappingError: '', publicPort: 0 }))),
        manual(40000)(o),
        table([{ externalPort: 40000, internalClient: '192.168.1.99' }])(o)
      ),
      expect: [{ messageId: 'wrongHost', confidence: 'high' }],
    },
    {
      name: "no host facts: the IGD answered from the target's /24, so it is taken as the server's router (medium)",
      observations: (o) => (unreachable(o), table([{ internalClient: '192.168.1.99' }])(o), delete o['probe.host']),
      expect: [{ messageId: 'wrongHost', confidence: 'medium', fixId: 'retarget' }],
    },
    {
      name: 'the forward points at another machine (the server got a new DHCP address)',
      observations: (o) => (unreachable(o), table([{ internalClient: '192.168.1.99' }])(o)),
      expect: [
        {
          messageId: 'wrongHost',
          confidence: 'high',
          data: { port: 32400, forwardHost: '192.168.1.99', server: HOME.server },
          fixId: 'retarget',
          mentions: ['DHCP reservation'],
        },
      ],
    },
    {
      name: 'the forward reaches the server on the wrong internal port',
      observations: (o) => (unreachable(o), table([{ internalPort: 32401 }])(o)),
      expect: [{ messageId: 'wrongPort', confidence: 'high', data: { forwardPort: 32401, serverPort: 32400 } }],
    },
    {
      name: 'manual port 40000 but the router forwards 32400 to the server',
      observations: (o) => (unreachable(o), manual(40000)(o)),
      expect: [
        {
          messageId: 'otherPortForwarded',
          confidence: 'high',
          data: { manualPort: 40000, forwardedPort: 32400 },
          fixId: 'useForwardedPort',
          actions: [{ type: 'set-pref', pref: 'ManualPortMappingPort', value: 32400 }],
        },
      ],
    },
    {
      name: 'manual port 40000 and nothing forwards to the server',
      observations: (o) => (
        unreachable(o),
        manual(40000)(o),
        table([{ externalPort: 8080, internalClient: '192.168.1.50', internalPort: 80 }])(o)
      ),
      expect: [
        {
          messageId: 'manualPortNotForwarded',
          confidence: 'medium',
          data: { manualPort: 40000, count: 1 },
          fixId: 'addForward',
        },
      ],
    },
  ],
  notChecked: [
    {
      name: 'no UPnP table to compare with and no forward stated',
      observations: (o) => (
        unreachable(o),
        manual(40000)(o),
        (o['probe.upnp'] = failed('ENOIGD', 'no UPnP IGD answered'))
      ),
      reason: /forwards can't be read/,
      howToCheck: /--forward 40000:192\.168\.1\.10:32400/,
    },
  ],
});
