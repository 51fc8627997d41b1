import { afterEach, describe, expect, it } from 'vitest';
import { collect } from '../../../src/diagnose/collect.js';
import type { Observation } from '../../../src/core/observation.js';
import mappingFailed from '../../../src/rules/builtin/mapping-failed.js';
import rule from '../../../src/rules/builtin/plextv-unreachable.js';
import { evaluateRules } from '../../../src/rules/engine.js';
import { startFakePlexServer } from '../../../src/testing/fake-plex-server/index.js';
import { startFakePlexTv } from '../../../src/testing/fake-plex-tv/index.js';
import { startLoopbackServer } from '../../../src/testing/http-server.js';
import {
  accountValue,
  buildSnapshot,
  failed,
  healthyObservations,
  hostValue,
  ok,
  skipped,
} from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';

type Obs = Record<string, Observation>;
type Extra = { phase?: string; status?: number; causeCode?: string };
const PLEXTV = ['plextv.user', 'plextv.resources', 'plextv.publicIp'];

/** Every plex.tv call fails the same way (the healthy snapshot runs on the server host: the URL is eth0's address). */
const plexTvFails =
  (code: string, message: string, extra: Extra = {}, more: (o: Obs) => void = () => {}) =>
  (o: Obs) => {
    for (const id of PLEXTV) o[id] = failed(code, `GET https://plex.tv/…: ${message}`, extra);
    more(o);
  };
const dnsFails = (more?: (o: Obs) => void) =>
  plexTvFails('PLEXDIAG_NETWORK', 'name not found', { phase: 'dns', causeCode: 'ENOTFOUND' }, more);
const onOtherLanHost = (o: Obs) => void (o['probe.host'] = ok(hostValue({ address: '192.168.1.20' })));
const onAnotherNetwork = (o: Obs) => void (o['probe.host'] = ok(hostValue({ address: '10.20.0.5' })));
const publishError = (o: Obs) =>
  void (o['server.account'] = ok(accountValue({ mappingState: 'failed', mappingError: 'publisherror' })));

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: plex.tv answers' },
    {
      name: 'plex.tv turned off (--no-plextv)',
      observations: (o) => PLEXTV.forEach((id) => (o[id] = skipped('plex.tv is turned off (--no-plextv)'))),
    },
    {
      name: 'one call works and another timed out: plex.tv is reachable, that was a blip',
      observations: (o) =>
        void (o['plextv.publicIp'] = failed('PLEXDIAG_TIMEOUT', 'GET https://plex.tv/:/ip: no response', {
          phase: 'timeout',
        })),
    },
    {
      name: 'plex.tv refuses the token: a token problem, not reachability',
      observations: plexTvFails(
        'PLEXDIAG_AUTH',
        '401 Unauthorized',
        { status: 401 },
        (o) => void (o['plextv.publicIp'] = skipped('n/a')),
      ),
    },
    {
      name: 'plex.tv answers 503: it is reachable, just failing',
      observations: plexTvFails('PLEXDIAG_HTTP', '503 Service Unavailable', { status: 503 }),
    },
  ],
  invalid: [
    {
      name: 'DNS fails for plex.tv, on the server host',
      observations: dnsFails(),
      expect: [
        {
          messageId: 'dns',
          confidence: 'high',
          data: { code: 'ENOTFOUND' },
          fixId: 'checkDns',
          mentions: ["on the server's host", 'nslookup plex.tv 1.1.1.1'],
        },
      ],
    },
    {
      name: 'only the token-free public-IP call ran (no token) and it failed DNS',
      observations: (o) => {
        o['plextv.user'] = skipped('no token');
        o['plextv.resources'] = skipped('no token');
        o['plextv.publicIp'] = failed('PLEXDIAG_NETWORK', 'GET https://plex.tv/:/ip: EAI_AGAIN', {
          phase: 'dns',
          causeCode: 'EAI_AGAIN',
        });
      },
      expect: [{ messageId: 'dns', data: { code: 'EAI_AGAIN' } }],
    },
    {
      name: 'outgoing 443 refused',
      observations: plexTvFails('PLEXDIAG_NETWORK', 'refused', { phase: 'connect', causeCode: 'ECONNREFUSED' }),
      expect: [{ messageId: 'connect', fixId: 'allowPlexTv', mentions: ['curl -sS https://plex.tv/:/ip'] }],
    },
    {
      name: 'no route to the internet',
      observations: plexTvFails('PLEXDIAG_NETWORK', 'unreachable', { phase: 'connect', causeCode: 'ENETUNREACH' }),
      expect: [{ messageId: 'connect', data: { code: 'ENETUNREACH' } }],
    },
    {
      name: 'a filter resets the connection',
      observations: plexTvFails('PLEXDIAG_NETWORK', 'reset', { phase: 'request', causeCode: 'ECONNRESET' }),
      expect: [{ messageId: 'connect', data: { code: 'ECONNRESET' } }],
    },
    {
      name: 'outgoing HTTPS dropped: timeout',
      observations: plexTvFails('PLEXDIAG_TIMEOUT', 'no response within 10000 ms', { phase: 'timeout' }),
      expect: [{ messageId: 'timeout', fixId: 'allowPlexTv' }],
    },
    {
      name: 'a TLS-inspecting proxy: self-signed certificate in chain',
      observations: plexTvFails('PLEXDIAG_NETWORK', 'tls failed', {
        phase: 'tls',
        causeCode: 'SELF_SIGNED_CERT_IN_CHAIN',
      }),
      expect: [
        {
          messageId: 'tls',
          confidence: 'high',
          data: { code: 'SELF_SIGNED_CERT_IN_CHAIN' },
          fixId: 'checkTls',
          mentions: ['timedatectl', 'openssl s_client'],
        },
      ],
    },
    {
      name: 'a captive portal answers for plex.tv',
      observations: plexTvFails(
        'PLEXDIAG_DECODE',
        'got an HTML page ("Hotel WiFi Login") instead of Plex data: a captive portal, proxy login or error page is answering',
      ),
      expect: [{ messageId: 'captivePortal', fixId: 'passPortal' }],
    },
    {
      name: "on another machine of the server's LAN: medium, and it says so",
      observations: dnsFails(onOtherLanHost),
      expect: [{ messageId: 'dns', confidence: 'medium', mentions: ["on the server's network but not on the server"] }],
    },
    {
      name: 'on another network: low',
      observations: dnsFails(onAnotherNetwork),
      expect: [{ messageId: 'dns', confidence: 'low', mentions: ['says nothing about the server'] }],
    },
    {
      name: 'on another network, but the server reports publisherror too: medium',
      observations: dnsFails((o) => (onAnotherNetwork(o), publishError(o))),
      expect: [{ messageId: 'dns', confidence: 'medium' }],
    },
    {
      name: 'where this run is is unknown (no host probe): low',
      observations: dnsFails((o) => void (o['probe.host'] = skipped('off'))),
      expect: [{ messageId: 'dns', confidence: 'low', mentions: ['not known whether'] }],
    },
  ],
});

describe('plextv-unreachable in a report', () => {
  const rank = (change: (o: Obs) => void) => {
    const observations = healthyObservations();
    change(observations);
    publishError(observations);
    return evaluateRules(buildSnapshot(observations), { rules: [rule, mappingFailed] }).diagnoses.map((d) => [
      d.ruleId,
      d.rank,
    ]);
  };

  it("on the server host, it explains the server's publisherror", () => {
    expect(rank(dnsFails())).toEqual([
      ['plextv-unreachable', 'root-cause'],
      ['mapping-failed', 'contributing'],
    ]);
  });

  it("from elsewhere, without the server's word, it explains nothing", () => {
    const observations = healthyObservations();
    dnsFails(onAnotherNetwork)(observations);
    observations['server.account'] = ok(accountValue({ mappingState: 'failed', mappingError: 'unreachable' }));
    const ranks = evaluateRules(buildSnapshot(observations), { rules: [rule, mappingFailed] }).diagnoses.map((d) => [
      d.ruleId,
      d.rank,
    ]);
    expect(ranks).toContainEqual(['mapping-failed', 'root-cause']);
    expect(ranks).toContainEqual(['plextv-unreachable', 'root-cause']);
  });
});

describe('plextv-unreachable against real loopback peers', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  async function diagnoseWithPlexTv(baseUrl: string) {
    const server = await startFakePlexServer({ token: 'tok-plextv-test' });
    closers.push(() => server.close());
    const snapshot = await collect({
      url: server.url,
      token: 'tok-plextv-test',
      plexTv: { baseUrl },
      rules: [rule],
      collectorTimeoutMs: 2000,
    });
    return evaluateRules(snapshot, { rules: [rule] }).diagnoses;
  }

  it('a working fake plex.tv: silent', async () => {
    const plexTv = await startFakePlexTv({ tokens: ['tok-plextv-test'] });
    closers.push(() => plexTv.close());
    expect(await diagnoseWithPlexTv(plexTv.url)).toEqual([]);
  });

  it('a captive portal in place of plex.tv', async () => {
    const plexTv = await startFakePlexTv({ tokens: ['tok-plextv-test'], faults: [{ fault: { kind: 'html' } }] });
    closers.push(() => plexTv.close());
    const [finding] = await diagnoseWithPlexTv(plexTv.url);
    expect(finding?.messageId).toBe('captivePortal');
  });

  it('plex.tv refused', async () => {
    const peer = await startLoopbackServer((_req, res) => res.end());
    const url = peer.url;
    await peer.close();
    const [finding] = await diagnoseWithPlexTv(url);
    expect(finding?.messageId).toBe('connect');
    expect(finding?.data.code).toBe('ECONNREFUSED');
  });

  it('TLS to something that does not speak TLS', async () => {
    const peer = await startLoopbackServer((_req, res) => res.end('plain'));
    closers.push(() => peer.close());
    const [finding] = await diagnoseWithPlexTv(peer.url.replace(/^http:/, 'https:'));
    expect(finding?.messageId).toBe('tls');
  });
});
