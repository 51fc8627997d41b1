/**
 * Custom server access URLs (`customConnections`, docs/reference/plex-api.md §4) are published to plex.tv as extra ways
 * in: a reverse proxy, a tunnel, a DNS name for the WAN address. Each entry is checked as written (a URL, with its
 * port) and as probed from here (does it answer, and is it this Plex server).
 */
import type { ProbedConnection } from '../../collect/values/connections.js';
import { classifyAddress, isIpAddress } from '../../core/net/address.js';
import { connectionFailure, describeConnectionFailure, probedFor, reachedThisServer } from '../connection-facts.js';
import { parseCustomEntry, withPort, type CustomEntry } from '../custom-url-entries.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import { seesServersRouter, serverLanEndpoint, type FactsContext } from '../facts.js';
import type { Confidence, Evidence, RuleContext } from '../types.js';

type UrlEntry = Extract<CustomEntry, { kind: 'url' }>;

/** The corrected list: every URL entry with its port written out, other entries left as they are. */
function correctedList(entries: CustomEntry[]): string {
  return entries
    .map((e) => (e.kind === 'url' && e.explicitPort === undefined ? withPort(e.text, e.defaultPort) : e.text))
    .join(',');
}

/** From inside the LAN, a URL that leads to the public address also needs the router to loop back (hairpin NAT). */
function loopbackNote(ctx: FactsContext, entry: UrlEntry): { note: string; doubtful: boolean } {
  if (!seesServersRouter(ctx)) return { note: '', doubtful: false };
  const leadsOutside = !isIpAddress(entry.host) || classifyAddress(entry.host) === 'public';
  if (!leadsOutside) return { note: '', doubtful: false };
  const loopback = ctx.get('plextv.resources')?.server?.natLoopbackSupported;
  const flag = loopback === undefined ? 'unknown' : loopback ? '1' : '0';
  return {
    note: ` This run is inside your LAN: a URL that leads to your public address also needs NAT loopback (hairpin NAT) on the router (plex.tv: natLoopbackSupported=${flag}), so test it from outside too.`,
    doubtful: loopback !== true,
  };
}

function whatAnswered(probed: ProbedConnection): string {
  const identity = probed.identity?.status === 'ok' ? probed.identity.value : undefined;
  if (!identity) return 'no answer';
  const body = {
    html: `an HTML page${identity.title ? ` "${identity.title}"` : ''}`,
    empty: 'an empty body',
    malformed: 'a malformed body',
    other: "a body that is not Plex's",
    'plex-identity': 'a Plex identity',
  }[identity.bodyKind];
  const parts = [`HTTP ${identity.status}`, body];
  if (identity.server) parts.push(`Server: ${identity.server}`);
  if (identity.location) parts.push(`redirect to ${identity.location}`);
  return parts.join(', ');
}

const messages = {
  notAUrl:
    'The custom server access URL "{{entry}}" is not a URL (it needs http:// or https:// and a host): apps cannot use it.',
  noPort:
    'The custom server access URL {{entry}} has no explicit port: Plex apps do not assume {{defaultPort}} for custom URLs.',
  unreachable: 'The custom server access URL {{entry}} does not answer from here ({{failure}}).{{loopbackNote}}',
  otherServer:
    'The custom server access URL {{entry}} reaches another Plex server (machineIdentifier {{found}}), not this one ({{expected}}).',
  notPlex:
    'The custom server access URL {{entry}} answers, but not as Plex ({{answer}}): whatever is behind it forwards to the wrong place.',
  badTls: 'The custom server access URL {{entry}} answers with a certificate apps reject ({{reason}}).',
};

const fixes = {
  fixEntry:
    'In Settings → Network → Custom server access URLs, replace "{{entry}}" with a full URL{{suggestion}}, or remove it.',
  addPort: 'Settings → Network → Custom server access URLs = {{corrected}}',
  addPortUnconfirmed:
    'Settings → Network → Custom server access URLs = {{corrected}}, if {{defaultPort}} is the port that reaches the server (this run could not confirm it); otherwise write the port that does.',
  checkPath:
    'Check the path behind {{entry}}: its name must resolve to your public address (or your proxy or tunnel), and the router must forward TCP {{port}} to the server (or the proxy must be running and allowed through the firewall).',
  pointToThisServer:
    'Point the port forward or reverse proxy behind {{entry}} at this server ({{lan}}:{{lanPort}}), or remove the URL.',
  fixProxy:
    'Make the reverse proxy (or port forward) behind {{entry}} send every path, /identity included, to Plex at http://{{lan}}:{{lanPort}}, or remove the URL.',
  fixCertificate:
    "Give {{entry}} a certificate valid for {{host}} (for example Let's Encrypt on the reverse proxy), or publish it as an http:// URL.",
};

type Ctx = RuleContext<keyof typeof messages, keyof typeof fixes>;

export default defineBuiltinRule({
  id: 'custom-url-problem',
  meta: {
    severity: 'warning',
    category: 'remote-access',
    title: 'Every custom server access URL is a full URL with a port that reaches this server',
    requires: ['server.prefs'],
    uses: [
      'probe.connections',
      'server.identity',
      'plextv.resources',
      'server.account',
      'probe.host',
      'probe.upnp',
      'probe.natpmp',
    ],
    messages,
    fixes,
  },
  evaluate(ctx) {
    const texts = ctx.get('server.prefs')?.network.customConnections ?? [];
    if (texts.length === 0) {
      ctx.pass({ evidence: [{ source: 'server.prefs', observed: 'customConnections is empty' }] });
      return;
    }
    const entries = texts.map(parseCustomEntry);
    const prefEvidence: Evidence = { source: 'server.prefs', observed: `customConnections=${texts.join(',')}` };
    const server = serverLanEndpoint(ctx);
    const lan = { lan: server.address ?? "<the server's LAN IP>", lanPort: server.port };
    const corrected = correctedList(entries);
    // The corrected list only changes what apps dial if the default port is right: apply it only when every
    // port-less entry answered as this server on that port.
    const confirmed = entries.every(
      (e) => e.kind !== 'url' || e.explicitPort !== undefined || reachedThisServer(probedFor(ctx, e.text)),
    );
    // Passed when every entry is a full URL with a port, or answered as this server; any finding below outranks it.
    const decided = entries.every(
      (e) => (e.kind === 'url' && e.explicitPort !== undefined) || reachedThisServer(probedFor(ctx, e.text)),
    );
    if (decided) ctx.pass({ evidence: [prefEvidence] });
    else
      ctx.notChecked({
        reason: 'a custom URL was not probed',
        howToCheck: 'run on a machine that can reach every custom URL',
      });
    for (const entry of entries) {
      if (entry.kind === 'not-a-url') {
        ctx.report({
          messageId: 'notAUrl',
          data: { entry: entry.text },
          evidence: [prefEvidence],
          confidence: 'high',
          fix: {
            fixId: 'fixEntry',
            data: { entry: entry.text, suggestion: entry.suggestion ? ` such as ${entry.suggestion}` : '' },
          },
        });
        continue;
      }
      if (entry.explicitPort === undefined) {
        ctx.report({
          messageId: 'noPort',
          data: { entry: entry.text, defaultPort: entry.defaultPort },
          evidence: [{ ...prefEvidence, expected: corrected }],
          confidence: 'high',
          fix: confirmed
            ? {
                fixId: 'addPort',
                data: { corrected },
                actions: [
                  {
                    type: 'edit-list',
                    pref: 'customConnections',
                    replace: [{ from: entry.text, to: withPort(entry.text, entry.defaultPort) }],
                  },
                ],
              }
            : { fixId: 'addPortUnconfirmed', data: { corrected, defaultPort: entry.defaultPort } },
        });
      }
      checkProbe(ctx, entry, prefEvidence, lan);
    }
  },
});

function checkProbe(ctx: Ctx, entry: UrlEntry, prefEvidence: Evidence, lan: { lan: string; lanPort: number }): void {
  const probed = probedFor(ctx, entry.text);
  if (!probed) return;
  const failure = connectionFailure(probed);
  const identity = probed.identity?.status === 'ok' ? probed.identity.value : undefined;
  const tlsRejected = identity?.tls && !identity.tls.authorized;
  if (failure && failure.classified.kind === 'tls') {
    ctx.report({
      messageId: 'badTls',
      data: { entry: entry.text, reason: failure.code },
      evidence: [prefEvidence, { source: 'probe.connections', observed: describeConnectionFailure(probed, failure) }],
      confidence: 'medium',
      fix: { fixId: 'fixCertificate', data: { entry: entry.text, host: entry.host } },
    });
    return;
  }
  if (failure) {
    const { note, doubtful } = loopbackNote(ctx, entry);
    const confidence: Confidence = doubtful ? 'low' : 'medium';
    ctx.report({
      messageId: 'unreachable',
      data: {
        entry: entry.text,
        failure: `${failure.step === 'tcp' ? 'TCP' : 'HTTP'} ${failure.code}${failure.phase ? `, phase ${failure.phase}` : ''}`,
        loopbackNote: note,
      },
      evidence: [
        prefEvidence,
        {
          source: 'probe.connections',
          observed: describeConnectionFailure(probed, failure),
          expected: "this Plex server's /identity",
        },
      ],
      confidence,
      fix: { fixId: 'checkPath', data: { entry: entry.text, port: probed.port } },
    });
    return;
  }
  if (!identity) return;
  const answered: Evidence = {
    source: 'probe.connections',
    observed: `GET ${identity.url}: ${whatAnswered(probed)}`,
    expected: "this Plex server's /identity",
  };
  if (identity.bodyKind !== 'plex-identity') {
    ctx.report({
      messageId: 'notPlex',
      data: { entry: entry.text, answer: whatAnswered(probed) },
      evidence: [prefEvidence, answered],
      confidence: 'high',
      fix: { fixId: 'fixProxy', data: { entry: entry.text, ...lan } },
    });
    return;
  }
  if (identity.identityMatches === false) {
    const expected =
      ctx.get('server.identity')?.machineIdentifier ?? ctx.snapshot.target.machineIdentifier ?? 'this server';
    ctx.report({
      messageId: 'otherServer',
      data: { entry: entry.text, found: identity.machineIdentifier ?? 'unknown', expected },
      evidence: [
        prefEvidence,
        {
          ...answered,
          observed: `GET ${identity.url}: machineIdentifier=${identity.machineIdentifier}`,
          expected: `machineIdentifier=${expected}`,
        },
      ],
      confidence: 'high',
      fix: { fixId: 'pointToThisServer', data: { entry: entry.text, ...lan } },
    });
    return;
  }
  if (tlsRejected) {
    const reason = identity.tls?.authorizationError ?? 'not trusted';
    ctx.report({
      messageId: 'badTls',
      data: { entry: entry.text, reason },
      evidence: [
        prefEvidence,
        {
          source: 'probe.connections',
          observed: `${entry.text}: answers as this server, certificate rejected: ${reason}`,
        },
      ],
      confidence: 'medium',
      fix: { fixId: 'fixCertificate', data: { entry: entry.text, host: entry.host } },
    });
  }
}
