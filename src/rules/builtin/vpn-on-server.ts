/**
 * A VPN (or proxy) on the server: its traffic leaves through the tunnel, so plex.tv sees the VPN provider's address
 * and tests a port there, never on your router. Seen on the server's host as a default route through a tunnel
 * interface, or from the LAN as plex.tv seeing the server at another address than this machine
 * (publicAddressMatches=false).
 */
import { egressMismatch, passOrDeferToOutside } from '../outside-facts.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import {
  publicPort,
  routerAttribution,
  routerWan,
  serverPublicAddress,
  thisMachinePublicAddress,
  vantage,
} from '../facts.js';

export default defineBuiltinRule({
  id: 'vpn-on-server',
  meta: {
    severity: 'error',
    category: 'network',
    title: 'The server reaches the internet through your router (no VPN or proxy)',
    hop: 'server',
    requires: [],
    uses: [
      'probe.outside',
      'probe.host',
      'plextv.resources',
      'server.account',
      'server.prefs',
      'plextv.publicIp',
      'probe.upnp',
      'probe.natpmp',
      'declared.remoteAccess',
      'server.root',
    ],
    explains: [
      'mapping-failed',
      'cgnat',
      'isp-blocks-port',
      'no-port-forward',
      'relay-only',
      'outside-reachability',
      'outside-port-closed',
    ],
    messages: {
      suspected:
        "A VPN or proxy on the server may carry its traffic out, so plex.tv tests the VPN's address, not your router's.",
      vpnDefaultRoute:
        "The server's default route goes through {{interface}}, a VPN: plex.tv sees the server at {{seen}}, so it tests port {{port}} at the VPN provider, not on your router.",
      differentEgress:
        "plex.tv sees the server at {{server}} but this machine, on the same network, at {{here}}: the server's traffic leaves through something else (a VPN, a proxy or a second internet line).",
    },
    fixes: {
      splitTunnel:
        'Let Plex bypass the VPN: split tunnelling that excludes Plex Media Server (or the server\'s LAN traffic and TCP {{port}}), or a policy route for it. Or, if your VPN provider forwards a port to you, set "Manually specify public port" to that port.',
    },
  },
  evaluate(ctx) {
    // Plex's connect-back passes this check unless the rule still finds its cause (a finding outranks the pass).
    const remote = passOrDeferToOutside(ctx);
    // plex.tv itself saying the server egresses elsewhere (publicAddressMatches=false) points here more than a bare
    // failure does.
    const mismatch = egressMismatch(ctx);
    const pointsTo = [...('fails' in remote ? remote.fails : []), ...(mismatch ? [mismatch] : [])];
    if (pointsTo.length > 0 && vantage(ctx) !== 'server-host')
      ctx.suspect({
        messageId: 'suspected',
        for: pointsTo,
        against: [],
        nextStep: {
          kind: 'command',
          text: "on the server: curl -s https://ifconfig.me and compare with the router's WAN address (different means a VPN or proxy; a reflector outside, --reflector URL, sees which address the server really leaves from)",
        },
        likelihood: mismatch ? 'medium' : 'low',
      });
    const where = vantage(ctx);
    const host = ctx.get('probe.host');
    const serverSeen = serverPublicAddress(ctx);
    const port = publicPort(ctx).port;
    if (where === 'server-host' && host?.vpn.active) {
      const wan = routerWan(ctx);
      // Plex already excluded from the tunnel (split tunnelling): plex.tv sees the router's address.
      if (serverSeen && wan.address && serverSeen.address === wan.address) return;
      ctx.report({
        messageId: 'vpnDefaultRoute',
        data: {
          interface: host.vpn.interface ?? 'a tunnel interface',
          seen: serverSeen?.address ?? "the VPN's address",
          port,
        },
        evidence: [
          {
            source: 'probe.host',
            observed: `default route via ${host.defaultRoute?.interface ?? host.vpn.interface}; ${host.vpn.evidence.join('; ')}`,
            expected: 'the default route via the LAN gateway',
          },
          ...(serverSeen
            ? [
                {
                  source: serverSeen.source,
                  observed: `plex.tv sees the server at ${serverSeen.address}`,
                  ...(wan.address ? { expected: wan.address } : {}),
                },
              ]
            : []),
        ],
        confidence: 'high',
        fix: { fixId: 'splitTunnel', data: { port } },
      });
      return;
    }
    // Without host facts, a private URL reached directly is most likely the same LAN (inferred): say less.
    const attribution = routerAttribution(ctx);
    if (attribution === 'no') return;
    if (host?.vpn.active) return; // this machine's own VPN makes the comparison meaningless
    const here = thisMachinePublicAddress(ctx);
    if (!serverSeen || !here || serverSeen.address === here.address) return;
    const matches = ctx.get('plextv.resources')?.server?.publicAddressMatches;
    const agreeing = matches === false ? 1 : 0;
    ctx.report({
      messageId: 'differentEgress',
      data: { server: serverSeen.address, here: here.address },
      evidence: [
        { source: serverSeen.source, observed: `plex.tv sees the server at ${serverSeen.address}` },
        { source: here.source, observed: `plex.tv sees this machine at ${here.address}`, expected: serverSeen.address },
        ...(matches === false ? [{ source: 'plextv.resources', observed: 'publicAddressMatches=false' }] : []),
      ],
      confidence: (['low', 'medium', 'high'] as const)[(attribution === 'confirmed' ? 1 : 0) + agreeing]!,
      fix: { fixId: 'splitTunnel', data: { port } },
    });
  },
});
