/**
 * IPv6 as the way past CGNAT or double NAT: IPv6 has no NAT, so a server with a global IPv6 address is reachable end
 * to end where no IPv4 forward can ever reach it. It needs three things: a global address (the ISP routes a prefix to
 * the home), Plex listening on IPv6 (EnableIPv6, "Enable server support for IPv6", docs/reference/plex-api.md §4), and
 * the router's IPv6 firewall letting TCP to Plex's port in. And the remote client needs IPv6 too: an IPv4-only
 * network (many offices, hotels, some mobile carriers) still cannot reach it.
 */
import { remoteState } from '../outside-facts.js';
import { routerWan, serverLanEndpoint, vantage } from '../facts.js';
import {
  bracketed,
  networkIpv6,
  plexIpv6Enabled,
  routerIpv6Firewall,
  upstreamNat,
  type UpstreamNat,
} from '../ipv6-facts.js';
import { defineBuiltinRule } from './define-builtin-rule.js';

const NAT_NAMES: Record<UpstreamNat['kind'], string> = {
  cgnat: "your ISP's carrier-grade NAT",
  'double-nat': 'a second router in front of yours (double NAT)',
  'upstream-nat': 'another NAT in front of your router (CGNAT or double NAT)',
};

export default defineBuiltinRule({
  id: 'ipv6-bypasses-cgnat',
  meta: {
    severity: 'warning',
    category: 'network',
    title: 'Where IPv4 is stuck behind CGNAT or double NAT, IPv6 is used to get past it',
    requires: [],
    uses: [
      'probe.outside',
      'probe.host',
      'server.prefs',
      'plextv.resources',
      'probe.upnp',
      'probe.natpmp',
      'server.account',
      'server.root',
      'declared.remoteAccess',
    ],
    messages: {
      plexIpv6Off:
        'IPv4 cannot get in ({{nat}}), but your network has global IPv6 ({{address}}) and Plex has IPv6 turned off (EnableIPv6=0): IPv6 has no NAT, so turning it on can give you direct remote access without a public IPv4 address.',
      routerBlocksIpv6:
        'IPv4 cannot get in ({{nat}}), and IPv6 would (global address {{address}}), but your router blocks inbound IPv6 and lets nobody open a pinhole (InboundPinholeAllowed=0).',
      routerMayBlockIpv6:
        "Your router filters inbound IPv6: unless you opened TCP {{port}} to {{address}}, IPv6 clients can't reach the server either.",
      plexIpv6Unknown:
        'IPv4 cannot get in ({{nat}}), but your network has global IPv6 ({{address}}): IPv6 may be the way in, if Plex has it on.',
    },
    fixes: {
      enableIpv6:
        'Plex Web → Settings → Network → tick "Enable server support for IPv6" (EnableIPv6) and save; restart the server if it does not list an IPv6 connection afterwards. Then, on the router, allow inbound IPv6 TCP {{port}} to {{address}} (the IPv6 firewall or "pinhole" page; many routers block all inbound IPv6 by default). Remote clients need IPv6 too: a phone on mobile data usually has it, many office, hotel and older home networks do not; they keep falling back to the Relay.',
      openPinhole:
        'On the router, allow inbound IPv6 TCP {{port}} to {{address}} (IPv6 firewall / "pinhole" / "exposed host" page; on some routers first turn on "allow inbound IPv6 rules" or UPnP IPv6 pinholes, e.g. miniupnpd ipv6_disable=no). Remote clients need IPv6 too.',
    },
  },
  evaluate(ctx) {
    const nat = upstreamNat(ctx);
    if (!nat) {
      const wan = routerWan(ctx);
      const remote = remoteState(ctx);
      if ('works' in remote) return ctx.pass({ evidence: [remote.works] });
      if (vantage(ctx) !== 'elsewhere' && wan.status === 'ok' && wan.addressClass === 'public')
        return ctx.pass({
          evidence: [
            {
              source: `router (${wan.source})`,
              observed: `public WAN address ${wan.address}: IPv4 forwards work, no IPv6 needed`,
            },
          ],
        });
      return ctx.notChecked({
        reason: 'whether CGNAT or double NAT keeps IPv4 out is not known',
        howToCheck: "run on the server's LAN with UPnP or NAT-PMP on the router, so its WAN address can be read",
      });
    }
    const ipv6 = networkIpv6(ctx);
    if (ipv6 === null)
      return ctx.pass({
        evidence: [
          ...nat.evidence,
          {
            source: 'probe.host',
            observed: 'no global IPv6 address on this network (only link-local or ULA): IPv6 is no way in here',
          },
        ],
      });
    const port = serverLanEndpoint(ctx).port;
    const enabled = plexIpv6Enabled(ctx);
    if (!ipv6) {
      return ctx.notChecked({
        reason: 'whether the server has a global IPv6 address is not known',
        howToCheck:
          'run plex-diagnose on the server itself (its interfaces are read), or check https://test-ipv6.com from it',
      });
    }
    const address = ipv6.addresses[0]!;
    const data = { nat: NAT_NAMES[nat.kind], address, port };
    const fixData = { address: bracketed(address), port };
    const evidence = [...nat.evidence, ...ipv6.evidence];
    // plex.tv lists IPv6 connections only when the server publishes them, i.e. IPv6 is on whatever the prefs said.
    if (enabled === false && ipv6.whose !== 'published') {
      ctx.report({
        messageId: 'plexIpv6Off',
        data,
        evidence: [...evidence, { source: 'server.prefs', observed: 'EnableIPv6=0', expected: 'EnableIPv6=1' }],
        confidence: ipv6.whose === 'server-host' ? 'high' : 'medium',
        fix: { fixId: 'enableIpv6', data: fixData },
      });
      return;
    }
    if (enabled === undefined && ipv6.whose !== 'published') {
      ctx.notChecked({
        reason: "Plex's EnableIPv6 setting was not read",
        howToCheck: 'give a token, so the server prefs (/:/prefs) are read',
      });
      ctx.suspect({
        messageId: 'plexIpv6Unknown',
        data,
        for: evidence,
        nextStep: {
          kind: 'question',
          text: 'Plex Web → Settings → Network: is "Enable server support for IPv6" ticked?',
        },
        likelihood: 'medium',
      });
      return;
    }
    const firewall = routerIpv6Firewall(ctx);
    const on = { source: 'server.prefs', observed: enabled ? 'EnableIPv6=1' : 'plex.tv lists IPv6 connections' };
    if (firewall.state === 'blocked') {
      ctx.report({
        messageId: 'routerBlocksIpv6',
        data,
        evidence: [...evidence, on, firewall.evidence],
        confidence: 'high',
        fix: { fixId: 'openPinhole', data: fixData },
      });
      return;
    }
    if (firewall.state === 'open') return ctx.pass({ evidence: [...ipv6.evidence, on, firewall.evidence] });
    ctx.notChecked({
      reason: `Plex has IPv6 on, but whether the router lets inbound IPv6 in is not known (${firewall.state === 'filtering' ? 'it filters inbound IPv6' : firewall.reason})`,
      howToCheck: `from a phone on mobile data (Wi-Fi off) open https://${bracketed(address)}:${port}/identity, or look at the router's IPv6 firewall page for an inbound rule to TCP ${port}`,
    });
    if (firewall.state === 'filtering')
      ctx.suspect({
        messageId: 'routerMayBlockIpv6',
        data,
        for: [...evidence, on, firewall.evidence],
        nextStep: {
          kind: 'router-page',
          text: `the router's IPv6 firewall page: an inbound rule for TCP ${port} to ${address}`,
        },
        likelihood: 'medium',
      });
  },
});
