import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import type { Observation } from '../../../src/core/observation.js';
import { ResourcesValue } from '../../../src/collect/values/plextv.js';
import rule, { ServerStaleOptions, formatAge } from '../../../src/rules/builtin/server-stale.js';
import { ServerIdentity } from '../../../src/clients/server/index.js';
import { ConnectionsValue } from '../../../src/collect/values/connections.js';
import {
  HOME,
  buildSnapshot,
  deviceValue,
  failed,
  healthyObservations,
  ok,
  probedConnection,
  resourcesValue,
  skipped,
} from '../../../src/testing/observations.js';
import { runRule } from '../../../src/testing/run-rule.js';
import { RuleTester, all } from '../../../src/testing/index.js';

type Obs = Record<string, Observation>;
const CREATED = Date.parse(HOME.createdAt);
const minutesAgo = (minutes: number) => new Date(CREATED - minutes * 60_000).toISOString();

const device = (overrides: Record<string, unknown>) => (o: Obs) => {
  o['plextv.resources'] = ok(resourcesValue(deviceValue(overrides)));
};
const serverDown = (o: Obs) =>
  void (o['server.identity'] = failed('PLEXDIAG_NETWORK', 'refused', { phase: 'connect', causeCode: 'ECONNREFUSED' }));
const serverVersion = (version: string) => (o: Obs) =>
  void (o['server.identity'] = ok(
    ServerIdentity.parse({ machineIdentifier: HOME.machineIdentifier, version, claimed: true }),
  ));

/** The LAN connection answered with this Date header (the run's clock is HOME.createdAt, 10:00:00Z). */
const serverClock =
  (serverDate: string, identity: 'match' | 'mismatch' = 'match') =>
  (o: Obs) => {
    o['probe.connections'] = ok(
      ConnectionsValue.parse({
        connections: [probedConnection({ address: HOME.server, local: true, identity, serverDate })],
      }),
    );
  };

new RuleTester().run(rule.id, rule, {
  valid: [
    {
      name: "the server's clock two minutes off: within the noise",
      observations: serverClock('2026-11-25T09:58:00.000Z'),
    },
    {
      name: "another server's clock is wrong, not this one's",
      observations: serverClock('2026-11-25T07:00:00.000Z', 'mismatch'),
    },
    { name: 'healthy: online, seen now, same version' },
    { name: 'last seen 59 minutes ago (under the default 60)', observations: device({ lastSeenAt: minutesAgo(59) }) },
    {
      name: "lastSeenAt in the future (this machine's clock is behind)",
      observations: device({ lastSeenAt: minutesAgo(-600) }),
    },
    { name: 'no lastSeenAt at all', observations: device({ lastSeenAt: undefined }) },
    {
      name: 'plex.tv has no record matched to this server',
      observations: (o) => void (o['plextv.resources'] = ok(ResourcesValue.parse({ matchedBy: 'none', servers: [] }))),
    },
    { name: 'plex.tv not asked', observations: (o) => void (o['plextv.resources'] = skipped('no token')) },
    {
      name: 'the record belongs to another server',
      observations: device({
        clientIdentifier: 'ffffffffffffffffffffffffffffffffffffffff',
        presence: false,
        productVersion: '1.0.0',
      }),
    },
    {
      name: "offline on plex.tv and not answering here either: that is server-unreachable's finding",
      observations: all(serverDown, device({ presence: false, lastSeenAt: minutesAgo(10) })),
    },
    {
      name: 'versions compared only when the server tells its own',
      observations: all(serverDown, device({ productVersion: '1.40.0.0000-000000000' })),
    },
  ],
  invalid: [
    {
      name: "the server's clock is three hours behind",
      observations: serverClock('2026-11-25T07:00:00.000Z'),
      expect: [
        {
          messageId: 'clockSkew',
          confidence: 'medium',
          data: { direction: 'behind' },
          fixId: 'syncClock',
          mentions: ['timedatectl set-ntp true'],
        },
      ],
    },
    {
      name: "the server's clock is a day ahead",
      observations: serverClock('2026-11-26T10:00:00.000Z'),
      expect: [{ messageId: 'clockSkew', data: { direction: 'ahead of' } }],
    },
    {
      name: 'plex.tv says offline while the server answers',
      observations: device({ presence: false, lastSeenAt: minutesAgo(192) }),
      expect: [
        {
          messageId: 'offline',
          confidence: 'high',
          data: { name: HOME.name, url: `http://${HOME.server}:32400` },
          fixId: 'reconnect',
          mentions: ['last seen 3 h 12 min before this run', 'systemctl restart plexmediaserver'],
        },
      ],
    },
    {
      name: 'offline with no last-seen time',
      observations: device({ presence: false, lastSeenAt: undefined }),
      expect: [{ messageId: 'offline', data: { lastSeen: '' } }],
    },
    {
      name: 'not heard from for 3 hours, presence not given',
      observations: device({ presence: undefined, lastSeenAt: minutesAgo(180) }),
      expect: [
        { messageId: 'lastSeenOld', confidence: 'medium', data: { age: '3 h', maxAgeMinutes: 60 }, fixId: 'reconnect' },
      ],
    },
    {
      name: 'not heard from for 2 days though presence=1: low',
      observations: device({ lastSeenAt: minutesAgo(2 * 24 * 60 + 240) }),
      expect: [{ messageId: 'lastSeenOld', confidence: 'low', data: { age: '2 days 4 h' } }],
    },
    {
      name: 'the server is down and plex.tv last heard from it 5 hours ago',
      observations: all(serverDown, device({ presence: false, lastSeenAt: minutesAgo(300) })),
      expect: [{ messageId: 'lastSeenOld', confidence: 'medium' }],
    },
    {
      name: 'plex.tv still shows the version before an update',
      observations: serverVersion('1.41.4.9463-630c9f557'),
      expect: [
        {
          messageId: 'versionMismatch',
          confidence: 'low',
          data: { plexTvVersion: '1.41.3.9314-a0bfb8370', serverVersion: '1.41.4.9463-630c9f557' },
          fixId: 'republish',
        },
      ],
    },
    {
      name: 'offline and an old version: two findings',
      observations: all(serverVersion('1.41.4.9463-630c9f557'), device({ presence: false })),
      expect: [{ messageId: 'offline' }, { messageId: 'versionMismatch' }],
    },
  ],
});

describe('server-stale options', () => {
  const twoHoursOld = (): Obs => {
    const observations = healthyObservations();
    device({ lastSeenAt: minutesAgo(120) })(observations);
    return observations;
  };
  const run = (options: unknown) =>
    runRule(rule, buildSnapshot(twoHoursOld()), { options }).diagnoses.map((d) => [d.messageId, d.data.maxAgeMinutes]);

  const cases: { name: string; options: unknown; expected: unknown[] }[] = [
    { name: 'default (60): two hours is stale', options: undefined, expected: [['lastSeenOld', 60]] },
    { name: 'maxAgeMinutes 180: two hours is fine', options: { maxAgeMinutes: 180 }, expected: [] },
    { name: 'maxAgeMinutes 90: two hours is stale', options: { maxAgeMinutes: 90 }, expected: [['lastSeenOld', 90]] },
    { name: 'no maxAgeMinutes: the default 60', options: {}, expected: [['lastSeenOld', 60]] },
  ];
  for (const c of cases) it(c.name, () => expect(run(c.options)).toEqual(c.expected));

  // A bad option used to fall back to 60 silently; now it stops the run up front, naming the rule and the option.
  const bad: { name: string; options: unknown; issue: RegExp }[] = [
    { name: 'a string', options: { maxAgeMinutes: '180' }, issue: /options\.maxAgeMinutes: .*number/ },
    { name: 'a negative number', options: { maxAgeMinutes: -5 }, issue: /options\.maxAgeMinutes: .*>0/ },
    { name: 'zero', options: { maxAgeMinutes: 0 }, issue: /options\.maxAgeMinutes: .*>0/ },
    { name: 'not an object', options: 'often', issue: /options: .*object/ },
    { name: 'a misspelt option', options: { maxAgeMinute: 90 }, issue: /options: .*maxAgeMinute/ },
  ];
  for (const c of bad)
    it(`${c.name} is a usage error`, () => {
      let error: unknown;
      try {
        run(c.options);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toMatch(/^rule "server-stale" has a bad option: /);
      expect((error as UsageError).message).toMatch(c.issue);
    });

  it('its schema parses good values, applies the default, and refuses junk', () => {
    expect(ServerStaleOptions.parse({ maxAgeMinutes: 15 })).toEqual({ maxAgeMinutes: 15 });
    expect(ServerStaleOptions.parse({})).toEqual({ maxAgeMinutes: 60 });
    expect(ServerStaleOptions.safeParse(null).success).toBe(false);
    expect(ServerStaleOptions.safeParse({ maxAgeMinutes: Number.POSITIVE_INFINITY }).success).toBe(false);
  });
});

describe('formatAge', () => {
  const cases: [number, string][] = [
    [0, '0 min'],
    [45, '45 min'],
    [60, '1 h'],
    [192, '3 h 12 min'],
    [47 * 60 + 59, '47 h 59 min'],
    [48 * 60, '2 days'],
    [52 * 60 + 10, '2 days 4 h'],
  ];
  for (const [minutes, text] of cases) it(`${minutes} → ${text}`, () => expect(formatAge(minutes)).toBe(text));
});
