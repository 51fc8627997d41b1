/**
 * IPv6 facts the IPv6 rules share: whether an upstream NAT (CGNAT, double NAT) keeps IPv4 out, which global IPv6
 * addresses the server's network has, what Plex's EnableIPv6 says, which IPv6 connections plex.tv publishes, and what
 * the router's IPv6 firewall (UPnP IGDv2) says. IPv6 has no NAT: a global address is reachable end to end unless a
 * firewall (the router's or the host's) drops it, which is why it gets past CGNAT. Pure functions of the snapshot.
 */
import type { Evidence } from '../core/finding.js';
import { isGlobalUnicastIpv6 } from '../core/net/address.js';
import type { ProbedConnection } from '../collect/values/connections.js';
import { dialledAddress, probedConnections } from './connection-facts.js';
import { mappingState, routerWan, serverPublicAddress, vantage, type FactsContext } from './facts.js';
import { classifyAddress } from '../core/net/address.js';

export interface UpstreamNat {
  kind: 'cgnat' | 'double-nat' | 'upstream-nat';
  evidence: Evidence[];
}

/**
 * The same evidence the cgnat and double-nat rules decide on (their findings cannot be read from here: rules see only
 * observations): a WAN address in shared or private space, an IGD that withholds it, a "public" address in shared
 * space, Plex's own `doublenat`. Router facts count only when this run shares the server's LAN.
 */
export function upstreamNat(ctx: FactsContext): UpstreamNat | undefined {
  const wan = routerWan(ctx);
  if (vantage(ctx) !== 'elsewhere') {
    const source = `router (${wan.source})`;
    if (wan.status === 'ok' && wan.addressClass === 'cgnat')
      return {
        kind: 'cgnat',
        evidence: [{ source, observed: `WAN address ${wan.address} (carrier-grade NAT range)` }],
      };
    if (wan.status === 'ok' && wan.addressClass === 'private')
      return { kind: 'double-nat', evidence: [{ source, observed: `WAN address ${wan.address} (private)` }] };
    if (wan.status === 'empty')
      return { kind: 'upstream-nat', evidence: [{ source, observed: 'no usable WAN address (behind another NAT)' }] };
  }
  const published = serverPublicAddress(ctx);
  if (published && classifyAddress(published.address) === 'cgnat')
    return {
      kind: 'cgnat',
      evidence: [{ source: published.source, observed: `public address ${published.address} (shared address space)` }],
    };
  const mapping = mappingState(ctx);
  if (mapping?.error === 'doublenat')
    return { kind: 'double-nat', evidence: [{ source: mapping.source, observed: 'mappingError=doublenat' }] };
  return undefined;
}

export interface NetworkIpv6 {
  /** Global unicast addresses seen (this host's, or the ones plex.tv publishes for the server). */
  addresses: string[];
  /** Whose they are: the server host itself, another machine on its LAN (so the LAN has IPv6), or plex.tv's list. */
  whose: 'server-host' | 'same-lan' | 'published';
  evidence: Evidence[];
}

/**
 * Whether the server's network has global IPv6: this host's global addresses when the run is on the server or its
 * LAN (one router, one prefix), else the IPv6 connections plex.tv publishes. `null` = known to have none (this host
 * looked and found only link-local / ULA); undefined = not known.
 */
export function networkIpv6(ctx: FactsContext): NetworkIpv6 | null | undefined {
  const published = publishedIpv6(ctx).map((c) => dialledAddress(c));
  const where = vantage(ctx);
  const host = ctx.get('probe.host');
  if (host && (where === 'server-host' || where === 'same-lan')) {
    const global = host.interfaces.flatMap((i) =>
      i.addresses.filter((a) => a.family === 6 && isGlobalUnicastIpv6(a.address)).map((a) => `${a.address}`),
    );
    if (global.length > 0)
      return {
        addresses: [...new Set(global)],
        whose: where,
        evidence: [
          {
            source: 'probe.host',
            observed: `${where === 'server-host' ? 'the server host' : 'this machine on the server LAN'} has global IPv6 ${global.join(', ')}`,
          },
        ],
      };
    if (published.length === 0) return null;
  }
  if (published.length > 0)
    return {
      addresses: [...new Set(published)],
      whose: 'published',
      evidence: [
        { source: 'plextv.resources', observed: `plex.tv lists IPv6 connection(s) to ${published.join(', ')}` },
      ],
    };
  return undefined;
}

/** The server's EnableIPv6 pref: true/false, or undefined when the prefs were not read (or the server lacks it). */
export function plexIpv6Enabled(ctx: FactsContext): boolean | undefined {
  return ctx.get('server.prefs')?.network.EnableIPv6;
}

export interface PublishedIpv6 {
  uri: string;
  address: string;
  port: number;
  local: boolean;
  relay: boolean;
}

/** Direct (non-relay) connections plex.tv lists for the server that dial a global IPv6 address. */
export function publishedIpv6(ctx: FactsContext): PublishedIpv6[] {
  const connections = ctx.get('plextv.resources')?.server?.connections ?? [];
  return connections.filter((c) => !c.relay && isGlobalUnicastIpv6(dialledAddress(c)));
}

/** The probes of those connections (probe.connections), in plex.tv's order. */
export function probedIpv6(ctx: FactsContext): ProbedConnection[] {
  return probedConnections(ctx).filter((c) => !c.relay && isGlobalUnicastIpv6(dialledAddress(c)));
}

export type RouterIpv6Firewall =
  | { state: 'blocked'; evidence: Evidence }
  | { state: 'filtering'; evidence: Evidence }
  | { state: 'open'; evidence: Evidence }
  | { state: 'unknown'; reason: string };

/** What the router's WANIPv6FirewallControl says about inbound IPv6 (read on the server's LAN only). */
export function routerIpv6Firewall(ctx: FactsContext): RouterIpv6Firewall {
  const upnp = ctx.get('probe.upnp');
  const firewall = upnp?.ipv6Firewall;
  if (vantage(ctx) === 'elsewhere') return { state: 'unknown', reason: 'this run is not on the server LAN' };
  if (!firewall) return { state: 'unknown', reason: upnp ? 'the IGD was not asked' : 'no UPnP answer' };
  if (!firewall.offered)
    return { state: 'unknown', reason: 'the router offers no WANIPv6FirewallControl service (UPnP IGDv2)' };
  const source = 'router (UPnP WANIPv6FirewallControl)';
  const said = `FirewallEnabled=${String(firewall.firewallEnabled)}, InboundPinholeAllowed=${String(firewall.inboundPinholeAllowed)}`;
  if (firewall.firewallEnabled === false) return { state: 'open', evidence: { source, observed: said } };
  if (firewall.firewallEnabled === true && firewall.inboundPinholeAllowed === false)
    return { state: 'blocked', evidence: { source, observed: said, expected: 'InboundPinholeAllowed=true' } };
  if (firewall.firewallEnabled === true) return { state: 'filtering', evidence: { source, observed: said } };
  return { state: 'unknown', reason: firewall.error ?? 'the router did not say whether it filters inbound IPv6' };
}

/** `[2a00:…]` for text: an IPv6 address in a URL or beside a port needs brackets. */
export function bracketed(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
