import rule from '../../../src/rules/builtin/plex-direct-dns-rebinding.js';
import type { Observation } from '../../../src/core/observation.js';
import { plexDirectHostname } from '../../../src/core/net/plex-direct.js';
import {
  HOME,
  deviceValue,
  failed,
  ok,
  plexDirectDnsValue,
  prefsValue,
  resourcesValue,
  skipped,
  type DnsAnswerSpec,
} from '../../../src/testing/observations.js';
import { RuleTester, all } from '../../../src/testing/index.js';

type O = Record<string, Observation>;

type AnswerSpec = DnsAnswerSpec;
type Verdict = 'ok' | 'rebinding-blocked' | 'wrong-answer' | 'resolver-failed';

const OK: AnswerSpec = { outcome: 'ok' };

/** One plex.direct name per address, each with the resolvers' answers and the probe's verdict. */
function dns(...names: { address: string; verdict: Verdict; answers: AnswerSpec[] }[]) {
  return (o: O) => void (o['probe.plexDirectDns'] = ok(plexDirectDnsValue(...names)));
}
const wanOk = { address: HOME.wan, verdict: 'ok' as const, answers: [OK] };
const flagged = (o: O) =>
  void (o['plextv.resources'] = ok(resourcesValue(deviceValue({ dnsRebindingProtection: true }))));
const LAN_NAME = plexDirectHostname(HOME.server, HOME.certificateHash);
const BLOCKED_BY_ROUTER = dns(
  {
    address: HOME.server,
    verdict: 'rebinding-blocked',
    answers: [OK, { resolver: '192.168.1.1', outcome: 'rebinding-blocked', code: 'ENOTFOUND' }],
  },
  wanOk,
);

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: every resolver answers every name' },
    {
      name: 'the DNS probe itself failed',
      observations: (o) => void (o['probe.plexDirectDns'] = failed('EABORTED', 'aborted', { phase: 'dns' })),
    },
    {
      name: "one name's probe failed: nothing to judge",
      observations: (o) =>
        void (o['probe.plexDirectDns'] = ok({
          names: [
            {
              hostname: LAN_NAME,
              result: {
                status: 'failed',
                error: { phase: 'dns', code: 'EINVAL', message: 'no resolver to ask' },
                durationMs: 1,
              },
            },
          ],
        })),
    },
    {
      name: 'no plex.direct names and plex.tv does not flag rebinding',
      observations: (o) => void (o['probe.plexDirectDns'] = skipped('the server advertises no plex.direct names')),
    },
    {
      name: 'plex.tv lists only plain-address connections (no plex.direct name to filter): passed, with that evidence',
      observations: (o) => (
        (o['probe.plexDirectDns'] = skipped('the server advertises no plex.direct names')),
        (o['plextv.resources'] = ok(
          resourcesValue(
            deviceValue({
              connections: [
                { address: HOME.server, local: true, protocol: 'http', uri: `http://${HOME.server}:32400` },
                { address: HOME.wan, local: false, protocol: 'http', uri: `http://${HOME.wan}:32400` },
                { address: HOME.relay, port: 8443, relay: true },
              ],
            }),
          ),
        ))
      ),
      evidence: /plextv\.resources: no direct connection is a plex\.direct name \(3 listed\)/,
    },
    {
      name: 'plex.tv lists a plex.direct LAN name but DNS was not checked: never passed',
      observations: (o) => void (o['probe.plexDirectDns'] = skipped('--only tls')),
      outcome: 'not-checked',
    },
    { name: 'nothing collected', observations: {} },
  ],
  invalid: [
    {
      name: "the router's dnsmasq drops the LAN answer while the control name resolves",
      observations: BLOCKED_BY_ROUTER,
      expect: [
        {
          messageId: 'rebindingBlocked',
          confidence: 'high',
          data: { resolvers: 'DNS server 192.168.1.1', hostname: LAN_NAME, address: HOME.server },
          fixId: 'allowPlexDirect',
          actions: [],
          mentions: [
            'rebind-domain-ok=/plex.direct/',
            'private-domain: "plex.direct"',
            'DNS Rebind Protection',
            'misc.dnsmasq_lines',
            'TreatWanIpAsLocal, now on',
          ],
        },
      ],
    },
    {
      name: 'a sinkhole answer (0.0.0.0) for the LAN name from the system resolver',
      observations: dns(
        {
          address: HOME.server,
          verdict: 'rebinding-blocked',
          answers: [{ outcome: 'rebinding-blocked', addresses: ['0.0.0.0'] }],
        },
        wanOk,
      ),
      expect: [{ messageId: 'rebindingBlocked', data: { resolvers: 'the system resolver' } }],
    },
    {
      name: 'rebinding with TreatWanIpAsLocal off: the fix says so',
      observations: all(
        BLOCKED_BY_ROUTER,
        (o) => void (o['server.prefs'] = ok(prefsValue({ TreatWanIpAsLocal: false }))),
      ),
      expect: [{ messageId: 'rebindingBlocked', mentions: ['TreatWanIpAsLocal, now off'] }],
    },
    {
      name: 'rebinding seen and plex.tv flags it too: one finding, the flag as evidence',
      observations: all(BLOCKED_BY_ROUTER, flagged),
      expect: [{ messageId: 'rebindingBlocked', confidence: 'high' }],
    },
    {
      name: 'a DNS hijack answers with an ISP search page address',
      observations: dns(
        {
          address: HOME.server,
          verdict: 'wrong-answer',
          answers: [{ outcome: 'wrong-answer', addresses: ['92.242.132.24'] }],
        },
        wanOk,
      ),
      expect: [
        {
          messageId: 'wrongAnswer',
          confidence: 'high',
          data: { answer: '92.242.132.24', address: HOME.server },
          fixId: 'unblockPlexDirect',
          mentions: ['@@||plex.direct^'],
        },
      ],
    },
    {
      name: 'a blocklist: NXDOMAIN for every plex.direct name, the control name too',
      observations: dns(
        {
          address: HOME.server,
          verdict: 'resolver-failed',
          answers: [{ outcome: 'resolver-failed', code: 'ENOTFOUND', control: { resolved: false, code: 'ENOTFOUND' } }],
        },
        {
          address: HOME.wan,
          verdict: 'resolver-failed',
          answers: [{ outcome: 'resolver-failed', code: 'ENOTFOUND', control: { resolved: false, code: 'ENOTFOUND' } }],
        },
      ),
      expect: [
        {
          messageId: 'resolverFailed',
          confidence: 'medium',
          data: { code: 'ENOTFOUND', controlNote: ', not even the public control name' },
          mentions: ['(\\.|^)plex\\.direct$'],
        },
      ],
    },
    {
      name: 'a resolver that times out: low confidence, it may be down for a moment',
      observations: dns({
        address: HOME.server,
        verdict: 'resolver-failed',
        answers: [
          {
            resolver: '192.168.1.53',
            outcome: 'resolver-failed',
            code: 'ETIMEDOUT',
            control: { resolved: false, code: 'ETIMEDOUT' },
          },
        ],
      }),
      expect: [
        {
          messageId: 'resolverFailed',
          confidence: 'low',
          data: { resolvers: 'DNS server 192.168.1.53', code: 'ETIMEDOUT' },
        },
      ],
    },
    {
      name: 'one resolver blocks the LAN name, another rewrites it: both findings',
      observations: dns({
        address: HOME.server,
        verdict: 'rebinding-blocked',
        answers: [
          { resolver: '192.168.1.1', outcome: 'rebinding-blocked', code: 'ENOTFOUND' },
          { resolver: '9.9.9.9', outcome: 'wrong-answer', addresses: ['10.0.0.1'] },
        ],
      }),
      expect: [
        { messageId: 'rebindingBlocked', data: { resolvers: 'DNS server 192.168.1.1' } },
        { messageId: 'wrongAnswer', data: { resolvers: 'DNS server 9.9.9.9' } },
      ],
    },
    {
      name: "plex.tv flags rebinding protection, but this run's resolvers answer: low",
      observations: flagged,
      expect: [
        { messageId: 'reportedByPlexTv', confidence: 'low', mentions: ['answered the plex.direct names correctly'] },
      ],
    },
    {
      name: 'plex.tv flags rebinding protection and DNS was not checked',
      observations: all(flagged, (o) => void (o['probe.plexDirectDns'] = skipped('--only tls'))),
      expect: [{ messageId: 'reportedByPlexTv', confidence: 'low', mentions: ['could not check'] }],
    },
  ],
});
