/**
 * Facts several rules derive from the same observations: where the server is on the LAN, which public port Plex
 * uses, what the router says its WAN address is, what plex.tv sees. One place, so rules agree with each other.
 * Pure functions of what was collected.
 */
import type { ObservationReader } from '../collect/define-collector.js';
import type { Snapshot } from '../core/snapshot.js';
import { classifyAddress, containerNetworkOf, isInCidr, type AddressClass } from '../core/net/address.js';
import type { IndexedPortMapping } from '../probes/upnp/schema.js';

export type FactsContext = ObservationReader & {
  readonly snapshot: Pick<Snapshot, 'target' | 'context' | 'createdAt'>;
};

export const DEFAULT_PLEX_PORT = 32400;

/** The target URL's host and port. */
export function targetEndpoint(ctx: FactsContext): { host: string; port: number } | undefined {
  const url = ctx.snapshot.target.url;
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return {
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80,
    };
  } catch {
    return undefined;
  }
}

export interface ServerLanEndpoint {
  /** The server's LAN address: what a forward must point at. */
  address?: string;
  /** Where we learned it. */
  source?: string;
  /** The port Plex listens on. */
  port: number;
}

/** Where the server is on the LAN, from the most direct evidence available. */
export function serverLanEndpoint(ctx: FactsContext): ServerLanEndpoint {
  const account = ctx.get('server.account');
  const target = targetEndpoint(ctx);
  const port =
    account?.privatePort ||
    (target && target.port !== 80 && target.port !== 443 ? target.port : undefined) ||
    DEFAULT_PLEX_PORT;
  // A container's bridge address is what the server sees of itself, not where the LAN reaches it.
  if (
    account?.privateAddress &&
    classifyAddress(account.privateAddress) === 'private' &&
    !containerNetworkOf(account.privateAddress)
  ) {
    return { address: account.privateAddress, source: 'server.account privateAddress', port };
  }
  const local = ctx
    .get('plextv.resources')
    ?.server?.connections.find(
      (c) => c.local && !c.relay && classifyAddress(c.address) === 'private' && !containerNetworkOf(c.address),
    );
  if (local) return { address: local.address, source: 'plex.tv local connection', port };
  if (target && classifyAddress(target.host) === 'private')
    return { address: target.host, source: 'the URL you gave', port };
  return { port };
}

export interface MappingState {
  state?: string;
  error?: string;
  message?: string;
  source: 'server.account' | 'server.root';
}

/** Plex's own verdict on remote access: /myplex/account, else the root's myPlexMapping* attributes. */
export function mappingState(ctx: FactsContext): MappingState | undefined {
  const account = ctx.get('server.account');
  if (account && (account.mappingState || account.mappingError)) {
    return {
      state: account.mappingState,
      error: account.mappingError,
      message: account.mappingErrorMessage,
      source: 'server.account',
    };
  }
  const root = ctx.get('server.root');
  if (root?.myPlexMappingState)
    return { state: root.myPlexMappingState, error: root.myPlexMappingError, source: 'server.root' };
  return undefined;
}

/** True when Plex says remote access does not work (failed state, or any mapping error). */
export function mappingFailed(mapping: MappingState | undefined): boolean {
  return !!mapping && (mapping.state === 'failed' || (!!mapping.error && mapping.error !== ''));
}

export function isUnreachableMapping(mapping: MappingState | undefined): boolean {
  return !!mapping && mapping.error === 'unreachable';
}

export interface PublicPort {
  port: number;
  /** manual: ManualPortMappingPort; automatic: what UPnP/NAT-PMP mapped; reported: what the server published; default. */
  source: 'manual' | 'automatic' | 'reported' | 'default';
}

/** The external port Plex tells plex.tv to test. */
export function publicPort(ctx: FactsContext): PublicPort {
  const network = ctx.get('server.prefs')?.network;
  if (network?.ManualPortMappingMode && network.ManualPortMappingPort)
    return { port: network.ManualPortMappingPort, source: 'manual' };
  const reported = ctx.get('server.account')?.publicPort;
  if (reported) return { port: reported, source: 'reported' };
  if (network?.LastAutomaticMappedPort) return { port: network.LastAutomaticMappedPort, source: 'automatic' };
  return { port: DEFAULT_PLEX_PORT, source: 'default' };
}

export interface RouterWan {
  /** The address, when the router reported one. */
  address?: string;
  addressClass?: AddressClass;
  /** 'empty': the IGD answered "" (miniupnpd does this when its own WAN is private/shared: it sits behind another NAT). */
  status: 'ok' | 'empty' | 'unknown';
  source?: 'UPnP' | 'NAT-PMP';
}

/** What the router itself says its WAN address is (UPnP first, then NAT-PMP). */
export function routerWan(ctx: FactsContext): RouterWan {
  const upnp = ctx.get('probe.upnp');
  if (upnp?.externalIpStatus === 'ok' && upnp.externalIp) {
    return { address: upnp.externalIp, addressClass: classifyAddress(upnp.externalIp), status: 'ok', source: 'UPnP' };
  }
  const natpmp = ctx.get('probe.natpmp');
  if (natpmp)
    return {
      address: natpmp.externalIp,
      addressClass: classifyAddress(natpmp.externalIp),
      status: 'ok',
      source: 'NAT-PMP',
    };
  if (upnp?.externalIpStatus === 'empty') return { status: 'empty', source: 'UPnP' };
  const natpmpObservation = ctx.observation('probe.natpmp');
  // NAT-PMP result code 3 (network failure) is how miniupnpd refuses a reserved WAN address.
  if (natpmpObservation?.status === 'failed' && natpmpObservation.error.code === 'ENATPMP_NETWORK_FAILURE') {
    return { status: 'empty', source: 'NAT-PMP' };
  }
  return { status: 'unknown' };
}

export interface PublicAddress {
  address: string;
  /** server: what plex.tv recorded for the server; this-machine: what plex.tv sees this diagnosing machine as. */
  source: 'server.account' | 'plextv.resources' | 'plextv.publicIp';
}

/** The address plex.tv sees the *server* connect from. */
export function serverPublicAddress(ctx: FactsContext): PublicAddress | undefined {
  const account = ctx.get('server.account');
  if (account?.publicAddress) return { address: account.publicAddress, source: 'server.account' };
  const device = ctx.get('plextv.resources')?.server;
  if (device?.publicAddress) return { address: device.publicAddress, source: 'plextv.resources' };
  return undefined;
}

/** The address plex.tv sees *this machine* connect from. */
export function thisMachinePublicAddress(ctx: FactsContext): PublicAddress | undefined {
  const ip = ctx.get('plextv.publicIp');
  return ip ? { address: ip.address, source: 'plextv.publicIp' } : undefined;
}

export type Vantage = 'server-host' | 'same-lan' | 'elsewhere' | 'unknown';

/**
 * Where this run looked from. Host facts (VPN route, container) describe the *server* only when we run on it; router
 * facts (UPnP, NAT-PMP) describe the server's router only when we share its LAN.
 */
export function vantage(ctx: FactsContext): Vantage {
  const target = targetEndpoint(ctx);
  const host = ctx.get('probe.host');
  if (!target || !host) return 'unknown';
  if (classifyAddress(target.host) === 'loopback' || target.host === 'localhost') return 'server-host';
  const addresses = host.interfaces.flatMap((i) => i.addresses);
  if (addresses.some((a) => a.address === target.host)) return 'server-host';
  if (addresses.some((a) => a.cidr && !a.internal && isInCidr(target.host, a.cidr))) return 'same-lan';
  return classifyAddress(target.host) === 'invalid' ? 'unknown' : 'elsewhere';
}

/**
 * Whether the router this run saw is the server's router. `confirmed`: the host's interfaces put this machine on the
 * server or its LAN. `inferred`: no host facts (a snapshot from elsewhere, a run without the host probe), but the
 * target is a private LAN address and the router that answered is on the target's /24, or no router answered at all
 * (a private target reached directly is most often the same LAN). Inferred evidence decides with lower confidence.
 */
export type RouterAttribution = 'confirmed' | 'inferred' | 'no';

export function routerAttribution(ctx: FactsContext): RouterAttribution {
  const where = vantage(ctx);
  if (where === 'server-host' || where === 'same-lan') return 'confirmed';
  if (where !== 'unknown' || ctx.get('probe.host')) return 'no';
  const target = targetEndpoint(ctx);
  if (!target || classifyAddress(target.host) !== 'private' || containerNetworkOf(target.host)) return 'no';
  const gateways = routerAddresses(ctx);
  if (gateways.length === 0) return 'inferred';
  return gateways.some((g) => sameSlash24(g, target.host)) ? 'inferred' : 'no';
}

/** Whether this machine shares a LAN with the server (confirmed or inferred), so its router is the server's router. */
export function seesServersRouter(ctx: FactsContext): boolean {
  return routerAttribution(ctx) !== 'no';
}

/** The addresses the router answered from: the IGD's SSDP source and description host, the NAT-PMP gateway. */
function routerAddresses(ctx: FactsContext): string[] {
  const upnp = ctx.get('probe.upnp');
  const natpmp = ctx.get('probe.natpmp');
  const addresses: string[] = [];
  if (upnp?.ssdpFrom) addresses.push(upnp.ssdpFrom);
  if (upnp?.location) {
    try {
      addresses.push(new URL(upnp.location).hostname);
    } catch {
      // an unparsable LOCATION names no address
    }
  }
  if (natpmp?.gateway) addresses.push(natpmp.gateway);
  return addresses;
}

function sameSlash24(a: string, b: string): boolean {
  if (classifyAddress(a) !== 'private' || classifyAddress(b) !== 'private') return false;
  return isInCidr(a, `${b}/24`);
}

/** TCP mappings on the router for an external port. */
export function routerMappingsFor(ctx: FactsContext, externalPort: number): IndexedPortMapping[] {
  return (ctx.get('probe.upnp')?.mappings ?? []).filter(
    (m) => m.externalPort === externalPort && m.protocol.toUpperCase() === 'TCP',
  );
}

/** Port mappings that point at the server (its LAN address and Plex port). */
export function routerMappingsToServer(ctx: FactsContext, server: ServerLanEndpoint): IndexedPortMapping[] {
  if (!server.address) return [];
  return (ctx.get('probe.upnp')?.mappings ?? []).filter(
    (m) => m.internalClient === server.address && m.internalPort === server.port && m.protocol.toUpperCase() === 'TCP',
  );
}

/**
 * A deterministic, uncommon external port to suggest instead of a blocked one (rules are pure: no randomness). Derived
 * from the machineIdentifier so the same server always gets the same suggestion, in 40000-60999.
 */
export function suggestedAlternatePort(ctx: FactsContext): number {
  const id = ctx.get('server.identity')?.machineIdentifier ?? ctx.snapshot.target.machineIdentifier ?? 'plex';
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return 40000 + (hash % 21000);
}
