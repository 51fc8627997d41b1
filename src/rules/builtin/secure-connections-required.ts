/**
 * "Secure connections: Required" (secureConnections=0, docs/reference/plex-api.md §4) forbids apps to fall back to
 * plain HTTP. That is fine while HTTPS works; when it cannot (no plex.direct certificate, a TLS failure on the server's
 * connections, plex.direct names blocked by the resolver) apps have no way in at all. Preferred (1) keeps HTTPS first
 * and lets them fall back (support article 206225077).
 */
import type { ProbedConnection } from '../../collect/values/connections.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import { connectionFailure, probedConnections } from '../connection-facts.js';
import type { Evidence } from '../types.js';

const RELAX = { type: 'set-pref' as const, pref: 'secureConnections', value: 1 };

interface HttpsFailure {
  connection: ProbedConnection;
  detail: string;
  hint: string;
}

/** Node's verdicts on a certificate, in words, with what usually causes them on a Plex port. */
function hintFor(reason: string | undefined): string {
  if (reason === 'CERT_HAS_EXPIRED')
    return 'the certificate has expired: let the server reach plex.tv and restart it so it renews its certificate';
  if (reason === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return 'the certificate does not name this host: a custom certificate (customCertificatePath) for another domain, or a proxy answering with its own';
  if (reason && /SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY/.test(reason))
    return 'an untrusted certificate answers: something other than Plex (a proxy, the router) holds that port';
  return 'make sure Plex itself answers HTTPS on that port (no proxy or port forward to another device in between)';
}

/** Plex's own HTTPS connections (plex.direct, not custom URLs or the relay) where TCP connects but HTTPS does not work. */
function httpsFailures(connections: ProbedConnection[]): HttpsFailure[] {
  const found: HttpsFailure[] = [];
  for (const connection of connections) {
    if (connection.relay || connection.kind === 'custom' || connection.protocol !== 'https') continue;
    if (connection.tcp?.status === 'failed') continue; // not reachable from here: says nothing about TLS
    const identity = connection.identity;
    const failure = connectionFailure(connection);
    if (failure?.step === 'identity' && failure.classified.kind === 'tls') {
      found.push({ connection, detail: `TLS failed: ${failure.code}`, hint: hintFor(failure.code) });
    } else if (identity?.status === 'ok' && identity.value.tls && !identity.value.tls.authorized) {
      const reason = identity.value.tls.authorizationError;
      found.push({ connection, detail: `certificate rejected${reason ? `: ${reason}` : ''}`, hint: hintFor(reason) });
    }
  }
  return found;
}

export default defineBuiltinRule({
  id: 'secure-connections-required',
  meta: {
    severity: 'error',
    category: 'tls',
    title: 'Secure connections are not Required while HTTPS to the server cannot work',
    requires: ['server.prefs'],
    uses: ['probe.connections', 'probe.plexDirectDns', 'server.root'],
    messages: {
      noCertificate:
        'Secure connections are Required, but the server has no plex.direct certificate (certificate=0): apps cannot connect securely and may not fall back to plain HTTP.',
      notSignedIn:
        'Secure connections are Required, but the server is not signed in to plex.tv ({{state}}), so it has no plex.direct certificate: apps cannot connect securely and may not fall back to plain HTTP.',
      httpsFails:
        'Secure connections are Required, and HTTPS to {{uri}} fails ({{detail}}) although TCP connects: apps may not fall back to plain HTTP, so they cannot connect there.',
      httpCustomUrl:
        'Secure connections are Required, but the custom access URL {{url}} is plain HTTP: apps will not use an insecure connection, so that URL is dead to them.',
      rebindingBlocksSecure:
        'Secure connections are Required while your resolver refuses {{hostname}} (DNS rebinding protection): LAN apps can use neither the secure local connection nor plain HTTP.',
    },
    fixes: {
      relaxAndSignIn:
        'Settings → Network → Secure connections: Preferred (secureConnections=1). Then sign the server in to plex.tv (Settings → General; Docker: recreate it with a fresh PLEX_CLAIM from https://plex.tv/claim) so it gets its certificate.',
      relaxAndFixTls:
        'Settings → Network → Secure connections: Preferred (secureConnections=1). Then fix HTTPS on {{uri}}: {{hint}}.',
      httpsOrRelax:
        'Publish {{url}} over HTTPS instead (https://, with a certificate for its name, e.g. from the reverse proxy in front of it) in Settings → Network → Custom server access URLs, or set Secure connections to Preferred (secureConnections=1).',
      relaxAndAllowPlexDirect:
        'Settings → Network → Secure connections: Preferred (secureConnections=1). Then let your resolver answer plex.direct (dnsmasq `rebind-domain-ok=/plex.direct/`, Unbound `private-domain: "plex.direct"`; see plex-direct-dns-rebinding).',
    },
  },
  evaluate(ctx) {
    const network = ctx.get('server.prefs')?.network;
    if (network?.secureConnections === undefined) {
      ctx.notChecked({ reason: 'the server has no secureConnections setting' });
      return;
    }
    if (network.secureConnections !== 0) {
      ctx.pass({
        evidence: [
          { source: 'server.prefs', observed: `secureConnections=${network.secureConnections} (not Required)` },
        ],
      });
      return;
    }
    const required: Evidence = {
      source: 'server.prefs',
      observed: 'secureConnections=0 (Required)',
      expected: 'secureConnections=1 (Preferred)',
    };
    const root = ctx.get('server.root');
    let noCertificate = false;
    if (root?.certificate === false) {
      noCertificate = true;
      ctx.report({
        messageId: 'noCertificate',
        evidence: [required, { source: 'server.root', observed: 'certificate=0', expected: 'certificate=1' }],
        confidence: 'high',
        fix: { fixId: 'relaxAndSignIn', actions: [RELAX] },
      });
    } else if (
      root &&
      root.certificate === undefined &&
      (root.myPlex === false || root.myPlexSigninState === 'none' || root.myPlexSigninState === 'invalid')
    ) {
      // The root omits `certificate` when there is none (the unclaimed capture); being signed out is why.
      noCertificate = true;
      const state = `myPlex=${root.myPlex === false ? '0' : '1'}, myPlexSigninState=${root.myPlexSigninState ?? 'unknown'}`;
      ctx.report({
        messageId: 'notSignedIn',
        data: { state },
        evidence: [
          required,
          {
            source: 'server.root',
            observed: `${state}, no certificate attribute`,
            expected: 'myPlexSigninState=ok, certificate=1',
          },
        ],
        confidence: 'medium',
        fix: { fixId: 'relaxAndSignIn', actions: [RELAX] },
      });
    }

    const failures = noCertificate ? [] : httpsFailures(probedConnections(ctx));
    const firstFailure = failures[0];
    if (firstFailure) {
      ctx.report({
        messageId: 'httpsFails',
        data: { uri: firstFailure.connection.uri, detail: firstFailure.detail },
        evidence: [
          required,
          ...failures.map((f) => ({
            source: 'probe.connections',
            observed: `${f.connection.uri}: TCP connects, ${f.detail}`,
            expected: 'a valid TLS handshake with the plex.direct certificate',
          })),
        ],
        confidence: 'high',
        fix: {
          fixId: 'relaxAndFixTls',
          data: { uri: firstFailure.connection.uri, hint: firstFailure.hint },
          actions: [RELAX],
        },
      });
    }

    // A plain-HTTP custom URL is one an app will not dial while secure connections are Required: decided from the
    // prefs alone, no probe needed.
    const plainUrls = (network.customConnections ?? []).filter((url) => /^http:\/\//i.test(url.trim()));
    const plainUrl = plainUrls[0];
    if (plainUrl) {
      ctx.report({
        messageId: 'httpCustomUrl',
        data: { url: plainUrl },
        evidence: [
          required,
          {
            source: 'server.prefs',
            observed: `customConnections=${plainUrls.join(',')}`,
            expected: 'https:// URLs while secure connections are Required',
          },
        ],
        confidence: 'medium',
        fix: { fixId: 'httpsOrRelax', data: { url: plainUrl } },
      });
    }

    const blocked = (ctx.get('probe.plexDirectDns')?.names ?? []).flatMap((n) =>
      n.result.status === 'ok' &&
      n.result.value.encodedClass !== 'public' &&
      n.result.value.answers.some((a) => a.outcome === 'rebinding-blocked')
        ? [n.result.value]
        : [],
    );
    const firstBlocked = blocked[0];
    if (firstBlocked) {
      ctx.report({
        messageId: 'rebindingBlocksSecure',
        data: { hostname: firstBlocked.hostname },
        evidence: [
          required,
          ...blocked.map((v) => ({
            source: 'probe.plexDirectDns',
            observed: `${v.hostname}: refused by ${v.answers
              .filter((a) => a.outcome === 'rebinding-blocked')
              .map((a) => a.resolver)
              .join(', ')}`,
            expected: v.expected,
          })),
        ],
        confidence: 'high',
        fix: { fixId: 'relaxAndAllowPlexDirect', actions: [RELAX] },
      });
    }
  },
});
