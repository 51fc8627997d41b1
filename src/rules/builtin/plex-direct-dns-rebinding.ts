/**
 * `*.plex.direct` names resolve to the address they encode (docs/reference/plex-api.md §6). Resolvers with DNS
 * rebinding protection (dnsmasq `--stop-dns-rebind`, Unbound private-address, Fritz!Box, NextDNS) drop answers that
 * point into the LAN, so the server's secure local connection cannot be resolved: apps fall back to the WAN address or
 * the Relay. Filters and DNS hijacks rewrite or refuse the names altogether. The probe asks a public control name with
 * the same hash to tell the two apart (src/probes/dns.ts).
 */
import type { DnsResolverAnswer, PlexDirectDnsValue } from '../../probes/dns.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import type { Evidence } from '../types.js';

const REBINDING_FIX_LINES = [
  'dnsmasq (OpenWrt, Asus, DD-WRT) or pfSense DNS Forwarder custom options: `rebind-domain-ok=/plex.direct/`',
  'Unbound, OPNsense or pfSense DNS Resolver custom options: `server:` then `private-domain: "plex.direct"`',
  'Pi-hole: a file /etc/dnsmasq.d/99-plex.conf containing `rebind-domain-ok=/plex.direct/` (Pi-hole v6: add that line to misc.dnsmasq_lines)',
  'Fritz!Box: Home Network → Network → Network Settings → DNS Rebind Protection: add `plex.direct`',
  'NextDNS: add plex.direct to the Allowlist (or turn off Security → Block DNS Rebinding)',
].join('; ');

const UNBLOCK_FIX_LINES = [
  'Pi-hole: Domains → add the allow regex `(\\.|^)plex\\.direct$`',
  'AdGuard Home: Filters → Custom filtering rules → `@@||plex.direct^`',
  'NextDNS: add plex.direct to the Allowlist',
  'a router or ISP that rewrites DNS answers ("DNS hijack", "error assist"): turn that off or use another resolver',
].join('; ');

function resolverName(resolver: string): string {
  return resolver === 'system' ? 'the system resolver' : `DNS server ${resolver}`;
}

function describeAnswer(value: PlexDirectDnsValue, answer: DnsResolverAnswer): Evidence {
  const got = answer.addresses.length
    ? answer.addresses.join(', ')
    : `no answer${answer.code ? ` (${answer.code})` : ''}`;
  const control = answer.control.resolved
    ? `resolves`
    : `fails too${answer.control.code ? ` (${answer.control.code})` : answer.control.addresses.length ? ` (${answer.control.addresses.join(', ')})` : ''}`;
  return {
    source: 'probe.plexDirectDns',
    observed: `${resolverName(answer.resolver)}: ${value.hostname} → ${got}, judged ${answer.outcome}; control ${value.controlHostname} ${control}`,
    expected: value.expected,
  };
}

interface Affected {
  answers: { value: PlexDirectDnsValue; answer: DnsResolverAnswer }[];
}

/** Every answer with one of these outcomes, across the names (a rebinding verdict only counts for a LAN address). */
function affected(values: PlexDirectDnsValue[], outcomes: readonly DnsResolverAnswer['outcome'][]): Affected {
  const answers = values.flatMap((value) =>
    value.answers
      .filter(
        (a) => outcomes.includes(a.outcome) && (a.outcome !== 'rebinding-blocked' || value.encodedClass !== 'public'),
      )
      .map((answer) => ({ value, answer })),
  );
  return { answers };
}

/** Lookup codes a filter answers with ("no such name", "no records", "refused"), as opposed to timeouts and SERVFAIL. */
const SAYS_NO = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NODATA', 'EREFUSED']);

export default defineBuiltinRule({
  id: 'plex-direct-dns-rebinding',
  meta: {
    severity: 'warning',
    category: 'dns',
    // LAN access is part of "no problems": without the lookups a rebinding filter cannot be excluded, so the verdict
    // is inconclusive rather than ok (a second question: container-address-advertised passing does not answer it).
    decides: 'lan-secure-names',
    title: 'Your DNS resolver answers plex.direct names (no rebinding protection or filter in the way)',
    requires: [],
    uses: ['probe.plexDirectDns', 'plextv.resources', 'server.prefs'],
    explains: ['secure-connections-required'],
    messages: {
      rebindingBlocked:
        "DNS rebinding protection: {{resolvers}} refuses {{hostname}}, the server's secure local name for {{address}}, but resolves a public plex.direct name. Secure local connections fail; apps fall back to your WAN address or the Relay.",
      wrongAnswer:
        'plex.direct names are rewritten: {{resolvers}} answers {{hostname}} with {{answer}} instead of {{address}} (a filter or a DNS hijack).',
      resolverFailed:
        "plex.direct names do not resolve through {{resolvers}} ({{code}}){{controlNote}}: a blocklist or a broken resolver. Apps cannot use the server's secure addresses.",
      reportedByPlexTv:
        "plex.tv reports DNS rebinding protection on the server's network (dnsRebindingProtection=1), though {{ourCheck}}.",
    },
    fixes: {
      allowPlexDirect:
        'Let the resolver return private answers for plex.direct: ' +
        REBINDING_FIX_LINES +
        '. Until then keep Settings → Network → Treat WAN IP As LAN Bandwidth on (TreatWanIpAsLocal, now {{treatWanIpAsLocal}}) so LAN apps coming back through your WAN address are not limited as remote.',
      unblockPlexDirect: 'Let plex.direct resolve: ' + UNBLOCK_FIX_LINES + '.',
    },
  },
  evaluate(ctx) {
    const values = (ctx.get('probe.plexDirectDns')?.names ?? []).flatMap((n) =>
      n.result.status === 'ok' ? [n.result.value] : [],
    );
    const flagged = ctx.get('plextv.resources')?.server?.dnsRebindingProtection === true;
    const flagEvidence: Evidence[] = flagged
      ? [{ source: 'plextv.resources', observed: 'dnsRebindingProtection=1' }]
      : [];
    const treat = ctx.get('server.prefs')?.network.TreatWanIpAsLocal;
    const treatWanIpAsLocal = treat === undefined ? 'unknown' : treat ? 'on' : 'off';
    const resolversOf = (a: Affected) => [...new Set(a.answers.map((x) => resolverName(x.answer.resolver)))].join(', ');
    const first = (a: Affected) => a.answers[0]!;
    let reported = false;

    const rebinding = affected(values, ['rebinding-blocked']);
    if (rebinding.answers.length > 0) {
      const { value } = first(rebinding);
      ctx.report({
        messageId: 'rebindingBlocked',
        data: { resolvers: resolversOf(rebinding), hostname: value.hostname, address: value.expected },
        evidence: [
          ...rebinding.answers.map((x) => describeAnswer(x.value, x.answer)),
          ...flagEvidence,
          { source: 'server.prefs', observed: `TreatWanIpAsLocal=${treatWanIpAsLocal}` },
        ],
        confidence: 'high',
        fix: { fixId: 'allowPlexDirect', data: { treatWanIpAsLocal } },
      });
      reported = true;
    }

    const wrong = affected(values, ['wrong-answer']);
    if (wrong.answers.length > 0) {
      const { value, answer } = first(wrong);
      ctx.report({
        messageId: 'wrongAnswer',
        data: {
          resolvers: resolversOf(wrong),
          hostname: value.hostname,
          address: value.expected,
          answer: answer.addresses.join(', '),
        },
        evidence: wrong.answers.map((x) => describeAnswer(x.value, x.answer)),
        confidence: 'high',
        fix: { fixId: 'unblockPlexDirect' },
      });
      reported = true;
    }

    const failing = affected(values, ['resolver-failed', 'nxdomain', 'no-answer']);
    if (failing.answers.length > 0) {
      const { answer } = first(failing);
      const controlFailed = failing.answers.some((x) => !x.answer.control.resolved);
      // A filter says "no such name"; a timeout or SERVFAIL may be a resolver that is down for a moment.
      const saysNo = failing.answers.every((x) => x.answer.code !== undefined && SAYS_NO.has(x.answer.code));
      ctx.report({
        messageId: 'resolverFailed',
        data: {
          resolvers: resolversOf(failing),
          code: answer.code ?? answer.outcome,
          controlNote: controlFailed ? ', not even the public control name' : '',
        },
        evidence: failing.answers.map((x) => describeAnswer(x.value, x.answer)),
        confidence: saysNo ? 'medium' : 'low',
        fix: { fixId: 'unblockPlexDirect' },
      });
      reported = true;
    }

    if (flagged && !reported) {
      const checked = values.length > 0;
      ctx.report({
        messageId: 'reportedByPlexTv',
        data: {
          ourCheck: checked
            ? "this run's resolvers answered the plex.direct names correctly (the server or its apps may use another resolver)"
            : 'this run could not check plex.direct DNS itself',
        },
        evidence: [
          ...flagEvidence,
          checked
            ? {
                source: 'probe.plexDirectDns',
                observed: values.map((v) => `${v.hostname} → ${v.expected} (ok)`).join('; '),
              }
            : { source: 'probe.plexDirectDns', observed: 'not checked' },
        ],
        confidence: 'low',
        fix: { fixId: 'allowPlexDirect', data: { treatWanIpAsLocal } },
      });
      reported = true;
    }
    if (reported) return;
    if (values.length === 0) {
      // plex.tv's list was read and no direct (non-relay) connection is a plex.direct name: clients dial plain
      // addresses, so a resolver that filters plex.direct answers cannot get in their way.
      const listed = ctx.get('plextv.resources')?.server?.connections;
      if (listed?.length && !listed.some((c) => !c.relay && /\.plex\.direct(?::|\/|$)/i.test(c.uri ?? ''))) {
        ctx.pass({
          evidence: [
            {
              source: 'plextv.resources',
              observed: `no direct connection is a plex.direct name (${listed.length} listed)`,
              expected: 'plex.direct names only where a resolver could filter them',
            },
          ],
        });
        return;
      }
      ctx.notChecked({
        reason: 'no plex.direct name was resolved',
        howToCheck: "run on a machine on the server's LAN, with a token so plex.tv lists the plex.direct names",
      });
      return;
    }
    // Every resolver that was asked answered every plex.direct name with the address it encodes.
    ctx.pass({
      evidence: values.map((v) => ({ source: 'probe.plexDirectDns', observed: `${v.hostname} → ${v.expected} (ok)` })),
    });
  },
});
