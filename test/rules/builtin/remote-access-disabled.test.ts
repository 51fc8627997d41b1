import { afterEach, describe, expect, it } from 'vitest';
import { collect } from '../../../src/diagnose/collect.js';
import type { Observation } from '../../../src/core/observation.js';
import { planFix } from '../../../src/fix/plan.js';
import mappingFailed from '../../../src/rules/builtin/mapping-failed.js';
import rule from '../../../src/rules/builtin/remote-access-disabled.js';
import { evaluateRules } from '../../../src/rules/engine.js';
import type { FixAction } from '../../../src/rules/types.js';
import { networkPrefsFrom, ServerIdentity, type ServerPrefs } from '../../../src/clients/server/index.js';
import { startFakePlexServer } from '../../../src/testing/fake-plex-server/index.js';
import {
  HOME,
  accountValue,
  buildSnapshot,
  failed,
  healthyObservations,
  ok,
  prefsValue,
  skipped,
} from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';

type Obs = Record<string, Observation>;
const ENABLE: FixAction[] = [{ type: 'set-pref', pref: 'PublishServerOnPlexOnlineKey', value: true }];
const published = (value: boolean) => (o: Obs) =>
  void (o['server.prefs'] = ok(prefsValue({ PublishServerOnPlexOnlineKey: value })));

/** /:/prefs of a server that does not list the pref at all. */
function prefsWithout(id: string): ServerPrefs {
  const settings = prefsValue().settings.filter((s) => s.id !== id);
  return { settings, network: networkPrefsFrom(settings) };
}

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: remote access on' },
    {
      name: 'the pref is missing from /:/prefs: silence, not a guess',
      observations: (o) => void (o['server.prefs'] = ok(prefsWithout('PublishServerOnPlexOnlineKey'))),
    },
    {
      name: "on, while the mapping failed: other rules' business",
      observations: (o) =>
        void (o['server.account'] = ok(accountValue({ mappingState: 'failed', mappingError: 'unreachable' }))),
    },
  ],
  invalid: [
    {
      name: 'remote access turned off',
      observations: published(false),
      expect: [
        {
          messageId: 'disabled',
          confidence: 'high',
          fixId: 'enable',
          actions: ENABLE,
          mentions: ['Settings → Remote Access → Enable Remote Access'],
        },
      ],
    },
    {
      name: 'turned off; the account shows the unknown mapping state it leaves behind',
      observations: (o) => {
        published(false)(o);
        o['server.account'] = ok(accountValue({ mappingState: 'unknown', mappingError: '', publicPort: 0 }));
      },
      expect: [{ messageId: 'disabled', actions: ENABLE }],
    },
    {
      name: 'turned off on an unclaimed server (account calls skipped)',
      observations: (o) => {
        published(false)(o);
        o['server.identity'] = ok(ServerIdentity.parse({ machineIdentifier: HOME.machineIdentifier, claimed: false }));
        o['server.account'] = skipped('no token');
        o['server.root'] = skipped('no token');
      },
      expect: [{ messageId: 'disabled' }],
    },
  ],
  notChecked: [
    {
      name: "prefs refused (not the owner's token)",
      observations: (o) => void (o['server.prefs'] = failed('PLEXDIAG_AUTH', 'GET /:/prefs: 403', { status: 403 })),
      reason: /needs server\.prefs, which failed/,
    },
    {
      name: 'prefs not read (no token)',
      observations: (o) => void (o['server.prefs'] = skipped('no token')),
      reason: /needs server\.prefs, which was skipped: no token/,
    },
    {
      name: 'prefs not collected',
      observations: (o) => void delete o['server.prefs'],
      reason: /server\.prefs was not collected/,
    },
  ],
});

describe('remote-access-disabled in a report', () => {
  it('explains the mapping failure it causes', () => {
    const observations = healthyObservations();
    published(false)(observations);
    observations['server.account'] = ok(accountValue({ mappingState: 'failed', mappingError: '' }));
    const report = evaluateRules(buildSnapshot(observations), { rules: [mappingFailed, rule] });
    expect(report.diagnoses.map((d) => [d.ruleId, d.rank])).toEqual([
      ['remote-access-disabled', 'root-cause'],
      ['mapping-failed', 'contributing'],
    ]);
  });
});

describe('remote-access-disabled against a real fake PMS', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it('a server with remote access off: the finding, and a fix plan that turns it on', async () => {
    const server = await startFakePlexServer({ prefs: { PublishServerOnPlexOnlineKey: false } });
    closers.push(() => server.close());
    const snapshot = await collect({ url: server.url, plexTv: false, rules: [rule], collectorTimeoutMs: 2000 });
    const report = evaluateRules(snapshot, { rules: [rule] });
    expect(report.diagnoses.map((d) => d.messageId)).toEqual(['disabled']);
    const prefs = snapshot.observations['server.prefs'];
    expect(prefs?.status).toBe('ok');
    const plan = planFix(report, (prefs as { value: ServerPrefs }).value);
    expect(plan.skipped).toEqual([]);
    expect(plan.changes).toMatchObject([
      { pref: 'PublishServerOnPlexOnlineKey', to: true, ruleIds: ['remote-access-disabled'] },
    ]);
  });

  it('a server with remote access on: silent', async () => {
    const server = await startFakePlexServer({ prefs: { PublishServerOnPlexOnlineKey: true } });
    closers.push(() => server.close());
    const snapshot = await collect({ url: server.url, plexTv: false, rules: [rule], collectorTimeoutMs: 2000 });
    expect(evaluateRules(snapshot, { rules: [rule] }).diagnoses).toEqual([]);
  });
});
