/**
 * The forward exists but does not line up: Plex's manual public port is not the port the router forwards, or the
 * router forwards the port to the wrong LAN host (often: the server got a new DHCP address) or the wrong internal
 * port. Read from the router's UPnP table; static forwards that a router does not list there are invisible to it.
 */
import { reachedFromOutside } from '../outside-facts.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import { mappingState, routerWan, routerAttribution, seesServersRouter, serverLanEndpoint } from '../facts.js';

const rule = defineBuiltinRule({
  id: 'manual-port-mismatch',
  meta: {
    severity: 'error',
    category: 'port-forwarding',
    title: "Plex's public port matches the router's forward",
    hop: 'router',
    requires: ['server.prefs'],
    uses: [
      'probe.upnp',
      'probe.natpmp',
      'declared.forwards',
      'server.account',
      'plextv.resources',
      'probe.host',
      'server.root',
      'probe.outside',
    ],
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
    if (!network) return;
    const server = serverLanEndpoint(ctx);
    // A working setup needs no second opinion: the router's table can be partial or stale.
    const outside = reachedFromOutside(ctx);
    if (outside) {
      ctx.pass({ evidence: [outside] });
      return;
    }
    // The router's forwards, as its UPnP table lists them, else as the user stated them (--forward or an answer).
    // NAT-PMP has no operation that lists mappings (RFC 6886), so it cannot show a forward either way.
    const table = forwardsSeen(ctx);
    if (!table) {
      ctx.notChecked({
        reason: "no UPnP answer from the server's router and no forward stated: the router's forwards can't be read",
        howToCheck: `state your forward: --forward ${network.ManualPortMappingPort ?? 32400}:${server.address ?? '<server LAN IP>'}:${server.port}`,
      });
      return;
    }
    if (!server.address) return;
    // The table decides it; a stated forward or a router only inferred to be the server's (no host facts) less firmly.
    const strength = table.declared || routerAttribution(ctx) !== 'confirmed' ? 'medium' : 'high';
    const mapping = mappingState(ctx);
    const upnp = { mappings: table.mappings, mappingsComplete: table.complete };
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

    const forPort = table.mappings.filter((m) => m.externalPort === port);
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
            source: table.source,
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
            source: table.source,
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
    if (!table.declared && routerWan(ctx).status !== 'ok') return;
    const toServer = table.mappings.filter(
      (m) => m.internalClient === server.address && m.internalPort === server.port,
    );
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
            source: table.source,
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
          source: table.source,
          observed: `${upnp.mappings.length} mapping(s): ${upnp.mappings.map(describe).join('; ') || 'none'}`,
          expected: `TCP ${manual} → ${server.address}:${server.port}`,
        },
      ],
      confidence: table.declared ? 'low' : 'medium',
      fix: { fixId: 'addForward', data: { manualPort: manual, ...where } },
    });
  },
});
export default rule;

interface ForwardTable {
  source: string;
  declared: boolean;
  /** Every forward is listed (a UPnP table read to its end; what the user stated is taken as their list). */
  complete: boolean;
  mappings: { externalPort: number; internalClient: string; internalPort: number; description: string }[];
}

function forwardsSeen(ctx: Parameters<(typeof rule)['evaluate']>[0]): ForwardTable | undefined {
  const upnp = ctx.get('probe.upnp');
  if (upnp && seesServersRouter(ctx)) {
    return {
      source: 'router (UPnP)',
      declared: false,
      complete: upnp.mappingsComplete,
      mappings: upnp.mappings.filter((m) => m.enabled && m.protocol.toUpperCase() === 'TCP'),
    };
  }
  const stated = ctx.get('declared.forwards')?.forwards;
  if (!stated?.length) return undefined;
  return {
    source: 'declared.forwards (you said)',
    declared: true,
    complete: true,
    mappings: stated.map((f) => ({
      externalPort: f.externalPort,
      internalClient: f.host,
      internalPort: f.internalPort,
      description: '',
    })),
  };
}
