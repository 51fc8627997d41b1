/**
 * plex.tv could not be reached from this machine. What that means for remote access depends on where this run is:
 * on the server's host, the server almost certainly cannot reach plex.tv either, which is what mappingError
 * `publisherror` / `myplexgone` say (plex-api.md §3); elsewhere it is a problem of this machine only.
 */
import { defineBuiltinRule } from './define-builtin-rule.js';
import { mappingState, vantage, type Vantage } from '../facts.js';
import { describeFailure, failureOf, type ClassifiedFailure } from '../observation-failure.js';
import type { Confidence, Evidence } from '../types.js';

const PLEXTV_IDS = ['plextv.user', 'plextv.resources', 'plextv.publicIp'] as const;

const MESSAGE_OF = {
  dns: 'dns',
  refused: 'connect',
  'no-route': 'connect',
  reset: 'connect',
  timeout: 'timeout',
  tls: 'tls',
  html: 'captivePortal',
} as const;
const FIX_OF = {
  dns: 'checkDns',
  connect: 'allowPlexTv',
  timeout: 'allowPlexTv',
  tls: 'checkTls',
  captivePortal: 'passPortal',
} as const;

/** mappingError values meaning the server itself lost plex.tv. */
const SERVER_LOST_PLEXTV = new Set(['publisherror', 'myplexgone']);

const SCOPE: Record<Vantage, string> = {
  'server-host':
    "This run is on the server's host, so Plex Media Server most likely cannot reach plex.tv either: it then cannot publish itself (mappingError publisherror or myplexgone).",
  'same-lan':
    "This run is on the server's network but not on the server: the server may be blocked the same way; run plex-diagnose on the server to be sure.",
  elsewhere: "This run is not on the server's network: this says nothing about the server's own connection to plex.tv.",
  unknown:
    "It is not known whether this run is on the server's host: run plex-diagnose on the server to see whether the server itself can reach plex.tv.",
};

function isRelevant(
  failure: ClassifiedFailure | undefined,
): failure is ClassifiedFailure & { kind: keyof typeof MESSAGE_OF } {
  return failure !== undefined && failure.kind in MESSAGE_OF;
}

export default defineBuiltinRule({
  id: 'plextv-unreachable',
  meta: {
    severity: 'error',
    category: 'account',
    title: 'plex.tv is reachable',
    hop: 'internet',
    requires: [],
    uses: ['plextv.user', 'plextv.resources', 'plextv.publicIp', 'probe.host', 'server.account', 'server.root'],
    messages: {
      dns: 'This machine cannot resolve plex.tv ({{code}}): its DNS server is down or blocks plex.tv. {{scope}}',
      connect:
        'This machine cannot connect to plex.tv ({{code}}): a firewall blocks outgoing HTTPS (TCP 443), or there is no internet connection. {{scope}}',
      timeout:
        'plex.tv did not answer in time ({{code}}): a firewall drops outgoing HTTPS, or the internet connection is down. {{scope}}',
      tls: "The TLS connection to plex.tv failed ({{code}}): a TLS-inspecting proxy or antivirus replaces plex.tv's certificate, or this machine's clock is wrong. {{scope}}",
      captivePortal:
        "An HTML page answered instead of plex.tv: a captive portal (a Wi-Fi login), a proxy's login page or a filter's block page is in the way. {{scope}}",
    },
    fixes: {
      checkDns:
        'Check name resolution: `nslookup plex.tv`, and `nslookup plex.tv 1.1.1.1` to compare with a public resolver. If only your resolver fails, take plex.tv off its block list (Pi-hole, AdGuard Home, NextDNS) or use another DNS server.',
      allowPlexTv:
        'Let this machine reach https://plex.tv over TCP 443 without a proxy or filter (allow plex.tv and *.plex.tv in the firewall). `curl -sS https://plex.tv/:/ip` must print your public address. Then press Retry in Settings → Remote Access.',
      checkTls:
        'Check the clock (`date`; on Linux `timedatectl` must say "System clock synchronized: yes") and who signs plex.tv\'s certificate: `openssl s_client -connect plex.tv:443 -servername plex.tv </dev/null | grep issuer` must name a public CA, not your antivirus or proxy. Exempt plex.tv from HTTPS inspection.',
      passPortal:
        "Open https://plex.tv in a browser on this machine: if a login or block page appears, sign in or ask the network's admin to exempt plex.tv. A Plex server needs a connection without a login page.",
    },
    explains: ['mapping-failed', 'server-stale'],
  },
  evaluate(ctx) {
    // One plex.tv call that worked proves plex.tv is reachable; a failure beside it is a blip, not this finding.
    const answered = PLEXTV_IDS.filter((id) => ctx.observation(id)?.status === 'ok');
    if (answered.length > 0) {
      ctx.pass({ evidence: answered.map((id) => ({ source: id, observed: 'plex.tv answered' })) });
      return;
    }
    const failures = PLEXTV_IDS.map((id) => ({ id, failure: failureOf(ctx.observation(id)) }));
    const primary = failures.find((f) => isRelevant(f.failure));
    if (!primary || !isRelevant(primary.failure)) {
      ctx.notChecked({
        reason: 'plex.tv was not consulted',
        howToCheck: 'give a token (--token or PLEX_TOKEN) and drop --no-plextv',
      });
      return;
    }
    const messageId = MESSAGE_OF[primary.failure.kind];

    const evidence: Evidence[] = failures.flatMap(({ id, failure }) =>
      failure ? [{ source: id, observed: describeFailure(failure), expected: 'an answer from plex.tv' }] : [],
    );
    const where = vantage(ctx);
    if (where !== 'unknown') evidence.push({ source: 'probe.host', observed: `this run looked from: ${where}` });
    const mapping = mappingState(ctx);
    const serverLostPlexTv = mapping?.error !== undefined && SERVER_LOST_PLEXTV.has(mapping.error);
    if (serverLostPlexTv)
      evidence.push({
        source: mapping.source,
        observed: `mappingError=${mapping.error}: the server reports the same loss`,
      });

    // Only a run on the server (or the server's own word) makes this the server's problem, and so a root cause.
    const aboutServer = where === 'server-host' || serverLostPlexTv;
    const confidence: Confidence =
      where === 'server-host' ? 'high' : where === 'same-lan' || serverLostPlexTv ? 'medium' : 'low';
    ctx.report({
      messageId,
      data: { code: primary.failure.code, scope: SCOPE[where] },
      evidence,
      confidence,
      fix: { fixId: FIX_OF[messageId] },
      ...(aboutServer ? {} : { explains: [] }),
    });
  },
});
