import rule from '../../../src/rules/builtin/no-port-forward.js';
import type { Observation } from '../../../src/core/observation.js';
import { HostInfo } from '../../../src/probes/host/index.js';
import { HOME, accountValue, failed, hostValue, ok, prefsValue, upnpValue } from '../../../src/testing/observations.js';
import { frontDoorPort, outside, plexPort } from '../../helpers/outside.js';
import { RuleTester } from '../../../src/testing/index.js';

type O = Record<string, Observation>;
const failedMapping = (o: O): void => {
  o['server.account'] = ok(
    accountValue({ mappingState: 'failed', mappingError: '', publicAddress: '', publicPort: 0 }),
  );
};
const noRouterProtocols = (o: O): void => {
  failedMapping(o);
  o['probe.upnp'] = failed('ENOIGD', 'no UPnP IGD answered within 3000 ms', { phase: 'timeout' });
  o['probe.natpmp'] = failed('ETIMEDOUT', 'no NAT-PMP answer after 4 tries', { phase: 'timeout' });
};
const bridgedContainerHost = HostInfo.parse({
  ...hostValue({ address: '172.17.0.2', gateway: '172.17.0.1', container: true }),
  container: { inContainer: true, runtime: 'docker', evidence: ['/.dockerenv exists'] },
});
/** The Docker host itself (not in a container): eth0 on the LAN, docker0 the default bridge. */
const dockerHost = HostInfo.parse({
  platform: 'linux',
  interfaces: [
    {
      name: 'eth0',
      addresses: [{ address: HOME.server, family: 4, cidr: `${HOME.server}/24`, class: 'private', internal: false }],
    },
    {
      name: 'docker0',
      addresses: [{ address: '172.17.0.1', family: 4, cidr: '172.17.0.1/16', class: 'private', internal: false }],
    },
  ],
  defaultRoutes: [],
  container: { inContainer: false, evidence: [] },
  bridges: [{ interface: 'docker0', address: '172.17.0.1', network: 'docker' }],
  vpn: { active: false, evidence: [] },
  notes: [],
});

new RuleTester().run(rule.id, rule, {
  valid: [
    {
      name: 'no router protocols, but a front door by design reaches this server from outside: stands down',
      observations: (o) => (
        noRouterProtocols(o),
        (o['probe.outside'] = outside({ ports: [plexPort('filtered'), frontDoorPort()] }))
      ),
      evidence: /front door/,
    },
    { name: 'healthy: mapped' },
    {
      name: 'remote access turned off on purpose',
      observations: (o) => (
        noRouterProtocols(o),
        (o['server.prefs'] = ok(prefsValue({ PublishServerOnPlexOnlineKey: false })))
      ),
    },
    {
      name: 'failed, but UPnP holds a mapping to the server (the forward exists: not this rule)',
      observations: failedMapping,
    },
    {
      name: 'manual mode with a readable router table (manual-port-mismatch decides)',
      observations: (o) => (
        failedMapping(o),
        (o['server.prefs'] = ok(prefsValue({ ManualPortMappingMode: true, ManualPortMappingPort: 40000 })))
      ),
    },
    {
      name: 'NAT-PMP answered, so Plex can map through it',
      observations: (o) => (
        noRouterProtocols(o),
        (o['probe.natpmp'] = ok({
          gateway: HOME.router,
          port: 5351,
          externalIp: HOME.wan,
          externalIpClass: 'public',
          epochSeconds: 5,
          attempts: 1,
        }))
      ),
    },
    {
      name: 'run from another network',
      observations: noRouterProtocols,
      snapshot: { target: { url: 'http://203.0.113.7:32400' } },
    },
    {
      name: "no host facts and the router that answered is on another subnet: not the server's router",
      observations: (o) => (
        failedMapping(o),
        delete o['probe.host'],
        (o['probe.upnp'] = ok({
          ...upnpValue({ mappings: [] }),
          ssdpFrom: '10.9.0.1',
          location: 'http://10.9.0.1:5000/d.xml',
        })),
        (o['probe.natpmp'] = failed('ETIMEDOUT', 'none', { phase: 'timeout' }))
      ),
      outcome: 'not-checked',
    },
    {
      name: "a container address in privateAddress, Plex's check unread and no route: not enough",
      observations: (o) => (
        (o['server.account'] = ok(accountValue({ mappingState: '', mappingError: '', privateAddress: '172.17.0.2' }))),
        delete o['probe.host'],
        delete o['server.root'],
        delete o['probe.upnp'],
        delete o['probe.natpmp']
      ),
      outcome: 'not-checked',
    },
  ],
  notChecked: [
    {
      name: 'a hairpin "open" does not pass it: still a candidate',
      observations: (o) => (
        noRouterProtocols(o),
        (o['server.prefs'] = { status: 'skipped', reason: 'no token', durationMs: 0 }),
        (o['probe.outside'] = outside({ vantage: 'hairpin', ports: [plexPort()] }))
      ),
      reason: /Plex's own remote access check has no result/,
      howToCheck: /--reflector/,
      suspects: ['suspected'],
    },
    {
      name: 'Docker bridge read off the Remote Access page (Private 172.17.0.2), check failed, no route: a candidate',
      observations: (o) => (
        (o['server.account'] = ok(
          accountValue({ mappingState: 'failed', mappingError: 'unreachable', privateAddress: '172.17.0.2' }),
        )),
        delete o['probe.host'],
        delete o['probe.upnp'],
        delete o['probe.natpmp']
      ),
      reason: /remote access check has no result/,
      suspects: ['containerCannotMap', 'suspected'],
    },
    {
      name: 'no token (no prefs), the router answers nothing: a candidate, not a finding',
      observations: (o) => (
        noRouterProtocols(o),
        delete o['server.prefs'],
        delete o['server.account'],
        delete o['server.root'],
        delete o['probe.host'],
        (o['declared.remoteAccess'] = ok({ failsFromOutside: true }))
      ),
      reason: /remote access check has no result/,
      suspects: ['suspected'],
    },
  ],
  invalid: [
    {
      name: 'automatic mode, no UPnP and no NAT-PMP on the router',
      observations: noRouterProtocols,
      expect: [
        {
          messageId: 'noAutomaticMapping',
          confidence: 'high',
          data: { server: HOME.server, serverPort: 32400 },
          fixId: 'forwardManually',
          actions: [
            { type: 'set-pref', pref: 'ManualPortMappingMode', value: true },
            { type: 'set-pref', pref: 'ManualPortMappingPort', value: 32400 },
          ],
          mentions: ['forward TCP 32400 to 192.168.1.10:32400'],
        },
      ],
    },
    {
      name: 'no UPnP and NAT-PMP not checked: a weaker claim',
      observations: (o) => (noRouterProtocols(o), delete o['probe.natpmp']),
      expect: [{ messageId: 'noAutomaticMapping', confidence: 'medium' }],
    },
    {
      name: 'UPnP answers but holds no mapping to the server',
      observations: (o) => (
        failedMapping(o),
        (o['probe.upnp'] = ok(
          upnpValue({ mappings: [{ externalPort: 8080, internalClient: '192.168.1.50', internalPort: 80 }] }),
        )),
        (o['probe.natpmp'] = failed('ETIMEDOUT', 'none', { phase: 'timeout' }))
      ),
      expect: [{ messageId: 'upnpWithoutMapping', confidence: 'medium', fixId: 'allowUpnp' }],
    },
    {
      name: 'Plex in a bridged container, run on that container, automatic mode',
      observations: (o) => (noRouterProtocols(o), (o['probe.host'] = ok(bridgedContainerHost))),
      snapshot: { target: { url: 'http://172.17.0.2:32400' } },
      expect: [{ messageId: 'containerCannotMap', confidence: 'high', fixId: 'forwardManually' }],
    },
    {
      name: 'no host facts: a private target with no router answering is inferred to share its LAN (lower confidence)',
      observations: (o) => (noRouterProtocols(o), delete o['probe.host']),
      expect: [{ messageId: 'noAutomaticMapping', confidence: 'medium' }],
    },
    {
      name: "no host facts, UPnP answers from the target's /24 with no mapping to the server",
      observations: (o) => (
        failedMapping(o),
        delete o['probe.host'],
        (o['probe.upnp'] = ok(upnpValue({ mappings: [] }))),
        (o['probe.natpmp'] = failed('ETIMEDOUT', 'none', { phase: 'timeout' }))
      ),
      expect: [{ messageId: 'upnpWithoutMapping', fixId: 'allowUpnp' }],
    },
    {
      name: "Plex's check still waiting, manual off, no UPnP and no NAT-PMP: already a finding",
      observations: (o) => (
        noRouterProtocols(o),
        (o['server.account'] = ok(accountValue({ mappingState: 'waiting', mappingError: '', publicAddress: '' })))
      ),
      expect: [{ messageId: 'noAutomaticMapping', confidence: 'medium' }],
    },
    {
      name: "run on the Docker host: Plex's private address 172.17.0.2 is inside the host's docker0 network",
      observations: (o) => (
        noRouterProtocols(o),
        (o['server.account'] = ok(
          accountValue({ mappingState: 'failed', mappingError: 'unreachable', privateAddress: '172.17.0.2' }),
        )),
        (o['probe.host'] = ok(dockerHost))
      ),
      snapshot: { target: { url: 'http://127.0.0.1:32400' } },
      expect: [{ messageId: 'containerCannotMap', confidence: 'high', fixId: 'forwardManually' }],
    },
    {
      name: 'manual port set, router unreadable: only a checklist',
      observations: (o) => (
        noRouterProtocols(o),
        (o['server.prefs'] = ok(prefsValue({ ManualPortMappingMode: true, ManualPortMappingPort: 32400 })))
      ),
      expect: [{ messageId: 'unverifiedManual', confidence: 'low', data: { port: 32400 }, fixId: 'checkForward' }],
    },
  ],
});
