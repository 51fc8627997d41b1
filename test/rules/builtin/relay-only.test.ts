import rule from '../../../src/rules/builtin/relay-only.js';
import type { Observation } from '../../../src/core/observation.js';
import { ConnectionsValue } from '../../../src/collect/values/connections.js';
import { ServerRoot } from '../../../src/clients/server/index.js';
import {
  HOME,
  accountValue,
  deviceValue,
  failed,
  ok,
  prefsValue,
  probedConnection,
  resourcesValue,
  skipped,
} from '../../../src/testing/observations.js';
import { OTHER_SERVER, outside, plexPort, frontDoorPort } from '../../helpers/outside.js';
import { RuleTester, all } from '../../../src/testing/index.js';

type O = Record<string, Observation>;

const unreachable = (o: O) =>
  void (o['server.account'] = ok(
    accountValue({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '', publicPort: 0 }),
  ));
const relayPref = (enabled: boolean) => (o: O) => void (o['server.prefs'] = ok(prefsValue({ RelayEnabled: enabled })));
/** plex.tv's record: LAN and WAN connections, plus a relay connection when `relay` is set. */
const plexTv =
  (relay: boolean, overrides: Record<string, unknown> = {}) =>
  (o: O) => {
    const connections = [
      { address: HOME.server, local: true },
      { address: HOME.wan },
      ...(relay ? [{ address: HOME.relay, port: 8443, relay: true }] : []),
    ];
    o['plextv.resources'] = ok(resourcesValue(deviceValue({ connections, ...overrides })));
  };
/** An old server without the RelayEnabled pref. */
const noRelayPref = (o: O) => {
  const prefs = prefsValue();
  delete prefs.network.RelayEnabled;
  prefs.settings = prefs.settings.filter((s) => s.id !== 'RelayEnabled');
  o['server.prefs'] = ok(prefs);
};
const customUrl = (uri: string, identity: 'match' | { code: string; phase: string }) => (o: O) => {
  const address = new URL(uri).hostname;
  o['probe.connections'] = ok(
    ConnectionsValue.parse({
      connections: [
        probedConnection({ address, uri, identity, ...(typeof identity === 'object' ? { tcp: identity } : {}) }),
      ],
    }),
  );
};

new RuleTester().run(rule.id, rule, {
  valid: [
    {
      name: 'plex.tv says unreachable, but a reflector outside reached this server: direct connections work',
      observations: (o) => (unreachable(o), (o['probe.outside'] = outside({ ports: [plexPort()] }))),
      evidence: /reflector/,
    },
    {
      name: 'a front door by design reaches this server: a direct way in',
      observations: (o) => (
        unreachable(o),
        (o['probe.outside'] = outside({ ports: [plexPort('filtered'), frontDoorPort()] }))
      ),
      evidence: /443 open/,
    },
    { name: 'healthy: mapped' },
    {
      name: 'remote access off on purpose (state unknown, no error)',
      observations: (o) => void (o['server.account'] = ok(accountValue({ mappingState: 'unknown', mappingError: '' }))),
    },
    {
      name: 'still waiting for the mapping',
      observations: (o) => void (o['server.account'] = ok(accountValue({ mappingState: 'waiting', mappingError: '' }))),
    },
    {
      name: 'mapping failed, but a tunnel URL answers as this server: a direct way in',
      observations: all(unreachable, customUrl('https://plex.example.com:443', 'match')),
    },
    {
      name: 'mapping failed, relay unknown: prefs and plex.tv unreadable',
      observations: all(
        unreachable,
        (o) => void (o['server.prefs'] = failed('PLEXDIAG_AUTH', 'token missing or invalid')),
        (o) => void (o['plextv.resources'] = skipped('no token')),
      ),
    },
    {
      name: 'mapping failed, old server without the pref, plex.tv says relay=0',
      observations: all(unreachable, noRelayPref, plexTv(false, { relay: false })),
    },
    { name: 'nothing collected', observations: {} },
  ],
  invalid: [
    {
      name: 'a hairpin "open" is not a direct way in from outside',
      observations: (o) => (
        unreachable(o),
        (o['probe.outside'] = outside({ vantage: 'hairpin', ports: [plexPort()] }))
      ),
      expect: [{ messageId: 'relayOnly' }],
    },
    {
      name: 'open from outside, but another server answers: not a way in to this one',
      observations: (o) => (
        unreachable(o),
        (o['probe.outside'] = outside({ ports: [plexPort('open', OTHER_SERVER)] }))
      ),
      expect: [{ messageId: 'relayOnly' }],
    },
    {
      name: 'mapping failed; the relay is on and plex.tv lists a relay connection',
      observations: unreachable,
      expect: [
        {
          messageId: 'relayOnly',
          confidence: 'high',
          fixId: 'fixRootCause',
          actions: [],
          mentions: ['2 Mbps', 'bandwidth limited'],
        },
      ],
    },
    {
      name: 'mapping failed; the relay pref is on but plex.tv lists no relay connection',
      observations: all(unreachable, plexTv(false)),
      expect: [{ messageId: 'relayOnly', confidence: 'medium' }],
    },
    {
      name: 'an old server (no RelayEnabled pref, failed state on /), plex.tv says relay=1',
      observations: all(
        (o) => void (o['server.account'] = skipped('no token')),
        (o) =>
          void (o['server.root'] = ok(
            ServerRoot.parse({ machineIdentifier: HOME.machineIdentifier, myPlexMappingState: 'failed' }),
          )),
        noRelayPref,
        plexTv(false, { relay: true }),
      ),
      expect: [{ messageId: 'relayOnly', confidence: 'medium' }],
    },
    {
      name: 'mapping failed; a LAN custom URL answers, which does not help outside',
      observations: all(unreachable, customUrl('http://192.168.1.10:32400', 'match')),
      expect: [{ messageId: 'relayOnly' }],
    },
    {
      name: 'mapping failed; the tunnel URL is down too',
      observations: all(
        unreachable,
        customUrl('https://plex.example.com:443', { code: 'ETIMEDOUT', phase: 'timeout' }),
      ),
      expect: [{ messageId: 'relayOnly' }],
    },
    {
      name: 'the relay is turned off while remote access fails',
      observations: all(unreachable, relayPref(false), plexTv(false, { relay: false })),
      expect: [
        {
          messageId: 'relayOff',
          confidence: 'high',
          fixId: 'enableRelay',
          actions: [{ type: 'set-pref', pref: 'RelayEnabled', value: true }],
        },
      ],
    },
    {
      name: 'relay off in the prefs while plex.tv still lists a relay connection: the pref wins',
      observations: all(unreachable, relayPref(false)),
      expect: [{ messageId: 'relayOff' }],
    },
  ],
});
