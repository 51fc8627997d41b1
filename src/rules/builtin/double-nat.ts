/**
 * A second router (usually the ISP's modem-router) in front of yours: your router's WAN address is private, so a
 * forward on it never sees internet traffic. Read from the router itself (UPnP / NAT-PMP), or from Plex's own
 * `doublenat` mapping error. miniupnpd refuses to report a private or shared WAN address at all
 * (docs/reference/netlab.md): an empty answer means "not public", without saying which kind.
 */
import { EXPLAINED_BY_UPSTREAM_NAT, passOrSuspectUpstreamNat, unroutablePublished } from '../outside-facts.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import { mappingState, publicPort, routerAttribution, routerWan, vantage } from '../facts.js';

export default defineBuiltinRule({
  id: 'double-nat',
  meta: {
    severity: 'error',
    category: 'network',
    title: 'Your router has the public address (no second NAT in front of it)',
    hop: 'upstream-nat',
    requires: [],
    uses: [
      'probe.outside',
      'probe.upnp',
      'probe.natpmp',
      'probe.host',
      'server.account',
      'server.root',
      'server.prefs',
      'declared.remoteAccess',
      'plextv.resources',
    ],
    explains: [...EXPLAINED_BY_UPSTREAM_NAT],
    messages: {
      suspected:
        'A second router (an ISP modem-router in front of yours) may sit between your router and the internet.',
      privateWan:
        "Your router's WAN address is {{wan}}, a private address: another router or modem in front of it translates addresses too (double NAT), so a forward on your router alone is never reached from the internet.",
      wanNotPublic:
        "Your router reports no usable WAN address over {{source}} (routers do that when their own WAN address is private or shared): it sits behind another NAT, a modem-router or the ISP's carrier-grade NAT.",
      plexSaysDoubleNat: 'Plex itself reports double NAT (mappingError=doublenat).',
      publishedPrivate:
        "plex.tv records the server's public address as {{address}}, a private address: the server reaches the internet through another NAT that plex.tv sees from inside (a second router, or the ISP's), so a forward on your router alone is never reached.",
    },
    fixes: {
      bridgeOrForward:
        "Best: put the modem/ISP router in bridge (modem-only) mode so your router gets the public address. Otherwise, on the modem forward TCP {{port}} to your router's WAN address {{wan}} (or make {{wan}} its DMZ / exposed host), and keep your router's forward to the server.",
      findUpstream:
        "Find the device in front of your router (the modem's admin page, often http://192.168.0.1 or http://192.168.100.1) and put it in bridge mode, or forward TCP {{port}} on it to your router. If there is no such device, your ISP uses CGNAT: see cgnat.",
    },
  },
  evaluate(ctx) {
    // Plex's connect-back passes this check unless the rule still finds its cause (a finding outranks the pass).
    passOrSuspectUpstreamNat(ctx, {
      kind: 'command',
      text: 'traceroute -n 1.1.1.1 (tracert -d 1.1.1.1 on Windows): two private addresses (10.x, 172.16–31.x, 192.168.x) among the first hops mean two routers (a reflector outside, --reflector URL, then shows whether a forward gets in at all)',
    });
    // A private "public" address on the Remote Access page decides it from any vantage: no router answer needed.
    const published = unroutablePublished(ctx);
    if (published?.kind === 'private') {
      ctx.report({
        messageId: 'publishedPrivate',
        data: { address: published.address },
        evidence: [published.evidence],
        confidence: 'medium',
        fix: { fixId: 'findUpstream', data: { port: publicPort(ctx).port } },
      });
      return;
    }
    const where = vantage(ctx);
    // Router facts describe the server's router only when this run shares its LAN; without a host probe, say less.
    if (where === 'elsewhere') return;
    const wan = routerWan(ctx);
    const port = publicPort(ctx).port;
    const confidenceFromVantage = routerAttribution(ctx) === 'confirmed' ? 'high' : 'medium';
    if (wan.status === 'ok' && wan.addressClass === 'private') {
      ctx.report({
        messageId: 'privateWan',
        data: { wan: wan.address! },
        evidence: [
          {
            source: `router (${wan.source})`,
            observed: `WAN address ${wan.address} (private)`,
            expected: 'a public address',
          },
        ],
        confidence: confidenceFromVantage,
        fix: { fixId: 'bridgeOrForward', data: { wan: wan.address!, port } },
      });
      return;
    }
    if (wan.status === 'empty') {
      const upnp = ctx.get('probe.upnp');
      ctx.report({
        messageId: 'wanNotPublic',
        data: { source: wan.source! },
        evidence: [
          {
            source: `router (${wan.source})`,
            observed:
              wan.source === 'UPnP'
                ? `GetExternalIPAddress returned "" (connection status ${upnp?.status?.connectionStatus ?? 'unknown'})`
                : 'NAT-PMP: network failure (no external address)',
            expected: 'a public address',
          },
        ],
        confidence: 'medium',
        fix: { fixId: 'findUpstream', data: { port } },
      });
      return;
    }
    const mapping = mappingState(ctx);
    if (mapping?.error === 'doublenat') {
      ctx.report({
        messageId: 'plexSaysDoubleNat',
        evidence: [{ source: mapping.source, observed: 'mappingError=doublenat' }],
        confidence: 'medium',
        fix: { fixId: 'findUpstream', data: { port } },
      });
    }
  },
});
