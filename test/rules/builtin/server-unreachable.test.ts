import { afterEach, describe, expect, it } from 'vitest';
import type { Observation } from '../../../src/core/observation.js';
import { collect } from '../../../src/diagnose/collect.js';
import mappingFailed from '../../../src/rules/builtin/mapping-failed.js';
import rule from '../../../src/rules/builtin/server-unreachable.js';
import { evaluateRules } from '../../../src/rules/engine.js';
import { startBlackHoleListener } from '../../../src/testing/black-hole.js';
import { startFakePlexServer } from '../../../src/testing/fake-plex-server/index.js';
import type { FaultRule } from '../../../src/testing/faults.js';
import { startLoopbackServer } from '../../../src/testing/http-server.js';
import {
  HOME,
  accountValue,
  buildSnapshot,
  failed,
  healthyObservations,
  ok,
  skipped,
} from '../../../src/testing/observations.js';
import { PublicIpValue } from '../../../src/collect/values/plextv.js';
import { RuleTester } from '../../../src/testing/index.js';

type Extra = { phase?: string; status?: number; causeCode?: string };
const identityFails =
  (code: string, message: string, extra: Extra = {}, more: (o: Record<string, Observation>) => void = () => {}) =>
  (o: Record<string, Observation>) => {
    o['server.identity'] = failed(code, message, extra);
    // The bare TCP connect beside /identity fails the same way when the failure is below HTTP.
    if (extra.phase === 'timeout' || extra.phase === 'connect' || extra.phase === 'dns') {
      o['probe.target'] = failed(extra.causeCode ?? 'ETIMEDOUT', `TCP connect failed (${extra.phase})`, {
        phase: extra.phase,
      });
    }
    more(o);
  };
const network = (causeCode: string, phase: string) =>
  identityFails('PLEXDIAG_NETWORK', `GET http://${HOME.server}:32400/identity: ${causeCode}`, { phase, causeCode });
const atUrl = (url: string) => ({ target: { url } });
const PLEX_DIRECT_URL = 'https://192-168-1-10.b9c7c12bf5f64e85a1a12a53f4e74f69.plex.direct:32400';

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: /identity answers' },
    {
      name: 'the collection was aborted (identity skipped)',
      observations: (o) => void (o['server.identity'] = skipped('the collection was aborted')),
    },
    { name: 'identity was not collected at all', observations: (o) => void delete o['server.identity'] },
    {
      name: 'an aborted client call says nothing about the server',
      observations: identityFails('PLEXDIAG_ABORTED', 'GET /identity: aborted'),
    },
  ],
  invalid: [
    {
      name: 'the port accepts TCP but /identity never answers: Plex is starting or hung',
      observations: identityFails(
        'PLEXDIAG_TIMEOUT',
        'GET /identity: no response within 5000 ms',
        { phase: 'timeout' },
        (o) => {
          o['probe.target'] = ok({ address: HOME.server, port: 32400, family: 4, rttMs: 1 });
        },
      ),
      expect: [
        {
          messageId: 'noAnswer',
          confidence: 'high',
          fixId: 'restartPlex',
          mentions: ['systemctl restart plexmediaserver'],
        },
      ],
    },
    {
      name: 'a host name that does not resolve (ENOTFOUND)',
      observations: identityFails('PLEXDIAG_NETWORK', 'GET http://plexbox.lan:32400/identity: name not found', {
        phase: 'dns',
        causeCode: 'ENOTFOUND',
      }),
      snapshot: atUrl('http://plexbox.lan:32400'),
      expect: [
        {
          messageId: 'nameNotResolved',
          confidence: 'high',
          data: { host: 'plexbox.lan', code: 'ENOTFOUND' },
          fixId: 'useAddress',
          mentions: ['nslookup plexbox.lan', `--url http://${HOME.server}:32400`],
        },
      ],
    },
    {
      name: 'a resolver that times out (EAI_AGAIN, phase only in the code)',
      observations: identityFails('PLEXDIAG_NETWORK', 'lookup failed', { causeCode: 'EAI_AGAIN' }),
      snapshot: atUrl('http://plexbox.lan:32400'),
      expect: [{ messageId: 'nameNotResolved', data: { code: 'EAI_AGAIN' } }],
    },
    {
      name: 'nothing listens (ECONNREFUSED): Plex not running',
      observations: network('ECONNREFUSED', 'connect'),
      expect: [
        {
          messageId: 'refused',
          confidence: 'high',
          data: { host: HOME.server, port: 32400 },
          fixId: 'startPlex',
          mentions: [
            'systemctl status plexmediaserver',
            'docker ps',
            '-p 32400:32400/tcp',
            `--url http://${HOME.server}:32400`,
          ],
        },
      ],
    },
    {
      name: 'refused on a wrong port: the fix still names the Plex port',
      observations: network('ECONNREFUSED', 'connect'),
      snapshot: atUrl(`http://${HOME.server}:32401`),
      expect: [{ messageId: 'refused', data: { port: 32401 }, mentions: [`--url http://${HOME.server}:32400`] }],
    },
    {
      name: 'no route to the host (EHOSTUNREACH)',
      observations: network('EHOSTUNREACH', 'connect'),
      expect: [{ messageId: 'noRoute', confidence: 'high', data: { code: 'EHOSTUNREACH' }, fixId: 'checkRoute' }],
    },
    {
      name: 'network unreachable (ENETUNREACH)',
      observations: network('ENETUNREACH', 'connect'),
      expect: [{ messageId: 'noRoute', data: { code: 'ENETUNREACH' } }],
    },
    {
      name: 'the client deadline passed (dropped packets)',
      observations: identityFails('PLEXDIAG_TIMEOUT', 'GET /identity: no response within 5000 ms', {
        phase: 'timeout',
      }),
      expect: [
        {
          messageId: 'timeout',
          confidence: 'medium',
          fixId: 'checkFirewall',
          mentions: ['sudo ufw allow 32400/tcp', 'firewall-cmd'],
        },
      ],
    },
    {
      name: 'the collector deadline passed',
      observations: identityFails('ETIMEDOUT', 'Plex Media Server /identity did not finish within 10000 ms', {
        phase: 'timeout',
      }),
      expect: [{ messageId: 'timeout', data: { code: 'ETIMEDOUT' } }],
    },
    {
      name: 'the connect timed out inside undici',
      observations: network('UND_ERR_CONNECT_TIMEOUT', 'connect'),
      expect: [{ messageId: 'timeout' }],
    },
    {
      name: "the URL is this network's own public address and it times out (NAT loopback)",
      observations: identityFails('PLEXDIAG_TIMEOUT', 'GET /identity: no response', { phase: 'timeout' }),
      snapshot: atUrl(`http://${HOME.wan}:32400`),
      expect: [
        {
          messageId: 'ownPublicAddress',
          confidence: 'medium',
          data: { host: HOME.wan },
          fixId: 'useLanAddress',
          mentions: [`--url http://${HOME.server}:32400`],
        },
      ],
    },
    {
      name: "a public address that is not this network's: a plain timeout",
      observations: identityFails('PLEXDIAG_TIMEOUT', 'GET /identity: no response', { phase: 'timeout' }),
      snapshot: atUrl('http://203.0.113.77:32400'),
      expect: [{ messageId: 'timeout', data: { host: '203.0.113.77' } }],
    },
    {
      name: 'https:// on a bare LAN IP: the certificate names plex.direct hosts',
      observations: identityFails('PLEXDIAG_NETWORK', 'GET /identity: TLS failed', {
        phase: 'tls',
        causeCode: 'ERR_TLS_CERT_ALTNAME_INVALID',
      }),
      snapshot: atUrl(`https://${HOME.server}:32400`),
      expect: [
        {
          messageId: 'tls',
          confidence: 'high',
          data: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
          fixId: 'useHttp',
          mentions: [`--url http://${HOME.server}:32400`, PLEX_DIRECT_URL],
        },
      ],
    },
    {
      name: 'https:// on a bare IP without plex.tv data: http only, no invented plex.direct name',
      observations: identityFails(
        'PLEXDIAG_NETWORK',
        'GET /identity: TLS failed',
        { phase: 'tls', causeCode: 'EPROTO' },
        (o) => void (o['plextv.resources'] = skipped('no token')),
      ),
      snapshot: atUrl(`https://${HOME.server}:32400`),
      expect: [{ messageId: 'tls', fixId: 'useHttp', mentions: [`--url http://${HOME.server}:32400`] }],
    },
    {
      name: 'https:// at a plain-HTTP port: OpenSSL got an unencrypted answer',
      observations: identityFails('PLEXDIAG_NETWORK', 'GET /identity: tls failed (wrong version number)', {
        phase: 'tls',
        causeCode: 'ERR_SSL_WRONG_VERSION_NUMBER',
      }),
      snapshot: atUrl(`https://${HOME.server}:32400`),
      expect: [
        {
          messageId: 'plainHttp',
          confidence: 'high',
          fixId: 'plainHttpUrl',
          mentions: [`--url http://${HOME.server}:32400`],
        },
      ],
    },
    {
      name: 'TLS fails on the plex.direct name itself (proxy or clock)',
      observations: identityFails('PLEXDIAG_NETWORK', 'GET /identity: certificate has expired', {
        phase: 'tls',
        causeCode: 'CERT_HAS_EXPIRED',
      }),
      snapshot: atUrl(PLEX_DIRECT_URL),
      expect: [{ messageId: 'tls', confidence: 'medium', fixId: 'checkTls', mentions: ['clock'] }],
    },
    {
      name: 'a router page answers (decode reason html)',
      observations: (o) =>
        void (o['server.identity'] = {
          status: 'failed',
          durationMs: 5,
          error: { code: 'PLEXDIAG_DECODE', message: 'GET /identity: bad body', reason: 'html' },
        }),
      expect: [{ messageId: 'htmlPage', confidence: 'high', fixId: 'pointAtPlex' }],
    },
    {
      name: 'a captive portal answers (stored error without reason, recognised by its message)',
      observations: identityFails(
        'PLEXDIAG_DECODE',
        'GET /identity: got an HTML page ("Login") instead of Plex data: a captive portal, proxy login or error page is answering',
      ),
      expect: [{ messageId: 'htmlPage' }],
    },
    {
      name: 'JSON without a machineIdentifier (another service)',
      observations: identityFails(
        'PLEXDIAG_VALIDATION',
        'GET /identity: unexpected identity shape (machineIdentifier: required)',
      ),
      expect: [
        { messageId: 'notPlex', confidence: 'high', data: { detail: 'its /identity has no Plex machineIdentifier' } },
      ],
    },
    {
      name: 'a garbled body: maybe not Plex, maybe cut short',
      observations: (o) =>
        void (o['server.identity'] = {
          status: 'failed',
          durationMs: 5,
          error: { code: 'PLEXDIAG_DECODE', message: 'GET /identity: malformed XML', reason: 'malformed-xml' },
        }),
      expect: [{ messageId: 'notPlex', confidence: 'medium' }],
    },
    {
      name: 'another web server: 404',
      observations: identityFails('PLEXDIAG_HTTP', 'GET /identity: 404 Not Found', { status: 404 }),
      expect: [{ messageId: 'httpStatus', data: { status: 404 }, mentions: ['another web server'] }],
    },
    {
      name: 'a reverse proxy that cannot reach Plex: 502',
      observations: identityFails('PLEXDIAG_HTTP', 'GET /identity: 502 Bad Gateway', { status: 502 }),
      expect: [{ messageId: 'httpStatus', data: { status: 502 }, mentions: ['reverse proxy'] }],
    },
    {
      name: 'a proxy asking for a login: 401 on /identity',
      observations: identityFails('PLEXDIAG_AUTH', 'GET /identity: 401 Unauthorized', { status: 401 }),
      expect: [{ messageId: 'httpStatus', data: { status: 401 } }],
    },
    {
      name: 'the connection is reset before an answer',
      observations: network('ECONNRESET', 'request'),
      expect: [{ messageId: 'otherFailure', confidence: 'medium', fixId: 'investigate', mentions: ['ECONNRESET'] }],
    },
    {
      name: 'too many redirects',
      observations: identityFails('PLEXDIAG_REDIRECT', 'GET /identity: too many redirects'),
      expect: [{ messageId: 'otherFailure', mentions: ['too many redirects'] }],
    },
  ],
});

describe('server-unreachable in a report', () => {
  it('its NAT-loopback finding does not claim to explain mapping-failed', () => {
    const observations = healthyObservations();
    observations['server.identity'] = failed('PLEXDIAG_TIMEOUT', 'no response', { phase: 'timeout' });
    observations['server.account'] = ok(accountValue({ mappingState: 'failed', mappingError: 'unreachable' }));
    observations['plextv.publicIp'] = ok(PublicIpValue.parse({ address: HOME.wan, class: 'public' }));
    const report = evaluateRules(buildSnapshot(observations, atUrl(`http://${HOME.wan}:32400`)), {
      rules: [rule, mappingFailed],
    });
    expect(report.diagnoses.find((d) => d.ruleId === 'mapping-failed')?.rank).toBe('root-cause');
  });

  it('a refused server explains mapping-failed', () => {
    const observations = healthyObservations();
    observations['server.identity'] = failed('PLEXDIAG_NETWORK', 'refused', {
      phase: 'connect',
      causeCode: 'ECONNREFUSED',
    });
    observations['server.account'] = ok(accountValue({ mappingState: 'failed', mappingError: 'unreachable' }));
    const report = evaluateRules(buildSnapshot(observations), { rules: [rule, mappingFailed] });
    expect(report.diagnoses.map((d) => [d.ruleId, d.rank])).toEqual([
      ['server-unreachable', 'root-cause'],
      ['mapping-failed', 'contributing'],
    ]);
  });
});

// The same rule over what `collect` really records when /identity meets each kind of peer on loopback.
describe('server-unreachable against real loopback peers', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((close) => close()));
  });

  async function diagnoseUrl(url: string, collectorTimeoutMs = 2000) {
    const snapshot = await collect({ url, plexTv: false, rules: [rule], collectorTimeoutMs });
    return evaluateRules(snapshot, { rules: [rule] }).diagnoses;
  }

  async function fakeWith(faults: FaultRule[] = []) {
    const server = await startFakePlexServer({ faults });
    cleanups.push(() => server.close());
    return server.url;
  }

  it('a real fake PMS: silent', async () => {
    expect(await diagnoseUrl(await fakeWith())).toEqual([]);
  });

  it('a closed port: refused', async () => {
    const peer = await startLoopbackServer((_req, res) => res.end());
    const url = peer.url;
    await peer.close();
    const [finding] = await diagnoseUrl(url);
    expect(finding?.messageId).toBe('refused');
    expect(finding?.data.code).toBe('ECONNREFUSED');
  });

  it('a captive-portal page on /identity: htmlPage', async () => {
    const [finding] = await diagnoseUrl(await fakeWith([{ path: '/identity', fault: { kind: 'html' } }]));
    expect(finding?.messageId).toBe('htmlPage');
  });

  it('a 404 on /identity: httpStatus 404', async () => {
    const [finding] = await diagnoseUrl(
      await fakeWith([
        { path: '/identity', fault: { kind: 'status', status: 404, body: 'not here', contentType: 'text/plain' } },
      ]),
    );
    expect(finding?.messageId).toBe('httpStatus');
    expect(finding?.data.status).toBe(404);
  });

  it('a malformed body: notPlex', async () => {
    const [finding] = await diagnoseUrl(await fakeWith([{ path: '/identity', fault: { kind: 'malformed' } }]));
    expect(finding?.messageId).toBe('notPlex');
  });

  it('https:// to a port that speaks plain HTTP: plainHttp, not a certificate story', async () => {
    const url = (await fakeWith()).replace(/^http:/, 'https:');
    const [finding] = await diagnoseUrl(url);
    expect(finding?.messageId).toBe('plainHttp');
    expect(finding?.fix?.fixId).toBe('plainHttpUrl');
    expect(finding?.message).not.toMatch(/certificate/);
  });

  it('a port that drops connections: timeout at the deadline', async () => {
    const hole = await startBlackHoleListener();
    cleanups.push(() => hole.close());
    const [finding] = await diagnoseUrl(`http://${hole.host}:${hole.port}`, 300);
    expect(finding?.messageId).toBe('timeout');
  });

  it('a server that accepts the connection and never answers: told apart from a drop by the bare TCP connect', async () => {
    const [finding] = await diagnoseUrl(await fakeWith([{ path: '/identity', fault: { kind: 'hang' } }]), 300);
    expect(finding?.messageId).toBe('noAnswer');
    expect(finding?.confidence).toBe('high');
  });
});
