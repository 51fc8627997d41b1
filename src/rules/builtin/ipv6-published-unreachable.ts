/**
 * plex.tv publishes an IPv6 connection for the server (`IPv6: true`, a global address; requested with includeIPv6=1,
 * docs/reference/plex-api.md §5.1) and nothing answers there. Apps try it first on IPv6 networks, wait, and fall back.
 * From the server's host or its LAN the router's firewall is not in the way (no NAT, no hairpin: the address is on
 * the LAN), so a failure there means Plex does not listen on it or the host no longer has it; from elsewhere the
 * router's or the host's IPv6 firewall may drop it too.
 */
import {
  connectionFailure,
  describeConnectionFailure,
  dialledAddress,
  reachedThisServer,
} from '../connection-facts.js';
import { vantage } from '../facts.js';
import { bracketed, plexIpv6Enabled, probedIpv6, publishedIpv6 } from '../ipv6-facts.js';
import { isGlobalUnicastIpv6 } from '../../core/net/address.js';
import { defineBuiltinRule } from './define-builtin-rule.js';

export default defineBuiltinRule({
  id: 'ipv6-published-unreachable',
  meta: {
    severity: 'warning',
    category: 'network',
    title: 'The IPv6 connections plex.tv publishes for the server answer',
    requires: [],
    uses: ['plextv.resources', 'probe.connections', 'probe.host', 'server.prefs'],
    messages: {
      staleAddress:
        'plex.tv publishes {{address}} for the server, but the server host no longer has that address (it has {{current}}): the ISP changed your IPv6 prefix, and apps dial an address that is gone.',
      notListening:
        'plex.tv publishes {{address}} port {{port}} for the server, but nothing answers there even from the server LAN ({{failure}}): Plex does not listen on IPv6{{prefNote}}.',
      noAnswer:
        "plex.tv publishes {{address}} port {{port}} for the server, but it does not answer from here ({{failure}}): an IPv6 firewall (the router's or the server host's) drops it, or Plex does not listen on IPv6.",
    },
    fixes: {
      republish:
        'Restart Plex Media Server (or Settings → Remote Access → Retry) so it publishes its current IPv6 address; if your ISP changes the prefix often, ask it for a stable (static) prefix.',
      listenOnIpv6:
        'Plex Web → Settings → Network → tick "Enable server support for IPv6" and restart the server; check that nothing on the host (firewall, a bind address) keeps Plex off IPv6 port {{port}}.',
      openFirewall:
        "Allow inbound IPv6 TCP {{port}} to {{address}} on the router (IPv6 firewall / pinhole page) and in the server host's firewall (ip6tables / nftables / Windows Defender Firewall). Remote clients need IPv6 too.",
    },
  },
  evaluate(ctx) {
    const resources = ctx.get('plextv.resources');
    if (!resources?.server)
      return ctx.notChecked({
        reason: "plex.tv's list of the server's connections was not read",
        howToCheck: 'give a token, so plex.tv lists the connections it publishes',
      });
    const published = publishedIpv6(ctx);
    if (published.length === 0)
      return ctx.pass({
        evidence: [{ source: 'plextv.resources', observed: 'plex.tv lists no IPv6 connection for the server' }],
      });
    const probed = probedIpv6(ctx);
    if (probed.length === 0)
      return ctx.notChecked({
        reason: `plex.tv lists IPv6 connection(s) (${published.map((c) => c.uri).join(', ')}), but they were not probed`,
        howToCheck:
          'run plex-diagnose with a token and plex.tv on (the published connections are then probed), or open the URI from a network with IPv6',
      });
    const answering = probed.filter((c) => reachedThisServer(c));
    const failing = probed.find((c) => !reachedThisServer(c) && connectionFailure(c));
    if (!failing) {
      if (answering.length > 0)
        return ctx.pass({
          evidence: answering.map((c) => ({
            source: 'probe.connections',
            observed: `${c.uri} answered as this server`,
          })),
        });
      return ctx.notChecked({ reason: 'the IPv6 connections were probed without a clear answer' });
    }
    const failure = connectionFailure(failing)!;
    const address = dialledAddress(failing);
    const where = vantage(ctx);
    const host = ctx.get('probe.host');
    const hostGlobal = (host?.interfaces ?? []).flatMap((i) =>
      i.addresses.filter((a) => a.family === 6 && isGlobalUnicastIpv6(a.address)).map((a) => a.address),
    );
    // A probe from a machine without IPv6 proves nothing about the server.
    if (failure.classified.kind === 'no-route' && (where !== 'server-host' || hostGlobal.length === 0))
      return ctx.notChecked({
        reason: `this machine has no route to ${address} (${failure.code}): it cannot test IPv6`,
        howToCheck: `open https://${bracketed(address)}:${failing.port}/identity from a network with IPv6 (a phone on mobile data)`,
      });
    const evidence = [
      { source: 'plextv.resources', observed: `published ${failing.uri}` },
      {
        source: 'probe.connections',
        observed: describeConnectionFailure(failing, failure),
        expected: 'this server answers',
      },
    ];
    const data = { address, port: failing.port, failure: failure.code };
    const fixData = { address: bracketed(address), port: failing.port };
    if (where === 'server-host' && hostGlobal.length > 0 && !hostGlobal.includes(address)) {
      ctx.report({
        messageId: 'staleAddress',
        data: { address, current: hostGlobal.join(', ') },
        evidence: [
          ...evidence,
          { source: 'probe.host', observed: `global IPv6 on this host: ${hostGlobal.join(', ')}` },
        ],
        confidence: 'high',
        fix: { fixId: 'republish' },
      });
      return;
    }
    if (where === 'server-host' || where === 'same-lan') {
      const enabled = plexIpv6Enabled(ctx);
      ctx.report({
        messageId: 'notListening',
        data: { ...data, prefNote: enabled === false ? ' (EnableIPv6=0)' : '' },
        evidence: [
          ...evidence,
          ...(enabled === undefined ? [] : [{ source: 'server.prefs', observed: `EnableIPv6=${enabled ? 1 : 0}` }]),
        ],
        confidence: failure.classified.kind === 'refused' || enabled === false ? 'high' : 'medium',
        fix: { fixId: 'listenOnIpv6', data: fixData },
      });
      return;
    }
    ctx.report({
      messageId: 'noAnswer',
      data,
      evidence,
      confidence: 'medium',
      fix: { fixId: 'openFirewall', data: fixData },
    });
  },
});
