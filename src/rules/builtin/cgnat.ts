/**
 * Carrier-grade NAT: the ISP shares one public IPv4 address among many customers, so nothing inbound reaches your
 * router. Seen directly as a WAN address in 100.64.0.0/10 (RFC 6598), or as a public WAN address that is not the
 * address plex.tv sees (another NAT beyond the router rewrites it).
 */
import {
  egressMismatch,
  EXPLAINED_BY_UPSTREAM_NAT,
  passOrSuspectUpstreamNat,
  unroutablePublished,
} from '../outside-facts.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import {
  routerAttribution,
  routerWan,
  seesServersRouter,
  serverPublicAddress,
  thisMachinePublicAddress,
  vantage,
} from '../facts.js';

export default defineBuiltinRule({
  id: 'cgnat',
  meta: {
    severity: 'error',
    category: 'network',
    title: 'Your ISP gives you a public IPv4 address (no carrier-grade NAT)',
    hop: 'upstream-nat',
    requires: [],
    uses: [
      'probe.outside',
      'probe.upnp',
      'probe.natpmp',
      'probe.host',
      'plextv.publicIp',
      'server.account',
      'plextv.resources',
      'declared.remoteAccess',
      'server.root',
    ],
    explains: [...EXPLAINED_BY_UPSTREAM_NAT],
    messages: {
      suspected:
        'Your ISP may share one public address between customers (carrier-grade NAT): no forward can reach you.',
      sharedAddressSpace:
        "Your router's WAN address {{wan}} is in 100.64.0.0/10, the range ISPs use for carrier-grade NAT: connections from the internet cannot reach your router at all.",
      wanDiffersFromPublic:
        "Your router's WAN address is {{wan}}, but plex.tv sees your connections come from {{public}}: a NAT beyond your router (typically the ISP's carrier-grade NAT) rewrites them, so forwards to {{wan}} never see internet traffic.",
    },
    fixes: {
      askIsp:
        'Ask your ISP for a public IPv4 address (often sold as "public IP", "static IP" or "opt out of CGNAT"). Otherwise reach the server another way: IPv6 (Settings → Network → Enable IPv6, if your ISP gives you IPv6), a tunnel or reverse proxy on a VPS whose URL you add to Custom server access URLs (customConnections), or accept the bandwidth-limited Relay.',
    },
  },
  evaluate(ctx) {
    // Plex's connect-back passes this check unless the rule still finds its cause (a finding outranks the pass).
    // plex.tv seeing the server at another address than this machine on its LAN: an ISP NAT pool can do that.
    const mismatch = egressMismatch(ctx);
    passOrSuspectUpstreamNat(
      ctx,
      {
        kind: 'router-page',
        text: "your router's status page: a WAN (Internet) address in 100.64.0.0–100.127.255.255, or one that differs from what https://ifconfig.me shows, means CGNAT (a reflector outside, --reflector URL, then shows whether any forward gets in at all)",
      },
      mismatch ? [mismatch] : [],
    );
    // A "public" address in shared space on the Remote Access page (plex.tv or /myplex/account) is CGNAT evidence on
    // its own, from any vantage: no router answer needed.
    const published = unroutablePublished(ctx);
    if (published?.kind === 'cgnat') {
      ctx.report({
        messageId: 'sharedAddressSpace',
        data: { wan: published.address },
        evidence: [published.evidence],
        confidence: 'medium',
        fix: { fixId: 'askIsp' },
      });
      return;
    }
    if (vantage(ctx) === 'elsewhere') return;
    const wan = routerWan(ctx);
    if (wan.status !== 'ok' || !wan.address) return;
    const routerEvidence = {
      source: `router (${wan.source})`,
      observed: `WAN address ${wan.address} (${wan.addressClass})`,
      expected: 'a public address',
    };
    if (wan.addressClass === 'cgnat') {
      ctx.report({
        messageId: 'sharedAddressSpace',
        data: { wan: wan.address },
        evidence: [routerEvidence],
        confidence: routerAttribution(ctx) === 'confirmed' ? 'high' : 'medium',
        fix: { fixId: 'askIsp' },
      });
      return;
    }
    if (wan.addressClass !== 'public' || !seesServersRouter(ctx)) return;
    // Compare with what plex.tv sees of *this* machine, on the router's LAN. When this host routes through a VPN that
    // address is the VPN's; the vpn-on-server rule speaks to that instead.
    if (ctx.get('probe.host')?.vpn.active) return;
    const seen = thisMachinePublicAddress(ctx);
    if (!seen || seen.address === wan.address) return;
    const server = serverPublicAddress(ctx);
    // The server egressing differently from this machine is a VPN/proxy on the server, not CGNAT.
    if (server && server.address !== seen.address) return;
    ctx.report({
      messageId: 'wanDiffersFromPublic',
      data: { wan: wan.address, public: seen.address },
      evidence: [
        routerEvidence,
        { source: seen.source, observed: `plex.tv sees this network as ${seen.address}`, expected: wan.address },
      ],
      confidence: 'medium',
      fix: { fixId: 'askIsp' },
    });
  },
});
