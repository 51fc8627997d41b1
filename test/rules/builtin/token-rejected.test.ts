import { afterEach, describe, expect, it } from 'vitest';
import { collect } from '../../../src/diagnose/collect.js';
import type { Observation } from '../../../src/core/observation.js';
import { ResourcesValue } from '../../../src/collect/values/plextv.js';
import rule from '../../../src/rules/builtin/token-rejected.js';
import { evaluateRules } from '../../../src/rules/engine.js';
import { startFakePlexServer } from '../../../src/testing/fake-plex-server/index.js';
import { startFakePlexTv } from '../../../src/testing/fake-plex-tv/index.js';
import type { FaultRule } from '../../../src/testing/faults.js';
import { deviceValue, failed, ok, resourcesValue, skipped } from '../../../src/testing/observations.js';
import { RuleTester, all } from '../../../src/testing/index.js';

type Obs = Record<string, Observation>;
const PATHS: Record<string, string> = {
  'server.root': '/',
  'server.prefs': '/:/prefs',
  'server.account': '/myplex/account',
};
const serverAuth =
  (status: 401 | 403, ...ids: string[]) =>
  (o: Obs) => {
    for (const id of ids) {
      const why =
        status === 401
          ? 'token missing or invalid'
          : "the token is not allowed to do this (is it the server owner's token?)";
      o[id] = failed('PLEXDIAG_AUTH', `GET http://192.168.1.10:32400${PATHS[id]}: ${status}: ${why}`, { status });
    }
  };
const plexTvAuth =
  (...ids: string[]) =>
  (o: Obs) => {
    for (const id of ids)
      o[id] = failed(
        'PLEXDIAG_AUTH',
        'GET https://plex.tv/api/v2/user: 401 Unauthorized: token missing or invalid (User could not be authenticated)',
        { status: 401 },
      );
  };
const noToken = { context: { tokenProvided: false, plexTv: true, experiments: [] } };

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: every call accepted' },
    {
      name: 'no token given: the token-needing calls were skipped, not rejected',
      observations: (o) =>
        ['server.prefs', 'server.account', 'plextv.user', 'plextv.resources'].forEach(
          (id) => (o[id] = skipped('no token')),
        ),
      snapshot: noToken,
    },
    {
      name: 'an auth failure in a snapshot made without a token is not a rejected token',
      observations: serverAuth(401, 'server.prefs'),
      snapshot: noToken,
    },
    {
      name: 'the server is down: network failures are not token failures',
      observations: (o) =>
        void (o['server.prefs'] = failed('PLEXDIAG_NETWORK', 'refused', {
          phase: 'connect',
          causeCode: 'ECONNREFUSED',
        })),
    },
    {
      name: 'plex.tv answered 500: not a token problem',
      observations: (o) =>
        void (o['plextv.user'] = failed('PLEXDIAG_HTTP', 'GET https://plex.tv/api/v2/user: 500', { status: 500 })),
    },
  ],
  invalid: [
    {
      name: 'plex.tv refuses the token (code 1001) and so does the server',
      observations: all(
        plexTvAuth('plextv.user', 'plextv.resources'),
        serverAuth(401, 'server.root', 'server.prefs', 'server.account'),
      ),
      expect: [
        {
          messageId: 'plexTvRejected',
          confidence: 'high',
          data: { status: 401, plexError: ': "User could not be authenticated"' },
          fixId: 'newToken',
          mentions: ['plex-diagnose login', 'PlexOnlineToken'],
        },
      ],
    },
    {
      name: "plex.tv's structured error kept on the stored error",
      observations: (o) =>
        void (o['plextv.user'] = {
          status: 'failed',
          durationMs: 3,
          error: {
            code: 'PLEXDIAG_AUTH',
            status: 401,
            message: 'GET https://plex.tv/api/v2/user: 401',
            plexErrors: [{ code: 1001, message: 'User could not be authenticated' }],
          },
        }),
      expect: [{ messageId: 'plexTvRejected', data: { plexError: ': code 1001 "User could not be authenticated"' } }],
    },
    {
      name: 'only the resources call refused (user call not made): medium',
      observations: all(plexTvAuth('plextv.resources'), (o) => void (o['plextv.user'] = skipped('turned off'))),
      expect: [{ messageId: 'plexTvRejected', confidence: 'medium' }],
    },
    {
      name: 'the server refuses a token plex.tv does not know either way (plex.tv not asked)',
      observations: all(serverAuth(401, 'server.root', 'server.prefs', 'server.account'), (o) =>
        ['plextv.user', 'plextv.resources'].forEach((id) => (o[id] = skipped('--no-plextv'))),
      ),
      expect: [
        {
          messageId: 'serverRejected',
          confidence: 'high',
          data: { calls: 'GET /, GET /:/prefs, GET /myplex/account' },
          fixId: 'newToken',
          mentions: ['mistyped, expired'],
        },
      ],
    },
    {
      name: 'plex.tv accepts the token but the server does not: another account',
      observations: all(
        serverAuth(401, 'server.prefs', 'server.account'),
        (o) =>
          void (o['plextv.resources'] = ok(
            ResourcesValue.parse({
              matchedBy: 'none',
              servers: [{ name: 'Other', clientIdentifier: 'other-server', owned: true }],
            }),
          )),
      ),
      expect: [{ messageId: 'serverRejected', mentions: ['plex.tv accepts it', "not among that account's servers"] }],
    },
    {
      name: "a shared user's token: 403 on prefs and account, plex.tv says owned=0",
      observations: all(
        serverAuth(403, 'server.prefs', 'server.account'),
        (o) => void (o['plextv.resources'] = ok(resourcesValue(deviceValue({ owned: false })))),
      ),
      expect: [
        {
          messageId: 'notOwner',
          confidence: 'high',
          data: { calls: 'GET /:/prefs, GET /myplex/account' },
          fixId: 'ownerToken',
          mentions: ['owner'],
        },
      ],
    },
    {
      name: "403 without plex.tv's word on ownership: medium",
      observations: serverAuth(403, 'server.prefs'),
      expect: [{ messageId: 'notOwner', confidence: 'medium' }],
    },
    {
      name: '401 outranks 403 when both happen',
      observations: all(serverAuth(403, 'server.prefs'), serverAuth(401, 'server.account')),
      expect: [{ messageId: 'serverRejected', data: { calls: 'GET /myplex/account' } }],
    },
    {
      name: "a redirect to another origin dropped the token: not the token's fault",
      observations: (o) =>
        void (o['server.prefs'] = failed(
          'PLEXDIAG_AUTH',
          'GET http://192.168.1.10:32400/:/prefs: 401: the request was redirected to another origin and the token was not forwarded',
          { status: 401 },
        )),
      expect: [
        {
          messageId: 'tokenNotForwarded',
          confidence: 'high',
          fixId: 'directUrl',
          mentions: ['curl -sI http://192.168.1.10:32400/identity'],
        },
      ],
    },
  ],
});

describe('token-rejected against a real fake PMS and fake plex.tv', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  async function diagnose(token: string, options: { serverFaults?: FaultRule[]; plexTvTokens?: string[] } = {}) {
    const server = await startFakePlexServer({ token: 'server-token', faults: options.serverFaults ?? [] });
    closers.push(() => server.close());
    const plexTv = options.plexTvTokens ? await startFakePlexTv({ tokens: options.plexTvTokens }) : undefined;
    if (plexTv) closers.push(() => plexTv.close());
    const snapshot = await collect({
      url: server.url,
      token,
      plexTv: plexTv ? { baseUrl: plexTv.url } : false,
      rules: [rule],
      collectorTimeoutMs: 2000,
    });
    expect(JSON.stringify(snapshot)).not.toContain(token);
    return evaluateRules(snapshot, { rules: [rule] }).diagnoses;
  }

  it('the right token everywhere: silent', async () => {
    expect(await diagnose('server-token', { plexTvTokens: ['server-token'] })).toEqual([]);
  });

  it('a wrong token, plex.tv not asked: serverRejected', async () => {
    const [finding, ...rest] = await diagnose('wrong-token-123');
    expect(rest).toEqual([]);
    expect(finding?.messageId).toBe('serverRejected');
    expect(finding?.data.calls).toBe('GET /, GET /:/prefs, GET /myplex/account');
  });

  it("a token both refuse: plexTvRejected, with plex.tv's own words", async () => {
    const [finding, ...rest] = await diagnose('wrong-token-456', { plexTvTokens: ['server-token'] });
    expect(rest).toEqual([]);
    expect(finding?.messageId).toBe('plexTvRejected');
    expect(finding?.message).toContain('User could not be authenticated');
  });

  it('a non-owner: the server answers 403 on the owner-only calls', async () => {
    const forbidden = (path: string): FaultRule => ({ path, fault: { kind: 'status', status: 403 } });
    const [finding] = await diagnose('server-token', {
      serverFaults: [forbidden('/:/prefs'), forbidden('/myplex/account')],
    });
    expect(finding?.messageId).toBe('notOwner');
    expect(finding?.data.calls).toBe('GET /:/prefs, GET /myplex/account');
  });
});
