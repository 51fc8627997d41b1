/**
 * The forward exists but does not line up: Plex's manual public port is not the port the router forwards, or the
 * router forwards the port to the wrong LAN host (often: the server got a new DHCP address) or the wrong internal
 * port. Read from the router's UPnP table; static forwards that a router does not list there are invisible to it.
 */
import { reachedFromOutside } from '../outside-facts.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import {
  mappingFailed,
  mappingState,
  routerMappingsFor,
  routerMappingsToServer,
  routerWan,
  routerAttribution,
  seesServersRouter,
  serverLanEndpoint,
} from '../facts.js';

export default defineBuiltinRule({
  id: 'manual-port-mismatch',
  meta: {
    severity: 'error',
    category: 'port-forwarding',
    title: "Plex's public port matches the router's forward",
    hop: 'router',
    requires: ['server.prefs', 'probe.upnp'],
    uses: ['server.account', 'plextv.resources', 'probe.host', 'probe.natpmp', 'server.root', 'probe.outside'],
    explains: [
      'mapping-failed',
      'relay-only',
      'isp-blocks-port',
      'no-port-forward',
      'outside-reachability',
      'outside-port-closed',
    ],
    messages: {
      otherPortForwarded:
        "Plex's manual public port is {{manualPort}}, but the router forwards {{forwardedPort}} (not {{manualPort}}) to {{server}}:{{serverPort}}.",
      manualPortNotForwarded:
        "Plex's manual public port is {{manualPort}}, but the router lists no forward for it ({{count}} UPnP mapping(s), none for {{manualPort}}).",
      wrongHost:
        'The router forwards TCP {{port}} to {{forwardHost}}:{{forwardPort}}, but the server is {{server}}:{{serverPort}}: the forward points at the wrong machine.',
      wrongPort: 'The router forwards TCP {{port}} to {{server}}:{{forwardPort}}, but Plex listens on {{serverPort}}.',
    },
    fixes: {
      useForwardedPort:
        'Set Settings → Remote Access → "Manually specify public port" to {{forwardedPort}} (the port the router forwards), or forward {{manualPort}} instead.',
      addForward:
        'On the router, forward TCP {{manualPort}} → {{server}}:{{serverPort}}. (Some routers do not list hand-made forwards over UPnP: if yours exists, see isp-blocks-port.)',
      retarget:
        'Change the forward for TCP {{port}} to {{server}}:{{serverPort}}, and give the server a fixed address (a DHCP reservation) so it cannot move again.',
    },
  },
  evaluate(ctx) {
    const network = ctx.get('server.prefs')?.network;
    const upnp = ctx.get('probe.upnp');
    if (!network || !upnp || !seesServersRouter(ctx)) return;
    const server = serverLanEndpoint(ctx);
    if (!server.address) return;
    // The router's table decides it; only inferred to be the server's router (no host facts), it decides less firmly.
    const strength = routerAttribution(ctx) === 'confirmed' ? 'high' : 'medium';
    const mapping = mappingState(ctx);
    // A working setup needs no second opinion: the router's table can be partial or stale.
    const outside = reachedFromOutside(ctx);
    if (outside) {
      ctx.pass({ evidence: [outside] });
      return;
    }
    if (mapping && !mappingFailed(mapping)) {
      ctx.notChecked({ reason: `Plex has not tested remote access (mappingState=${mapping.state ?? '(none)'})` });
      return;
    }
    const where = { server: server.address, serverPort: server.port };
    const stateEvidence = mapping
      ? [
          {
            source: mapping.source,
            observed: `mappingState=${mapping.state ?? '(none)'}, mappingError=${mapping.error || '(none)'}`,
            expected: 'mappingState=mapped',
          },
        ]
      : [];
    const manual =
      network.ManualPortMappingMode === true && network.ManualPortMappingPort
        ? network.ManualPortMappingPort
        : undefined;
    const port = manual ?? network.LastAutomaticMappedPort ?? ctx.get('server.account')?.publicPort;
    if (!port) return;

    const forPort = routerMappingsFor(ctx, port).filter((m) => m.enabled);
    const describe = (m: { externalPort: number; internalClient: string; internalPort: number; description: string }) =>
      `TCP ${m.externalPort} → ${m.internalClient}:${m.internalPort}${m.description ? ` "${m.description}"` : ''}`;
    const wrongHost = forPort.find((m) => m.internalClient !== server.address);
    if (wrongHost && !forPort.some((m) => m.internalClient === server.address)) {
      ctx.report({
        messageId: 'wrongHost',
        data: { port, forwardHost: wrongHost.internalClient, forwardPort: wrongHost.internalPort, ...where },
        evidence: [
          ...stateEvidence,
          {
            source: 'router (UPnP)',
            observed: describe(wrongHost),
            expected: `TCP ${port} → ${server.address}:${server.port}`,
          },
          { source: server.source ?? 'server', observed: `server at ${server.address}:${server.port}` },
        ],
        confidence: strength,
        fix: { fixId: 'retarget', data: { port, ...where } },
      });
      return;
    }
    const wrongPort = forPort.find((m) => m.internalClient === server.address && m.internalPort !== server.port);
    if (wrongPort && !forPort.some((m) => m.internalClient === server.address && m.internalPort === server.port)) {
      ctx.report({
        messageId: 'wrongPort',
        data: { port, forwardPort: wrongPort.internalPort, ...where },
        evidence: [
          ...stateEvidence,
          {
            source: 'router (UPnP)',
            observed: describe(wrongPort),
            expected: `TCP ${port} → ${server.address}:${server.port}`,
          },
        ],
        confidence: strength,
        fix: { fixId: 'retarget', data: { port, ...where } },
      });
      return;
    }
    if (manual === undefined || forPort.length > 0 || !upnp.mappingsComplete) return;
    // A router without a public WAN address (miniupnpd then refuses every mapping) lists nothing over UPnP: its
    // silence says nothing about hand-made forwards.
    if (routerWan(ctx).status !== 'ok') return;
    const toServer = routerMappingsToServer(ctx, server).filter((m) => m.enabled);
    const manualEvidence = {
      source: 'server.prefs',
      observed: `ManualPortMappingMode=1, ManualPortMappingPort=${manual}`,
    };
    if (toServer.length > 0) {
      const forwarded = toServer[0]!.externalPort;
      ctx.report({
        messageId: 'otherPortForwarded',
        data: { manualPort: manual, forwardedPort: forwarded, ...where },
        evidence: [
          ...stateEvidence,
          manualEvidence,
          {
            source: 'router (UPnP)',
            observed: describe(toServer[0]!),
            expected: `TCP ${manual} → ${server.address}:${server.port}`,
          },
        ],
        confidence: strength,
        fix: {
          fixId: 'useForwardedPort',
          data: { manualPort: manual, forwardedPort: forwarded },
          actions: [{ type: 'set-pref', pref: 'ManualPortMappingPort', value: forwarded }],
        },
      });
      return;
    }
    ctx.report({
      messageId: 'manualPortNotForwarded',
      data: { manualPort: manual, count: upnp.mappings.length },
      evidence: [
        ...stateEvidence,
        manualEvidence,
        {
          source: 'router (UPnP)',
          observed: `${upnp.mappings.length} mapping(s): ${upnp.mappings.map(describe).join('; ') || 'none'}`,
          expected: `TCP ${manual} → ${server.address}:${server.port}`,
        },
      ],
      confidence: 'medium',
      fix: { fixId: 'addForward', data: { manualPort: manual, ...where } },
    });
  },
});
