import { afterEach, describe, expect, it } from 'vitest';
import { collect } from '../../../src/diagnose/collect.js';
import type { Observation } from '../../../src/core/observation.js';
import rule from '../../../src/rules/builtin/server-not-claimed.js';
import { evaluateRules } from '../../../src/rules/engine.js';
import { ServerIdentity, ServerRoot } from '../../../src/clients/server/index.js';
import { startFakePlexServer } from '../../../src/testing/fake-plex-server/index.js';
import { HOME, accountValue, failed, healthyObservations, ok, skipped } from '../../../src/testing/observations.js';
import { RuleTester, all } from '../../../src/testing/index.js';

type Obs = Record<string, Observation>;
const baseRoot = (healthyObservations()['server.root'] as { value: Record<string, unknown> }).value;

const identity = (claimed: boolean | undefined) => (o: Obs) => {
  o['server.identity'] = ok(
    ServerIdentity.parse({
      machineIdentifier: HOME.machineIdentifier,
      version: '1.41.3.9314-a0bfb8370',
      ...(claimed === undefined ? {} : { claimed }),
    }),
  );
};
const root = (overrides: Record<string, unknown>) => (o: Obs) => {
  o['server.root'] = ok(ServerRoot.parse({ ...baseRoot, ...overrides }));
};
const account = (signInState: string) => (o: Obs) => {
  o['server.account'] = ok(accountValue({ signInState }));
};
const gone =
  (id: string, reason = 'no token') =>
  (o: Obs) => {
    o[id] = skipped(reason);
  };

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: claimed, signed in' },
    {
      name: 'sign-in state unknown while the server starts',
      observations: all(account('unknown'), root({ myPlexSigninState: 'unknown' })),
    },
    { name: 'identity without a claimed attribute, states ok', observations: identity(undefined) },
    {
      name: 'the server could not be reached at all: nothing to go on',
      observations: all(
        (o) =>
          void (o['server.identity'] = failed('PLEXDIAG_NETWORK', 'refused', {
            phase: 'connect',
            causeCode: 'ECONNREFUSED',
          })),
        (o) =>
          void (o['server.root'] = failed('PLEXDIAG_NETWORK', 'refused', {
            phase: 'connect',
            causeCode: 'ECONNREFUSED',
          })),
        (o) =>
          void (o['server.account'] = failed('PLEXDIAG_NETWORK', 'refused', {
            phase: 'connect',
            causeCode: 'ECONNREFUSED',
          })),
      ),
    },
    {
      name: 'myPlex=0 but /identity says nothing about claiming: too little to go on',
      observations: all(
        identity(undefined),
        gone('server.account'),
        root({ myPlex: false, myPlexSigninState: undefined }),
      ),
    },
  ],
  invalid: [
    {
      name: 'a fresh server nobody claimed',
      observations: all(identity(false), root({ myPlex: false, myPlexSigninState: 'none' }), account('none')),
      expect: [
        {
          messageId: 'notClaimed',
          confidence: 'high',
          fixId: 'claim',
          mentions: [
            'http://127.0.0.1:32400/web',
            `ssh -L 32400:127.0.0.1:32400 <user>@${HOME.server}`,
            'PLEX_CLAIM',
            'https://plex.tv/claim',
            '4 minutes',
          ],
        },
      ],
    },
    {
      name: 'unclaimed, seen only by /identity (no token: root and account skipped)',
      observations: all(identity(false), gone('server.root'), gone('server.account')),
      expect: [{ messageId: 'notClaimed', confidence: 'high' }],
    },
    {
      name: 'claimed but signed out: both sources say none',
      observations: all(identity(true), root({ myPlexSigninState: 'none' }), account('none')),
      expect: [
        { messageId: 'signedOut', confidence: 'high', data: { field: 'signInState', state: 'none' }, fixId: 'signIn' },
      ],
    },
    {
      name: 'signed out per the root only (account not readable)',
      observations: all(identity(true), root({ myPlexSigninState: 'none' }), gone('server.account')),
      expect: [{ messageId: 'signedOut', confidence: 'high', data: { field: 'myPlexSigninState' } }],
    },
    {
      name: '"none" without /identity: never claimed or signed out, so medium',
      observations: all(
        (o) => void (o['server.identity'] = failed('PLEXDIAG_TIMEOUT', 'timeout', { phase: 'timeout' })),
        account('none'),
      ),
      expect: [{ messageId: 'signedOut', confidence: 'medium' }],
    },
    {
      name: "the server's token was revoked (password change)",
      observations: all(root({ myPlexSigninState: 'invalid' }), account('invalid')),
      expect: [
        {
          messageId: 'signInInvalid',
          confidence: 'high',
          data: { field: 'signInState' },
          fixId: 'signIn',
          mentions: ['sign out of all devices', 'PLEX_CLAIM'],
        },
      ],
    },
    {
      name: 'invalid per the root only',
      observations: all(root({ myPlexSigninState: 'invalid' }), gone('server.account')),
      expect: [{ messageId: 'signInInvalid', confidence: 'high', data: { field: 'myPlexSigninState' } }],
    },
    {
      name: 'the account says invalid while the root still says ok: medium',
      observations: account('invalid'),
      expect: [{ messageId: 'signInInvalid', confidence: 'medium' }],
    },
    {
      name: 'myPlex=0 with claimed=1 and no sign-in state',
      observations: all(identity(true), gone('server.account'), root({ myPlex: false, myPlexSigninState: undefined })),
      expect: [{ messageId: 'signedOut', confidence: 'medium', data: { field: 'myPlex' } }],
    },
  ],
});

describe('server-not-claimed against a real fake PMS', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  async function diagnose(options: Parameters<typeof startFakePlexServer>[0]) {
    const server = await startFakePlexServer(options);
    closers.push(() => server.close());
    const snapshot = await collect({ url: server.url, plexTv: false, rules: [rule], collectorTimeoutMs: 2000 });
    return evaluateRules(snapshot, { rules: [rule] }).diagnoses.map((d) => [d.messageId, d.confidence]);
  }

  it('claimed and signed in: silent', async () => {
    expect(await diagnose({})).toEqual([]);
  });

  it('never claimed', async () => {
    expect(await diagnose({ claimed: false })).toEqual([['notClaimed', 'high']]);
  });

  it('claimed, sign-in revoked', async () => {
    expect(await diagnose({ signedIn: false })).toEqual([['signInInvalid', 'high']]);
  });
});
