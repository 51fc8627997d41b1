/**
 * The URL the user gave does not lead to a Plex Media Server: `GET /identity` (which needs no token,
 * docs/reference/plex-api.md §1) failed. One message per failure kind, because "nothing listens", "a firewall drops it"
 * and "a router page answers" have different fixes.
 */
import { classifyAddress, ipFamily } from '../../core/net/address.js';
import { isPlexDirectHost, parsePlexDirectName, plexDirectHostname } from '../../core/net/plex-direct.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import {
  DEFAULT_PLEX_PORT,
  serverLanEndpoint,
  targetEndpoint,
  thisMachinePublicAddress,
  type FactsContext,
} from '../facts.js';
import { classifyFailure, describeFailure } from '../observation-failure.js';
import type { Evidence } from '../types.js';

/** OpenSSL's words for "the other side answered in plain text" (an HTTP server handed a TLS ClientHello). */
const PLAIN_HTTP_ANSWER =
  /WRONG_VERSION_NUMBER|wrong version number|PACKET_LENGTH_TOO_LONG|packet length too long|HTTP_REQUEST/;

export default defineBuiltinRule({
  id: 'server-unreachable',
  meta: {
    severity: 'error',
    category: 'server',
    title: 'The Plex Media Server answers at the URL given',
    hop: 'server',
    requires: [],
    uses: ['server.identity', 'server.root', 'probe.target', 'plextv.resources', 'plextv.publicIp', 'server.account'],
    decides: 'server-answers',
    messages: {
      otherOrigin:
        "{{url}} redirects to another origin ({{answered}}), and only that origin answered: its answers are not taken as the server's.",
      otherServer:
        'Two different servers answer at {{url}}: /identity says machineIdentifier {{identity}}, / says {{root}} (a proxy or load balancer in front of more than one server?).',
      nameNotResolved:
        'The server name {{host}} does not resolve ({{code}}): there is no such name, or this machine cannot reach its DNS server.',
      refused:
        'Nothing accepts connections on {{host}}:{{port}} (connection refused): Plex Media Server is not running there, listens on another port, or is bound to another address.',
      noRoute: 'There is no route to {{host}} ({{code}}): this machine has no network path to that address.',
      timeout:
        '{{host}}:{{port}} did not answer in time ({{code}}): a firewall drops the packets, or no machine has that address.',
      noAnswer:
        '{{host}}:{{port}} accepts connections, but nothing answered the HTTP request in time ({{code}}): Plex Media Server is starting, hung, or another program holds the port.',
      ownPublicAddress:
        '{{host}} is the public address of the network this machine is on, and it did not answer ({{code}}): from inside, that only works when the router loops connections back (NAT loopback). This says little about Plex itself.',
      tls: 'The TLS handshake with {{host}}:{{port}} failed ({{code}}): {{why}}.',
      plainHttp:
        '{{host}}:{{port}} speaks plain HTTP, not HTTPS: the TLS handshake got an unencrypted answer ({{code}}).',
      htmlPage:
        'Something other than Plex answers at {{url}}: it returned an HTML page (a router admin page, a reverse proxy or a captive portal?).',
      notPlex: '{{url}} answers, but not as a Plex server ({{detail}}): is this a router, a proxy or another service?',
      httpStatus: '{{url}}/identity answered HTTP {{status}}: {{hint}}.',
      otherFailure: 'The server at {{url}} could not be reached: {{detail}}.',
    },
    fixes: {
      pointAtServer:
        "Point plex-diagnose at the Plex server itself, not at a URL that redirects elsewhere: `--url http://{{lanAddress}}:{{plexPort}}` (`curl -sI {{url}}/identity` shows the redirect's Location).",
      startPlex:
        "On the server, check that Plex runs and on which port: `systemctl status plexmediaserver` and `sudo ss -tlnp | grep -i plex` (Linux: the port Plex listens on, whatever it is), or `docker ps` (the container must show `0.0.0.0:32400->32400/tcp`: run it with `-p 32400:32400/tcp` or `--network host`). Then point plex-diagnose at the server's LAN address: `--url http://{{lanAddress}}:{{plexPort}}`.",
      useAddress:
        "Use the server's IP address instead of the name: `--url http://{{lanAddress}}:{{port}}` (on the server, `hostname -I` on Linux or `ipconfig` on Windows shows it). To check the name itself: `nslookup {{host}}`.",
      checkRoute:
        'Check the address: `ping {{host}}` and `ip route get {{host}}` (Linux; `route print` on Windows, `route -n get {{host}}` on macOS). A VPN on this machine may send LAN traffic into the tunnel: turn it off or allow LAN access, then run `plex-diagnose --url http://{{lanAddress}}:{{plexPort}}`.',
      checkFirewall:
        'Check that {{host}} is the server and that its firewall lets TCP {{port}} in: `sudo ufw allow {{port}}/tcp` (Ubuntu), `sudo firewall-cmd --add-port={{port}}/tcp --permanent && sudo firewall-cmd --reload` (Fedora/RHEL), or allow "Plex Media Server" in Windows Defender Firewall. Then run `curl -v http://{{host}}:{{port}}/identity`.',
      useLanAddress:
        "From inside your network, use the server's LAN address: `--url http://{{lanAddress}}:{{plexPort}}`. To test the public address, run from outside (a phone on mobile data), or let plex.tv test it (Settings → Remote Access).",
      plainHttpUrl: 'This port takes plain HTTP: `--url http://{{host}}:{{port}}`.',
      useHttp:
        "On your LAN, use plain HTTP: `--url http://{{host}}:{{port}}`{{plexDirect}}. Plex's certificate is issued for `*.plex.direct` names, not for an IP address or your own host name.",
      checkTls:
        'Open https://{{host}}:{{port}}/identity in a browser on this machine and look at the certificate: an unexpected issuer means a TLS-inspecting proxy or antivirus; "expired" or "not yet valid" means this machine\'s clock is wrong. On the LAN, `--url http://{{lanAddress}}:{{plexPort}}` avoids TLS.',
      pointAtPlex:
        'Point plex-diagnose at Plex itself: `--url http://{{lanAddress}}:{{plexPort}}`. Plex answers `curl http://{{lanAddress}}:{{plexPort}}/identity` with `<MediaContainer … machineIdentifier="…">`. If a reverse proxy stands in front of Plex, check that it forwards to port 32400 on the server.',
      investigate: 'Run `curl -v {{url}}/identity` on this machine to see where the connection fails.',
      restartPlex:
        'Give a starting server a minute and run again. If it stays silent, restart it (`sudo systemctl restart plexmediaserver`, or `docker restart <container>`) and read its log ("Plex Media Server.log" in the server\'s Logs folder); `sudo ss -tlnp | grep {{port}}` shows which program holds the port.',
    },
    explains: ['mapping-failed', 'server-stale'],
  },
  evaluate(ctx) {
    const observation = ctx.observation('server.identity');
    const url = (ctx.snapshot.target.url ?? '').replace(/\/+$/, '');
    if (observation?.status === 'ok') {
      const identity = observation.value.machineIdentifier;
      const rootId = ctx.get('server.root')?.machineIdentifier;
      if (rootId !== undefined && rootId !== identity) {
        ctx.report({
          messageId: 'otherServer',
          data: { url, identity, root: rootId },
          evidence: [
            { source: 'server.identity', observed: `machineIdentifier=${identity}` },
            {
              source: 'server.root',
              observed: `machineIdentifier=${rootId}`,
              expected: `machineIdentifier=${identity}`,
            },
          ],
          confidence: 'high',
        });
        return;
      }
      ctx.pass({
        evidence: [
          { source: 'server.identity', observed: `GET ${url}/identity answered machineIdentifier=${identity}` },
        ],
      });
      return;
    }
    if (observation?.status !== 'failed') {
      ctx.notChecked({
        reason: observation
          ? `server.identity was skipped: ${observation.reason}`
          : 'server.identity was not collected',
        howToCheck: 'run a diagnosis against the server (plex-diagnose --url http://<server>:32400)',
      });
      return;
    }
    const failure = classifyFailure(observation.error);
    if (failure.kind === 'aborted') {
      ctx.notChecked({ reason: 'the request to /identity was aborted', howToCheck: 'run again without interrupting' });
      return;
    }
    const target = targetEndpoint(ctx);
    const host = target?.host ?? url;
    const port = target?.port ?? DEFAULT_PLEX_PORT;
    const lan = serverLanEndpoint(ctx);
    const lanAddress = lan.address ?? '<server LAN IP>';
    const common = { url, host, port, code: failure.code, lanAddress, plexPort: lan.port };
    // Something that is not Plex answers on this port: Plex is elsewhere, so the fix must not name this port again.
    const elsewhere = {
      ...common,
      plexPort: ctx.get('server.account')?.privatePort || (lan.port === port ? DEFAULT_PLEX_PORT : lan.port),
    };
    const evidence: Evidence[] = [
      {
        source: 'server.identity',
        observed: `GET ${url}/identity ${describeFailure(failure)}`,
        expected: 'a Plex <MediaContainer> with a machineIdentifier',
      },
    ];

    if (observation.error.code === 'PLEXDIAG_REDIRECT' && observation.error.reason === 'cross-origin') {
      const answered = /another origin \(([^)]+)\)/.exec(observation.error.message)?.[1] ?? 'another address';
      ctx.report({
        messageId: 'otherOrigin',
        data: { ...common, answered },
        evidence,
        confidence: 'high',
        fix: { fixId: 'pointAtServer', data: common },
      });
      return;
    }
    switch (failure.kind) {
      case 'dns':
        ctx.report({
          messageId: 'nameNotResolved',
          data: common,
          evidence,
          confidence: 'high',
          fix: { fixId: 'useAddress', data: common },
        });
        return;
      case 'refused':
      case 'no-route':
      case 'timeout': {
        const own = ownPublicAddress(ctx, host);
        if (own) {
          evidence.push(own);
          ctx.report({
            messageId: 'ownPublicAddress',
            data: common,
            evidence,
            confidence: 'medium',
            fix: { fixId: 'useLanAddress', data: common },
            explains: [],
          });
          return;
        }
        if (failure.kind === 'refused') {
          ctx.report({
            messageId: 'refused',
            data: common,
            evidence,
            confidence: 'high',
            fix: { fixId: 'startPlex', data: common },
          });
        } else if (failure.kind === 'no-route') {
          ctx.report({
            messageId: 'noRoute',
            data: common,
            evidence,
            confidence: 'high',
            fix: { fixId: 'checkRoute', data: common },
          });
        } else if (ctx.get('probe.target')) {
          // The TCP handshake completed: the address and the port are right, the program behind them is silent.
          const tcp = ctx.get('probe.target')!;
          evidence.push({
            source: 'probe.target',
            observed: `TCP connect to ${tcp.address}:${tcp.port} succeeded in ${tcp.rttMs} ms`,
          });
          ctx.report({
            messageId: 'noAnswer',
            data: common,
            evidence,
            confidence: 'high',
            fix: { fixId: 'restartPlex', data: common },
          });
        } else {
          // A drop and a missing host look the same from here: the cause is a guess between the two.
          ctx.report({
            messageId: 'timeout',
            data: common,
            evidence,
            confidence: 'medium',
            fix: { fixId: 'checkFirewall', data: common },
          });
        }
        return;
      }
      case 'tls': {
        if (PLAIN_HTTP_ANSWER.test(`${failure.code ?? ''} ${observation.error.message}`)) {
          // The server answered the ClientHello with plain bytes (an HTTP 400): the port is right, the scheme wrong.
          ctx.report({
            messageId: 'plainHttp',
            data: common,
            evidence,
            confidence: 'high',
            fix: { fixId: 'plainHttpUrl', data: common },
          });
          return;
        }
        if (isPlexDirectHost(host) || ipFamily(host) === undefined) {
          // A name: the certificate may be right and something on the path (proxy, clock) wrong; we cannot tell which.
          const why = isPlexDirectHost(host)
            ? 'the certificate was not accepted: a TLS-inspecting proxy or antivirus, or a wrong clock on this machine'
            : "the certificate does not fit this name, or a proxy or this machine's clock is in the way";
          ctx.report({
            messageId: 'tls',
            data: { ...common, why },
            evidence,
            confidence: 'medium',
            fix: { fixId: 'checkTls', data: common },
          });
          return;
        }
        const plexDirect = plexDirectUrlFor(ctx, host, port);
        ctx.report({
          messageId: 'tls',
          data: {
            ...common,
            why: "Plex's certificate names `*.plex.direct` hosts, so HTTPS to a bare IP address cannot be verified",
          },
          evidence,
          confidence: 'high',
          fix: {
            fixId: 'useHttp',
            data: { ...common, plexDirect: plexDirect ? `, or the plex.direct address \`--url ${plexDirect}\`` : '' },
          },
        });
        return;
      }
      case 'html':
        ctx.report({
          messageId: 'htmlPage',
          data: common,
          evidence,
          confidence: 'high',
          fix: { fixId: 'pointAtPlex', data: elsewhere },
        });
        return;
      case 'not-plex': {
        const detail =
          failure.error.code === 'PLEXDIAG_VALIDATION'
            ? 'its /identity has no Plex machineIdentifier'
            : 'its /identity is not Plex XML or JSON';
        // A shape mismatch is direct; a garbled or empty body may also be a Plex answer cut short.
        const confidence = failure.error.code === 'PLEXDIAG_VALIDATION' ? 'high' : 'medium';
        ctx.report({
          messageId: 'notPlex',
          data: { ...common, detail },
          evidence,
          confidence,
          fix: { fixId: 'pointAtPlex', data: elsewhere },
        });
        return;
      }
      case 'http-status':
      case 'auth': {
        const status = failure.error.status;
        if (status === undefined) break;
        ctx.report({
          messageId: 'httpStatus',
          data: { ...common, status, hint: httpStatusHint(status) },
          evidence,
          confidence: 'high',
          fix: { fixId: 'pointAtPlex', data: elsewhere },
        });
        return;
      }
      default:
        break;
    }
    ctx.report({
      messageId: 'otherFailure',
      data: { ...common, detail: `${failure.code}: ${failure.error.message}` },
      evidence,
      confidence: 'medium',
      fix: { fixId: 'investigate', data: common },
    });
  },
});

/** Evidence that the target is this network's own public address (so a failure may be missing NAT loopback). */
function ownPublicAddress(ctx: FactsContext, host: string): Evidence | undefined {
  if (classifyAddress(host) !== 'public') return undefined;
  const mine = thisMachinePublicAddress(ctx);
  if (!mine || mine.address !== host) return undefined;
  return {
    source: 'plextv.publicIp',
    observed: `plex.tv sees this machine coming from ${mine.address}, the address in the URL`,
  };
}

/** The plex.direct URL for an address, from plex.tv's connection list or the certificate hash it shows. */
function plexDirectUrlFor(ctx: FactsContext, address: string, port: number): string | undefined {
  const connections = ctx.get('plextv.resources')?.server?.connections ?? [];
  const listed = connections.find((c) => c.address === address && !c.relay && parsePlexDirectName(c.uri) !== undefined);
  if (listed) return listed.uri;
  const hash = connections.map((c) => parsePlexDirectName(c.uri)?.hash).find((h) => h !== undefined);
  return hash ? `https://${plexDirectHostname(address, hash)}:${port}` : undefined;
}

/** What an HTTP status on /identity most likely means (Plex itself answers /identity with 200 and no token). */
function httpStatusHint(status: number): string {
  if (status === 401 || status === 403)
    return 'Plex answers /identity without a token, so something in front of it (a reverse proxy or router) asks for a login';
  if (status === 404) return 'Plex always serves /identity, so another web server answers on this port';
  if (status === 502 || status === 504) return 'a reverse proxy answers, and it cannot reach Plex behind it';
  if (status === 503) return 'Plex (or a proxy in front of it) is starting or overloaded: run again in a minute';
  if (status >= 500) return 'the server failed to answer: Plex may be starting, or a proxy in front of it is failing';
  return 'an unexpected answer for Plex, which serves /identity with 200';
}
