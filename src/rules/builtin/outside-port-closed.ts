/**
 * The outside half of "no forward, or the host refuses": a reflector outside finds Plex's public port refused or
 * filtered while another forward through the same router (the same public address) is open, and on the LAN the server
 * answers. So the internet reaches the router and the server runs: what is left is the path between them. Which
 * evidence separates the two: the router's forward list (UPnP, or what you stated with --forward). No forward of the
 * port: the forward is missing. A forward to the server that is refused from outside: the server (or a router firewall
 * rule) refuses the internet. Forwarded and filtered: an upstream filter (isp-blocks-port) or the server's firewall
 * dropping (read from the host's own ruleset by the host-firewall rule); the outside alone cannot split those two.
 */
import { defineBuiltinRule } from './define-builtin-rule.js';
import { routerMappingsFor, seesServersRouter, serverLanEndpoint, type FactsContext } from '../facts.js';
import type { Evidence } from '../../core/finding.js';
import { describePort, frontDoor, isClosed, outsideViewOrNotChecked, plexPort } from '../outside-evidence.js';

type ForwardKnown = { state: 'present' | 'absent' | 'unknown'; evidence: Evidence[]; measured: boolean };

/** Whether the router forwards Plex's public port to the server: its UPnP table first, then what the user stated. */
function forwardOfPort(ctx: FactsContext, port: number): ForwardKnown {
  const server = serverLanEndpoint(ctx);
  const upnp = ctx.get('probe.upnp');
  if (upnp && seesServersRouter(ctx)) {
    const toServer = routerMappingsFor(ctx, port).filter(
      (m) => m.enabled && (!server.address || m.internalClient === server.address) && m.internalPort === server.port,
    );
    if (toServer.length > 0)
      return {
        state: 'present',
        measured: true,
        evidence: [
          {
            source: 'probe.upnp',
            observed: `forward TCP ${port} → ${toServer[0]!.internalClient}:${toServer[0]!.internalPort}`,
          },
        ],
      };
    if (upnp.mappingsComplete && server.address)
      return {
        state: 'absent',
        measured: true,
        evidence: [
          {
            source: 'probe.upnp',
            observed: `${upnp.mappings.length} mapping(s), none of TCP ${port} to ${server.address}:${server.port}`,
            expected: `TCP ${port} → ${server.address}:${server.port}`,
          },
        ],
      };
  }
  const stated = ctx.get('declared.forwards')?.forwards ?? [];
  const ofPort = stated.filter((f) => f.externalPort === port);
  const toServer = ofPort.filter((f) => !server.address || f.host === server.address);
  const said = (f: (typeof stated)[number]): Evidence => ({
    source: 'declared.forwards',
    observed: `forward ${f.externalPort} → ${f.host}:${f.internalPort}`,
    declared: true,
  });
  if (toServer.length > 0) return { state: 'present', measured: false, evidence: toServer.map(said) };
  if (stated.length > 0) return { state: 'absent', measured: false, evidence: stated.map(said) };
  return { state: 'unknown', measured: false, evidence: [] };
}

export default defineBuiltinRule({
  id: 'outside-port-closed',
  meta: {
    severity: 'error',
    category: 'port-forwarding',
    title: "Plex's public port is open from outside where other forwards are",
    hop: 'router',
    requires: [],
    uses: [
      'probe.outside',
      'server.identity',
      'server.account',
      'server.prefs',
      'server.root',
      'probe.upnp',
      'probe.natpmp',
      'probe.host',
      'plextv.resources',
      'declared.forwards',
    ],
    explains: ['outside-reachability', 'mapping-failed', 'relay-only', 'no-port-forward'],
    messages: {
      noForward:
        'From outside, TCP {{port}} is {{state}} while TCP {{openPort}} through the same router is open, and the router holds no forward of {{port}} to {{server}}:{{serverPort}}: the forward is missing.',
      hostRefuses:
        'The router forwards TCP {{port}} to {{server}}:{{serverPort}} and the server answers on the LAN, yet from outside the connection is refused (TCP {{openPort}} through the same router is open): the server, or a firewall rule on the router, refuses connections from the internet.',
      forwardOrHost:
        "From outside, TCP {{port}} is refused while TCP {{openPort}} through the same router is open, and the server answers on the LAN: either the router does not forward {{port}} to {{server}}:{{serverPort}}, or the server refuses the internet. The router's forward list separates them.",
      suspected:
        'The router may not forward TCP {{port}} to {{server}}:{{serverPort}}: from outside it is filtered while TCP {{openPort}} is open.',
    },
    fixes: {
      addForward:
        'On the router, forward TCP {{port}} to {{server}}:{{serverPort}} (give the server a fixed DHCP lease first), and set Settings → Remote Access → "Manually specify public port" to {{port}}. Then run again with --reflector.',
      allowHost:
        "Allow inbound TCP {{serverPort}} from any address in the server's firewall, not only from the LAN (ufw: `ufw allow {{serverPort}}/tcp`; firewalld: `firewall-cmd --permanent --add-port={{serverPort}}/tcp`; Windows: allow Plex Media Server on Public networks), and check that no router firewall rule limits the forward to some sources.",
      checkForward:
        "Open the router's Port Forwarding page: if TCP {{port}} → {{server}}:{{serverPort}} is missing, add it; if it is there, the server's firewall refuses the internet: allow inbound TCP {{serverPort}} from any address. (Or state the forward: --forward {{port}}:{{server}}:{{serverPort}}.)",
    },
  },
  evaluate(ctx) {
    const view = outsideViewOrNotChecked(ctx);
    if (!view) return;
    const plex = plexPort(view.value);
    if (plex?.tcp.state === 'open') {
      ctx.pass({ evidence: [view.source, { source: 'probe.outside', observed: describePort(plex) }] });
      return;
    }
    if (!plex || !isClosed(plex)) {
      ctx.notChecked({ reason: plex ? describePort(plex) : "no result for Plex's public port" });
      return;
    }
    const door = frontDoor(ctx);
    if (door) {
      ctx.notChecked({
        reason: `TCP ${plex.port} is closed from outside by design: the front door on TCP ${door.door.port} reaches this server (see outside-front-door)`,
      });
      return;
    }
    const open = view.value.ports.find((p) => p.port !== plex.port && p.tcp.state === 'open');
    if (!open) {
      ctx.notChecked({
        reason: `${describePort(plex)}, and no other port was open from outside: nothing shows that the internet gets through the router at all`,
        howToCheck:
          'add --forward-check PORT for a forward you know works (e.g. a web or game server), so the router itself is tested',
      });
      return;
    }
    if (!ctx.get('server.identity')) {
      ctx.notChecked({
        reason: 'the server did not answer here, so a closed port from outside may be a server that is down',
        howToCheck: 'run on the server or on its LAN, with its URL (--url)',
      });
      return;
    }
    const port = plex.port;
    const server = serverLanEndpoint(ctx);
    const where = { port, server: server.address ?? 'the server', serverPort: server.port, openPort: open.port };
    const forward = forwardOfPort(ctx, port);
    const evidence: Evidence[] = [
      view.source,
      { source: 'probe.outside', observed: describePort(plex), expected: 'open' },
      { source: 'probe.outside', observed: `${describePort(open)}: the internet gets through the router` },
      { source: 'server.identity', observed: 'the server answers on the LAN' },
      ...forward.evidence,
    ];
    if (forward.state === 'absent') {
      ctx.report({
        messageId: 'noForward',
        data: { ...where, state: plex.tcp.state },
        evidence,
        confidence: forward.measured ? 'high' : 'medium',
        fix: { fixId: 'addForward', data: where },
      });
    } else if (forward.state === 'present' && plex.tcp.state === 'refused') {
      ctx.report({
        messageId: 'hostRefuses',
        data: where,
        evidence,
        confidence: 'medium',
        fix: { fixId: 'allowHost', data: where },
      });
    } else if (forward.state === 'unknown' && plex.tcp.state === 'refused') {
      ctx.report({
        messageId: 'forwardOrHost',
        data: where,
        evidence,
        confidence: 'medium',
        fix: { fixId: 'checkForward', data: where },
      });
    } else if (forward.state === 'unknown') {
      ctx.notChecked({ reason: `${describePort(plex)} and the router's forwards cannot be read` });
      ctx.suspect({
        messageId: 'suspected',
        data: where,
        for: evidence,
        nextStep: {
          kind: 'router-page',
          text: `the router's Port Forwarding page: is TCP ${port} forwarded to ${where.server}:${where.serverPort}? (then state it: --forward ${port}:${where.server}:${where.serverPort})`,
        },
        likelihood: 'medium',
      });
    } else {
      // Forwarded and dropped: upstream (isp-blocks-port decides it from the router's WAN) or the server's firewall.
      ctx.notChecked({
        reason: `TCP ${port} is forwarded to the server but filtered from outside: an upstream filter or the server's firewall dropping; see isp-blocks-port`,
        howToCheck: 'run plex-diagnose on the server, so its firewall ruleset is read',
      });
    }
  },
});
