/**
 * Nothing forwards the public port to the server: Plex is left to map it automatically (UPnP / NAT-PMP) and the router
 * offers neither, or the router speaks UPnP but holds no mapping for the server. A container on a bridge network cannot
 * map ports at all (pms-docker README: "essentially behind two routers").
 */
import { containerNetworkOf } from '../../core/net/address.js';
import { passOrDeferToOutside } from '../outside-facts.js';
import type { Evidence } from '../../core/finding.js';
import type { FactsContext } from '../facts.js';
import type { SuspectDescriptor } from '../types.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import { hostBridgeProof } from '../container-evidence.js';
import { noAnswerConfidence, noAnswerEvidence, noRouterAnswer } from './no-port-forward-evidence.js';
import {
  mappingFailed,
  mappingState,
  publicPort,
  routerMappingsToServer,
  seesServersRouter,
  serverLanEndpoint,
  vantage,
} from '../facts.js';

export default defineBuiltinRule({
  id: 'no-port-forward',
  meta: {
    severity: 'error',
    category: 'port-forwarding',
    title: 'A port forward reaches the server',
    hop: 'router',
    requires: [],
    uses: [
      'probe.outside',
      'server.account',
      'server.prefs',
      'probe.upnp',
      'probe.natpmp',
      'probe.host',
      'plextv.resources',
      'declared.remoteAccess',
      'declared.forwards',
      'server.root',
    ],
    explains: ['mapping-failed', 'relay-only', 'outside-reachability'],
    messages: {
      suspected: 'The router may have no forward of TCP {{port}} to {{server}}:{{serverPort}}.',
      noAutomaticMapping:
        'Plex is left to open its port automatically, but the router answers neither UPnP nor NAT-PMP, and no manual public port is set: nothing forwards a port to {{server}}:{{serverPort}}.',
      upnpWithoutMapping:
        "The router speaks UPnP but holds no port mapping to {{server}}:{{serverPort}}: Plex's automatic mapping did not take (UPnP refused for this host, or switched off for it).",
      containerCannotMap:
        'Plex runs in a container on a bridge network, so it cannot open a port on the router by itself (it sits behind the container host and the router), and no manual public port is set.',
      unverifiedManual:
        "plex.tv cannot reach the manual public port {{port}}, and the router's forwards cannot be read from here (no UPnP): check that TCP {{port}} is forwarded to {{server}}:{{serverPort}}.",
    },
    fixes: {
      forwardManually:
        'On the router, forward TCP {{port}} to {{server}}:{{serverPort}} (give the server a fixed DHCP lease first). Then in Plex: Settings → Remote Access → "Manually specify public port" = {{port}}.',
      allowUpnp:
        'Allow UPnP port mapping for {{server}} on the router (miniupnpd: an `allow` line for it; some routers list UPnP per device), or forward TCP {{port}} to {{server}}:{{serverPort}} by hand and set "Manually specify public port" to {{port}}.',
      checkForward:
        "In the router's port-forwarding page, make sure TCP {{port}} → {{server}}:{{serverPort}} exists and is enabled; if it does, see isp-blocks-port.",
    },
  },
  evaluate(ctx) {
    // Plex's connect-back passes this check unless the rule still finds its cause (a finding outranks the pass).
    const remote = passOrDeferToOutside(ctx);
    const network = ctx.get('server.prefs')?.network;
    // Without the prefs (no token) the manual port is unknown: a router that answers nothing is a candidate only.
    const silentRouter =
      !network && !('works' in remote) && noRouterAnswer(ctx) && seesServersRouter(ctx) ? [noAnswerEvidence(ctx)] : [];
    const pointsTo = [...('fails' in remote ? remote.fails : []), ...silentRouter];
    if (pointsTo.length > 0) suspectMissingForward(ctx, pointsTo);
    if (!network) return;
    if ('works' in remote || network.PublishServerOnPlexOnlineKey === false) return;
    const mapping = mappingState(ctx);
    // Plex's check is transient and often unread: "failed" adds certainty, but the router evidence decides on its own.
    const failedState = mappingFailed(mapping);
    const server = serverLanEndpoint(ctx);
    const where = { server: server.address ?? 'the server', serverPort: server.port };
    const stateEvidence = {
      source: mapping?.source ?? 'server.account',
      observed: mapping
        ? `mappingState=${mapping.state ?? '(none)'}, mappingError=${mapping.error || '(none)'}`
        : "Plex's remote access check: no result",
      expected: 'mappingState=mapped',
    };
    const manual = network.ManualPortMappingMode === true;
    const upnp = ctx.observation('probe.upnp');
    const natpmp = ctx.observation('probe.natpmp');
    const port = publicPort(ctx).port;

    if (manual) {
      if (!failedState || upnp?.status === 'ok' || !seesServersRouter(ctx)) return; // a readable table: manual-port-mismatch
      ctx.report({
        messageId: 'unverifiedManual',
        data: { port, ...where },
        evidence: [
          stateEvidence,
          { source: 'server.prefs', observed: `ManualPortMappingMode=1, ManualPortMappingPort=${port}` },
          { source: 'probe.upnp', observed: upnp?.status === 'failed' ? upnp.error.message : 'not available' },
        ],
        confidence: 'low',
        fix: { fixId: 'checkForward', data: { port, ...where } },
      });
      return;
    }

    const manualActions = [
      { type: 'set-pref' as const, pref: 'ManualPortMappingMode', value: true },
      { type: 'set-pref' as const, pref: 'ManualPortMappingPort', value: server.port },
    ];
    const host = ctx.get('probe.host');
    // In a container with host networking the default route leaves through the host's own interface; on a bridge it
    // leaves through an address in the runtime's range.
    const routeInterface = host?.interfaces.find((i) => i.name === host.defaultRoute?.interface);
    const bridged = routeInterface?.addresses.find((a) => containerNetworkOf(a.address));
    const routeProof =
      vantage(ctx) === 'server-host' && host?.container.inContainer && bridged
        ? {
            source: 'probe.host',
            observed: `in a container (${host.container.evidence.join('; ') || host.container.runtime}); default route via ${routeInterface!.name} ${bridged.address}`,
          }
        : undefined;
    // Plex's own private address in a runtime's range: Plex sees itself on the bridge, so its UPnP request names an
    // address the router cannot reach (the Remote Access page's "Private 172.17.0.2:32400").
    const ownAddress = ctx.get('server.account')?.privateAddress;
    const accountProof =
      ownAddress && containerNetworkOf(ownAddress)
        ? { source: 'server.account', observed: `privateAddress=${ownAddress} (a container network's range)` }
        : undefined;
    // Only a route or an interface proves the bridge: a container address alone also appears with host networking
    // (Plex publishing docker0), where Plex can map ports like any host.
    const bridgeProof = routeProof ?? (ownAddress ? hostBridgeProof(ctx, ownAddress) : undefined);
    if (bridgeProof) {
      ctx.report({
        messageId: 'containerCannotMap',
        evidence: [
          stateEvidence,
          ...[bridgeProof, accountProof].filter((e) => e !== undefined),
          { source: 'server.prefs', observed: 'ManualPortMappingMode=0 (automatic)' },
        ],
        confidence: accountProof || failedState ? 'high' : 'medium',
        fix: { fixId: 'forwardManually', data: { port: server.port, ...where } },
      });
      return;
    }
    if (accountProof && (failedState || 'fails' in remote)) {
      ctx.suspect({
        messageId: 'containerCannotMap',
        for: [stateEvidence, accountProof, { source: 'server.prefs', observed: 'ManualPortMappingMode=0 (automatic)' }],
        nextStep: {
          kind: 'command',
          text: "on the Docker host: docker inspect <plex container> | grep NetworkMode (bridge or a named network: Plex cannot map ports; host: it can), or run plex-diagnose on the server's host",
        },
        likelihood: failedState ? 'medium' : 'low',
      });
    }
    if (!seesServersRouter(ctx)) return;
    if (upnp?.status === 'failed' && natpmp?.status !== 'ok') {
      ctx.report({
        messageId: 'noAutomaticMapping',
        data: where,
        evidence: [
          stateEvidence,
          { source: 'server.prefs', observed: 'ManualPortMappingMode=0 (automatic)' },
          { source: 'probe.upnp', observed: upnp.error.message, expected: 'a UPnP IGD answers' },
          {
            source: 'probe.natpmp',
            observed: natpmp?.status === 'failed' ? natpmp.error.message : 'not checked',
            expected: 'a NAT-PMP answer',
          },
        ],
        confidence: noAnswerConfidence(ctx, failedState && natpmp?.status === 'failed'),
        fix: {
          fixId: 'forwardManually',
          data: { port: server.port, ...where },
          ...(server.address ? { actions: manualActions } : {}),
        },
      });
      return;
    }
    if (
      failedState &&
      upnp?.status === 'ok' &&
      upnp.value.mappingsComplete &&
      server.address &&
      routerMappingsToServer(ctx, server).length === 0 &&
      natpmp?.status !== 'ok'
    ) {
      ctx.report({
        messageId: 'upnpWithoutMapping',
        data: where,
        evidence: [
          stateEvidence,
          {
            source: 'probe.upnp',
            observed: `${upnp.value.mappings.length} mapping(s), none to ${server.address}:${server.port}`,
            expected: `a mapping to ${server.address}:${server.port}`,
          },
        ],
        confidence: 'medium',
        fix: { fixId: 'allowUpnp', data: { port: server.port, ...where } },
      });
    }
  },
});

/**
 * The router's forwards cannot be read (or were not): a candidate, with what the user said about the forwards for or
 * against it. A stated forward to the server points away; stated forwards that all miss the server point to it.
 */
function suspectMissingForward(
  ctx: FactsContext & { suspect: (d: SuspectDescriptor<'suspected'>) => void },
  fails: Evidence[],
): void {
  const server = serverLanEndpoint(ctx);
  const port = publicPort(ctx).port;
  const where = { port, server: server.address ?? 'the server', serverPort: server.port };
  const stated = ctx.get('declared.forwards')?.forwards ?? [];
  const toServer = stated.filter((f) => f.externalPort === port && (!server.address || f.host === server.address));
  const describe = (f: { externalPort: number; host: string; internalPort: number }) =>
    `forward ${f.externalPort} → ${f.host}:${f.internalPort}`;
  const forStated =
    stated.length > 0 && toServer.length === 0
      ? stated.map((f) => ({ source: 'declared.forwards', observed: describe(f), declared: true }))
      : [];
  const against = toServer.map((f) => ({ source: 'declared.forwards', observed: describe(f), declared: true }));
  ctx.suspect({
    messageId: 'suspected',
    data: where,
    for: [...fails, ...forStated],
    against,
    nextStep: {
      kind: 'router-page',
      text: `the router's Port Forwarding (Virtual Server / NAT) page: is TCP ${port} forwarded to ${where.server}:${where.serverPort}? (then state it: --forward ${port}:${where.server}:${where.serverPort}; a reflector outside, --reflector URL with --forward-check for a forward that works, tells a missing forward from an ISP filter)`,
    },
    likelihood: forStated.length > 0 ? 'medium' : against.length > 0 ? 'low' : 'medium',
  });
}
