import rule from '../../../src/rules/builtin/isp-blocks-port.js';
import type { Observation } from '../../../src/core/observation.js';
import { HOME, accountValue, failed, ok, prefsValue, upnpValue } from '../../../src/testing/observations.js';
import { forwardPort, frontDoorPort, outside, plexPort } from '../../helpers/outside.js';
import { RuleTester } from '../../../src/testing/index.js';

type O = Record<string, Observation>;
/** plex.tv cannot reach the port; a real server clears the public address in that case (python-plexapi test). */
const unreachable = (o: O): void => {
  o['server.account'] = ok(
    accountValue({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '', publicPort: 0 }),
  );
};
const experiment = (outcome: 'reachable' | 'unreachable' | 'not-run', kept = false) => ({
  outcome,
  externalPort: 45123,
  kept,
  before: { mappingState: 'failed', mappingError: 'unreachable' },
  after:
    outcome === 'reachable'
      ? { mappingState: 'mapped', publicPort: 45123 }
      : { mappingState: 'failed', mappingError: 'unreachable' },
});

const withOutside = (state: 'open' | 'filtered', identity: 'this' | 'other' | 'none') => ({
  ok: true,
  vantage: 'reflector' as const,
  outside: true,
  sourceSeen: HOME.wan,
  port: 45123,
  state,
  identity,
});

new RuleTester().run(rule.id, rule, {
  valid: [
    {
      name: 'a reflector outside reached this server on 32400: whatever plex.tv said, nothing upstream filters it',
      observations: (o) => (unreachable(o), (o['probe.outside'] = outside({ ports: [plexPort()] }))),
      evidence: /reflector/,
    },
    {
      name: 'a front door by design (reverse proxy on 443) stands the rule down',
      observations: (o) => (
        unreachable(o),
        (o['probe.upnp'] = ok(upnpValue({ mappings: [] }))),
        (o['probe.outside'] = outside({ ports: [plexPort('filtered'), frontDoorPort()] }))
      ),
      evidence: /front door on TCP 443/,
    },
    {
      name: 'filtered from outside, another port open, but the router holds no forward of 32400: not an ISP filter',
      observations: (o) => (
        (o['probe.upnp'] = ok(upnpValue({ mappings: [] }))),
        (o['probe.outside'] = outside({ ports: [plexPort('filtered'), forwardPort(8443)] }))
      ),
    },
    {
      name: 'refused (not filtered) from outside: an ISP filter drops, it does not refuse',
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort('refused'), forwardPort(8443)] })),
    },
    {
      name: 'filtered, but nothing else was open from outside: the router itself is not shown to pass the internet',
      observations: (o) =>
        void (o['probe.outside'] = outside({ ports: [plexPort('filtered'), forwardPort(8443, 'filtered')] })),
    },
    {
      name: 'filtered with another port open, but the reflector tested another of our addresses (a second WAN)',
      observations: (o) =>
        void (o['probe.outside'] = outside({
          source: '84.9.9.9',
          publicIp: null,
          ports: [plexPort('filtered'), forwardPort(8443)],
        })),
    },
    {
      name: 'filtered with another port open through NAT loopback (hairpin): proves nothing',
      observations: (o) =>
        void (o['probe.outside'] = outside({ vantage: 'hairpin', ports: [plexPort('filtered'), forwardPort(8443)] })),
    },
    { name: 'healthy: mapped' },
    {
      name: 'unreachable, but the router WAN is private (double NAT explains it)',
      observations: (o) => (
        unreachable(o),
        (o['probe.upnp'] = ok(upnpValue({ externalIp: '10.0.0.2' }))),
        (o['probe.natpmp'] = failed('ETIMEDOUT', 'no answer', { phase: 'timeout' }))
      ),
    },
    {
      name: 'unreachable, but the router lists no forward for the port',
      observations: (o) => (unreachable(o), (o['probe.upnp'] = ok(upnpValue({ mappings: [] })))),
    },
    {
      name: 'unreachable, but the forward points at another host',
      observations: (o) => (
        unreachable(o),
        (o['probe.upnp'] = ok(upnpValue({ mappings: [{ internalClient: '192.168.1.99' }] })))
      ),
    },
    {
      name: 'unreachable, but plex.tv sees another address than the WAN (CGNAT or VPN)',
      observations: (o) => (
        unreachable(o),
        (o['plextv.publicIp'] = ok({ address: '84.0.0.1', class: 'public' })),
        (o['plextv.resources'] = failed('PLEXDIAG_AUTH', '401'))
      ),
    },
    {
      name: 'unreachable, but the router cannot be read (no UPnP, no NAT-PMP)',
      observations: (o) => (
        unreachable(o),
        (o['probe.upnp'] = failed('ENOIGD', 'no UPnP IGD answered', { phase: 'timeout' })),
        (o['probe.natpmp'] = failed('ETIMEDOUT', 'no answer', { phase: 'timeout' }))
      ),
    },
    {
      name: 'failed for another reason (publisherror)',
      observations: (o) =>
        void (o['server.account'] = ok(accountValue({ mappingState: 'failed', mappingError: 'publisherror' }))),
    },
    {
      name: "run from another network: the router seen here is not the server's",
      observations: unreachable,
      snapshot: { target: { url: 'http://203.0.113.7:32400' } },
    },
    {
      name: 'the experiment could not run, and no forward is visible',
      observations: (o) => (
        unreachable(o),
        (o['probe.upnp'] = ok(upnpValue({ mappings: [] }))),
        (o['experiment.alternatePort'] = ok(experiment('not-run')))
      ),
    },
  ],
  invalid: [
    {
      name: 'proven by the reflector: 32400 filtered, 8443 open through the same router, forward held, WAN public = tested',
      observations: (o) => void (o['probe.outside'] = outside({ ports: [plexPort('filtered'), forwardPort(8443)] })),
      expect: [
        {
          messageId: 'provenByReflector',
          confidence: 'high',
          data: { port: 32400, wan: HOME.wan, openPort: 8443, server: HOME.server, serverPort: 32400 },
          fixId: 'tryAlternatePort',
        },
      ],
    },
    {
      name: 'proven by the reflector with the forward you stated (the UPnP table lists no hand-made forward)',
      observations: (o) => (
        (o['probe.upnp'] = ok(upnpValue({ mappings: [] }))),
        (o['declared.forwards'] = ok({
          via: 'flag',
          forwards: [{ externalPort: 32400, host: HOME.server, internalPort: 32400 }],
        })),
        (o['probe.outside'] = outside({ ports: [plexPort('filtered'), forwardPort(8443)] }))
      ),
      expect: [{ messageId: 'provenByReflector', confidence: 'high' }],
    },
    {
      name: 'a hairpin reflector does not prove it: the inside guess stays medium',
      observations: (o) => (
        unreachable(o),
        (o['probe.outside'] = outside({ vantage: 'hairpin', ports: [plexPort(), forwardPort(8443)] }))
      ),
      expect: [{ messageId: 'likely', confidence: 'medium', mentions: ['--reflector'] }],
    },
    {
      name: 'unreachable with the forward in place and the public address on the router: upstream filtering',
      observations: unreachable,
      expect: [
        {
          messageId: 'likely',
          confidence: 'medium',
          data: { port: 32400, wan: HOME.wan, server: HOME.server, serverPort: 32400 },
          fixId: 'tryAlternatePort',
          mentions: ['--experiment alternate-port'],
        },
      ],
    },
    {
      name: 'manual mode on port 32400 with the forward in place, same verdict',
      observations: (o) => (
        unreachable(o),
        (o['server.prefs'] = ok(prefsValue({ ManualPortMappingMode: true, ManualPortMappingPort: 32400 })))
      ),
      expect: [{ messageId: 'likely' }],
    },
    {
      name: 'the alternate-port experiment reached the server on another port: proof',
      observations: (o) => (unreachable(o), (o['experiment.alternatePort'] = ok(experiment('reachable')))),
      expect: [
        {
          messageId: 'proven',
          confidence: 'high',
          data: { port: 32400, altPort: 45123 },
          fixId: 'useAlternatePort',
          actions: [
            { type: 'set-pref', pref: 'ManualPortMappingMode', value: true },
            { type: 'set-pref', pref: 'ManualPortMappingPort', value: 45123 },
          ],
        },
      ],
    },
    {
      name: 'proof holds even when the router cannot be read otherwise',
      observations: (o) => (
        unreachable(o),
        (o['probe.upnp'] = failed('ENOIGD', 'none', { phase: 'timeout' })),
        (o['experiment.alternatePort'] = ok(experiment('reachable', true)))
      ),
      expect: [{ messageId: 'proven', mentions: ['kept its UPnP mapping'] }],
    },
    {
      name: 'the alternate port failed too: inbound is filtered, not one port',
      observations: (o) => (unreachable(o), (o['experiment.alternatePort'] = ok(experiment('unreachable')))),
      expect: [{ messageId: 'inboundBlocked', confidence: 'medium', fixId: 'askIsp' }],
    },
    {
      name: "the alternate port: plex.tv's verdict did not come, but a reflector outside reached this server on it: proof",
      observations: (o) => (
        unreachable(o),
        (o['experiment.alternatePort'] = ok({
          ...experiment('not-run'),
          outcome: 'inconclusive',
          outside: withOutside('open', 'this'),
        }))
      ),
      expect: [
        {
          messageId: 'proven',
          confidence: 'high',
          data: { altPort: 45123, by: 'a reflector outside connected and this server answered' },
        },
      ],
    },
    {
      name: 'the alternate port: plex.tv and the reflector both reached it',
      observations: (o) => (
        unreachable(o),
        (o['experiment.alternatePort'] = ok({ ...experiment('reachable'), outside: withOutside('open', 'this') }))
      ),
      expect: [{ messageId: 'proven', confidence: 'high', mentions: ['both connected'] }],
    },
    {
      name: 'plex.tv reached the alternate port, our reflector outside did not: the vantages disagree (medium)',
      observations: (o) => (
        unreachable(o),
        (o['experiment.alternatePort'] = ok({ ...experiment('reachable'), outside: withOutside('filtered', 'none') }))
      ),
      expect: [{ messageId: 'proven', confidence: 'medium' }],
    },
    {
      name: 'a hairpin "open" on the alternate port is no proof: the inside guess stays',
      observations: (o) => (
        unreachable(o),
        (o['experiment.alternatePort'] = ok({
          ...experiment('not-run'),
          outcome: 'inconclusive',
          outside: { ...withOutside('open', 'this'), vantage: 'hairpin', outside: false },
        }))
      ),
      expect: [{ messageId: 'likely', confidence: 'medium' }],
    },
    {
      name: 'the alternate port answered from outside as ANOTHER server: no proof',
      observations: (o) => (
        unreachable(o),
        (o['experiment.alternatePort'] = ok({
          ...experiment('not-run'),
          outcome: 'inconclusive',
          outside: withOutside('open', 'other'),
        }))
      ),
      expect: [{ messageId: 'likely' }],
    },
    {
      name: 'a reflector result for another port than the one mapped is ignored',
      observations: (o) => (
        unreachable(o),
        (o['experiment.alternatePort'] = ok({
          ...experiment('not-run'),
          outcome: 'inconclusive',
          outside: { ...withOutside('open', 'this'), port: 45124 },
        }))
      ),
      expect: [{ messageId: 'likely' }],
    },
  ],
  notChecked: [
    {
      name: 'no account and no root (no token): undecided, says how to decide it',
      observations: (o) => (
        (o['server.account'] = { status: 'skipped', reason: 'no token', durationMs: 0 }),
        delete o['server.root']
      ),
      reason: /remote access check has no result/,
      howToCheck: /token/,
    },
    {
      name: 'no token, but the owner says it fails from outside: a candidate without /myplex/account',
      observations: (o) => (
        (o['server.account'] = { status: 'skipped', reason: 'no token', durationMs: 0 }),
        delete o['server.root'],
        (o['declared.remoteAccess'] = { status: 'ok', value: { via: 'flag', failsFromOutside: true }, durationMs: 0 })
      ),
      reason: /remote access check has no result/,
      suspects: ['suspected'],
    },
  ],
});
