/**
 * The network around a scenario's server, as a small model: which (address, port) pairs lead to the server, from the
 * LAN and from the internet. Everything that ends at the server is then really dialled (the fake on loopback); the
 * rest ends where a real network would end it: a router that refuses, an ISP or a second NAT that drops.
 */
import { classifyAddress } from '../../core/net/address.js';
import { HOME } from '../observations.js';
import type { ScenarioDefinition, ScenarioForward } from './define.js';

/** Where a connection attempt ends. */
export type Reach = { kind: 'server' } | { kind: 'refused' } | { kind: 'timeout' } | { kind: 'no-name' };

/** The public port Plex uses unless told otherwise; automatic mappings ask for it too. */
export const DEFAULT_PUBLIC_PORT = 32400;
export const NATPMP_PORT = 5351;

export interface ResolvedForward {
  externalPort: number;
  internalClient: string;
  internalPort: number;
  description: string;
}

export interface NetworkModel {
  /** The server's LAN address and the port Plex listens on (what the fake really listens on). */
  readonly lan: { address: string; port: number };
  /** The address Plex itself reports as private (the container's own address in a bridge network). */
  readonly privateAddress: string;
  /** The router's WAN address; '' when its IGD will not say. */
  readonly routerWan: string;
  /** The address plex.tv sees this network (and the server, unless a VPN carries it) connect from. */
  readonly publicAddress: string;
  /** The address plex.tv sees the server at: the VPN's exit when there is one. */
  readonly serverSeenAt: string;
  /** The address of the machine plex-diagnose runs on. */
  readonly vantageAddress: string;
  /** Resolves a name like the LAN's resolver does for non-plex.direct names. */
  resolveName(name: string): string | undefined;
  /** Where a TCP connection from the vantage machine to address:port ends. */
  reachFromLan(address: string, port: number): Reach;
  /** Where plex.tv's connection to the server's public address on `port` ends. */
  reachFromInternet(port: number): Reach;
}

/** A machine on the same LAN as the server (the `lan` vantage). */
export const LAN_LAPTOP = '192.168.1.23';

/**
 * @param serverPort the port the fake server listens on (32400 when it could bind it)
 * @param forwards the router's current forwards (live: automatic mappings appear once Plex made them)
 */
export function createNetworkModel(
  scenario: ScenarioDefinition,
  serverPort: number,
  forwards: () => ResolvedForward[],
): NetworkModel {
  const network = scenario.network ?? {};
  const router = network.router ?? {};
  const lan = { address: HOME.server, port: serverPort };
  const routerWan = router.wan ?? HOME.wan;
  const publicAddress = network.publicAddress ?? HOME.wan;
  const serverSeenAt = network.vpn?.exitAddress ?? publicAddress;
  const container = network.container?.address;
  const vantageAddress = network.vantage === 'lan' ? LAN_LAPTOP : HOME.server;
  const natLoopback = router.natLoopback ?? true;
  // Only a router that holds the public address itself receives what the internet sends to it.
  const routerIsPublicEdge = routerWan !== '' && classifyAddress(routerWan) === 'public' && routerWan === publicAddress;

  const forwardLeadsToServer = (externalPort: number): boolean =>
    forwards().some(
      (f) => f.externalPort === externalPort && f.internalClient === lan.address && f.internalPort === lan.port,
    );

  return {
    lan,
    privateAddress: container ?? HOME.server,
    routerWan,
    publicAddress,
    serverSeenAt,
    vantageAddress,
    resolveName: (name) => network.names?.[name.toLowerCase()],
    reachFromLan(address, port) {
      if (address === lan.address) return port === lan.port ? { kind: 'server' } : { kind: 'refused' };
      if (container && address === container) {
        // Only the container's host routes to its bridge; for the rest of the LAN the packets go to the router and die.
        if (network.vantage === 'lan') return { kind: 'timeout' };
        return port === lan.port ? { kind: 'server' } : { kind: 'refused' };
      }
      if (network.vpn && address === network.vpn.exitAddress) return { kind: 'timeout' };
      if (address === routerWan && routerIsPublicEdge) {
        if (!natLoopback) return { kind: 'timeout' };
        return forwardLeadsToServer(port) ? { kind: 'server' } : { kind: 'refused' };
      }
      // Anything else (the public address of a NAT in front of the router, an unknown host) drops the attempt.
      return { kind: 'timeout' };
    },
    reachFromInternet(port) {
      if (network.vpn) return { kind: 'timeout' }; // the VPN provider forwards nothing to the server
      if (!routerIsPublicEdge) return { kind: 'timeout' }; // a second NAT or CGNAT in front of the router
      if ((network.ispBlockedPorts ?? []).includes(port)) return { kind: 'timeout' };
      return forwardLeadsToServer(port) ? { kind: 'server' } : { kind: 'timeout' };
    },
  };
}

/** Static forwards of a scenario with their defaults filled in. */
export function resolveForwards(
  forwards: readonly ScenarioForward[] | undefined,
  serverPort: number,
): ResolvedForward[] {
  return (forwards ?? []).map((f) => ({
    externalPort: f.externalPort,
    internalClient: f.internalClient ?? HOME.server,
    internalPort: f.internalPort ?? serverPort,
    description: f.description ?? 'Plex Media Server',
  }));
}
