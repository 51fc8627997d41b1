/**
 * Evidence for `container-address-advertised`: which local connections carry a container runtime's address, and what
 * this run saw that says LAN devices can (or cannot) use them. Kept apart from the rule so the rule file reads as
 * "when" and "what to say".
 */
import type { ProbedConnection } from '../collect/values/connections.js';
import type { Evidence } from './types.js';
import { classifyAddress, containerNetworkOf, isInCidr, type ContainerNetwork } from '../core/net/address.js';
import type { HostInfo } from '../probes/host/index.js';
import {
  connectionFailure,
  describeConnectionFailure,
  dialledAddress,
  isLanAddress,
  probedConnections,
  probedFor,
  reachedThisServer,
  urlHostAddress,
} from './connection-facts.js';
import { targetEndpoint, vantage, type FactsContext, type Vantage } from './facts.js';

export const RUNTIME_LABELS: Record<ContainerNetwork, string> = {
  docker: 'Docker bridge network',
  'home-assistant': 'Home Assistant add-on network',
  kubernetes: 'Kubernetes/k3s pod network',
  podman: 'Podman network',
};

/** How to give the container the host's network, per runtime. */
export const HOST_NETWORKING: Record<ContainerNetwork, string> = {
  docker: '`docker run --network host`, or `network_mode: host` in docker-compose',
  podman: '`podman run --network host`',
  kubernetes: '`hostNetwork: true` in the pod spec',
  'home-assistant': 'not offered by most Plex add-ons, so publish the LAN address instead',
};

export interface LocalConnection {
  uri: string;
  /** The address a client dials for it. */
  address: string;
  network?: ContainerNetwork;
  probed?: ProbedConnection;
}

/** The server's local (non-relay) connections, from plex.tv's record, else from what the probe collector listed. */
export function advertisedLocalConnections(ctx: FactsContext): LocalConnection[] {
  const listed =
    ctx.get('plextv.resources')?.server?.connections ?? probedConnections(ctx).filter((c) => c.source === 'plex.tv');
  return listed
    .filter((c) => c.local && !c.relay)
    .map((c) => {
      const address = dialledAddress(c);
      const network = containerNetworkOf(address);
      const probed = probedFor(ctx, c.uri);
      return { uri: c.uri, address, ...(network ? { network } : {}), ...(probed ? { probed } : {}) };
    });
}

/** LAN-usable addresses the server also offers: other local connections, or custom URLs on a LAN address. */
export function otherLanAddresses(ctx: FactsContext, local: LocalConnection[]): string[] {
  const fromLocal = local
    .filter((c) => !c.network && (classifyAddress(c.address) === 'private' || classifyAddress(c.address) === 'public'))
    .map((c) => c.address);
  const fromCustom = (ctx.get('plextv.resources')?.server?.connections ?? [])
    .filter((c) => !c.relay)
    .map((c) => urlHostAddress(c.uri))
    .filter(isLanAddress);
  return [...new Set([...fromLocal, ...fromCustom])];
}

/** A customConnections entry that already publishes a LAN address (what ADVERTISE_IP writes). */
export function publishedLanUrl(ctx: FactsContext): string | undefined {
  return ctx.get('server.prefs')?.network.customConnections?.find((entry) => isLanAddress(urlHostAddress(entry)));
}

interface HostAddressSeen {
  address: string;
  cidr?: string;
  internal: boolean;
  interface: string;
}

function hostAddresses(host: HostInfo | undefined): HostAddressSeen[] {
  return (
    host?.interfaces.flatMap((i) =>
      i.addresses.map((a) => ({ address: a.address, cidr: a.cidr, internal: a.internal, interface: i.name })),
    ) ?? []
  );
}

export interface ContainerFindings {
  where: Vantage;
  /** Proof a LAN device cannot use it; `high` confidence. */
  direct: Evidence[];
  /** Signs it is not usable from the LAN; `medium`. */
  indirect: Evidence[];
  /** This run saw the address work from the LAN, or it is the host's own LAN address: not a container problem. */
  usableFromLan: boolean;
}

/** What this run saw about one container-range local connection. */
export function examineConnection(ctx: FactsContext, connection: LocalConnection): ContainerFindings {
  const where = vantage(ctx);
  const host = ctx.get('probe.host');
  const addresses = hostAddresses(host);
  const bridges = new Set(host?.bridges.map((b) => b.interface) ?? []);
  const inContainer = host?.container.inContainer ?? false;
  const direct: Evidence[] = [];
  const indirect: Evidence[] = [];
  const findings = { where, direct, indirect, usableFromLan: false };
  const failure = connectionFailure(connection.probed);
  // Only a failure to connect says LAN devices cannot reach the address; a TLS or HTTP failure after the TCP
  // handshake means the address answers (something else is wrong with it).
  const unreachable =
    failure && (failure.step === 'tcp' || connection.probed?.tcp?.status !== 'ok') ? failure : undefined;

  if (where === 'same-lan' && reachedThisServer(connection.probed)) return { ...findings, usableFromLan: true };
  if (
    where === 'server-host' &&
    !inContainer &&
    addresses.some((a) => a.address === connection.address && !bridges.has(a.interface))
  ) {
    return { ...findings, usableFromLan: true };
  }
  if ((where === 'same-lan' || where === 'server-host') && unreachable && connection.probed) {
    const from = where === 'same-lan' ? "this machine, on the server's LAN" : "the server's own host";
    direct.push({
      source: 'probe.connections',
      observed: `${describeConnectionFailure(connection.probed, unreachable)} from ${from}`,
      expected: 'a TCP connection',
    });
  }
  if (where === 'server-host' && !inContainer) {
    const bridge = addresses.find((a) => bridges.has(a.interface) && a.cidr && isInCidr(connection.address, a.cidr));
    const peer = host?.bridges.find((b) => b.address === connection.address);
    if (bridge)
      direct.push({
        source: 'probe.host',
        observed: `${connection.address} is on ${bridge.interface} (${bridge.cidr}), a container bridge of the server's host`,
      });
    else if (peer)
      direct.push({
        source: 'probe.host',
        observed: `${connection.address} is on ${peer.interface}, a container interface of the server's host`,
      });
  }
  if (where === 'server-host' && inContainer && addresses.some((a) => a.address === connection.address)) {
    direct.push({
      source: 'probe.host',
      observed: `this run is inside a container (${host?.container.evidence.join('; ') || 'container detected'}) whose own address is ${connection.address}`,
    });
  }
  if (where === 'same-lan' && !addresses.some((a) => !a.internal && a.cidr && isInCidr(connection.address, a.cidr))) {
    const own = addresses.filter((a) => !a.internal && a.cidr).map((a) => a.cidr);
    indirect.push({
      source: 'probe.host',
      observed: `${connection.address} is on none of this LAN machine's networks (${own.join(', ') || 'none listed'})`,
    });
  }
  return findings;
}

export interface LanAddress {
  address: string;
  port: number;
  /** Certain only when the URL the user gave is that LAN address (so it reaches this server there). */
  certain: boolean;
}

/** The host's LAN address to publish, with how sure we are of it. */
export function hostLanAddress(ctx: FactsContext, where: Vantage): LanAddress | undefined {
  const target = targetEndpoint(ctx);
  const targetAddress = target ? urlHostAddress(ctx.snapshot.target.url ?? '') : undefined;
  if (target && isLanAddress(targetAddress)) return { address: targetAddress, port: target.port, certain: true };
  const host = ctx.get('probe.host');
  if (where === 'server-host' && host && !host.container.inContainer) {
    const bridges = new Set(host.bridges.map((b) => b.interface));
    const lan = hostAddresses(host).find((a) => !a.internal && !bridges.has(a.interface) && isLanAddress(a.address));
    if (lan) return { address: lan.address, port: 32400, certain: false };
  }
  const privateAddress = ctx.get('server.account')?.privateAddress;
  if (isLanAddress(privateAddress)) return { address: privateAddress, port: 32400, certain: false };
  return undefined;
}

/** A container-range address the server reports of itself, and where it was read. */
export interface OwnContainerAddress {
  address: string;
  network: ContainerNetwork;
  evidence: Evidence[];
}

/**
 * The container address the server sees as its own, from what the server itself says: `/myplex/account`
 * `privateAddress` (the Remote Access page's "Private 172.17.0.2:32400", which Plex publishes as its local connection)
 * and, when this run is inside the server's container, the container's own interfaces. Undefined when neither shows one.
 */
export function ownContainerAddress(ctx: FactsContext): OwnContainerAddress | undefined {
  const evidence: Evidence[] = [];
  let found: { address: string; network: ContainerNetwork } | undefined;
  const privateAddress = ctx.get('server.account')?.privateAddress;
  const accountNetwork = privateAddress ? containerNetworkOf(privateAddress) : undefined;
  if (privateAddress && accountNetwork) {
    found = { address: privateAddress, network: accountNetwork };
    evidence.push({
      source: 'server.account',
      observed: `privateAddress=${privateAddress} (the Remote Access page's "Private ${privateAddress}"), a ${RUNTIME_LABELS[accountNetwork]} address`,
      expected: "the host's LAN address",
    });
  }
  const host = ctx.get('probe.host');
  if (vantage(ctx) === 'server-host' && host?.container.inContainer) {
    const own = hostAddresses(host).find(
      (a) => !a.internal && containerNetworkOf(a.address) && (!found || a.address === found.address),
    );
    const network = own ? containerNetworkOf(own.address) : undefined;
    if (own && network) {
      found ??= { address: own.address, network };
      evidence.push({
        source: 'probe.host',
        observed: `this run is inside the server's container (${host.container.evidence.join('; ') || 'container detected'}); its ${own.interface} is ${own.address}`,
      });
    }
  }
  return found ? { ...found, evidence } : undefined;
}

/** What the server says of itself that agrees with plex.tv listing this container address (raises confidence). */
export function corroboratingSources(ctx: FactsContext, address: string): Evidence[] {
  const own = ownContainerAddress(ctx);
  return own?.address === address ? own.evidence : [];
}

/**
 * Proof from the server's host that an address sits on a container bridge: run on the host (not inside a container),
 * the address is inside one of its bridge interfaces' networks. Undefined when this run cannot show it.
 */
export function hostBridgeProof(ctx: FactsContext, address: string): Evidence | undefined {
  const host = ctx.get('probe.host');
  if (vantage(ctx) !== 'server-host' || !host || host.container.inContainer) return undefined;
  const bridges = new Set(host.bridges.map((b) => b.interface));
  const bridge = hostAddresses(host).find((a) => bridges.has(a.interface) && a.cidr && isInCidr(address, a.cidr));
  if (!bridge) return undefined;
  return {
    source: 'probe.host',
    observed: `${address} is on ${bridge.interface} (${bridge.cidr}), a container bridge of the server's host`,
  };
}
