/**
 * What the probes of advertised connections found, in the terms the LAN/TLS/custom-URL/relay rules ask about: which
 * probed entry belongs to a URI, what address a connection makes a client dial, and how (if at all) a probe failed.
 * Pure functions of the snapshot.
 */
import type { ProbedConnection } from '../collect/values/connections.js';
import type { ObservationReader } from '../collect/define-collector.js';
import { classifyConnection } from '../clients/plextv/connections.js';
import { containerNetworkOf, classifyAddress, isIpAddress } from '../core/net/address.js';
import { parsePlexDirectName } from '../core/net/plex-direct.js';
import { classifyFailure, type ClassifiedFailure } from './observation-failure.js';

/** A URI in a comparable form: scheme and host lower-cased, default ports and trailing slashes dropped. */
export function comparableUri(uri: string): string {
  const trimmed = uri.trim();
  try {
    return new URL(trimmed).href.replace(/\/+$/, '');
  } catch {
    return trimmed.replace(/\/+$/, '');
  }
}

/** Every connection the probe collector tried (plex.tv's list plus customConnections entries). */
export function probedConnections(ctx: ObservationReader): ProbedConnection[] {
  return ctx.get('probe.connections')?.connections ?? [];
}

// One index per reader (a rule's context lives for one evaluation; weakly held), rebuilt if the list it was made
// from changes: rules look up every connection, and a linear scan parsing every URI again made analysis quadratic.
const indexes = new WeakMap<
  ObservationReader,
  { list: readonly ProbedConnection[]; byUri: Map<string, ProbedConnection> }
>();

/** The probed entry for a URI (plex.tv's form or a customConnections entry), if it was probed. */
export function probedFor(ctx: ObservationReader, uri: string): ProbedConnection | undefined {
  const list = probedConnections(ctx);
  let index = indexes.get(ctx);
  if (index?.list !== list) {
    const byUri = new Map<string, ProbedConnection>();
    // The first entry wins, as a linear search would have it.
    for (const connection of list)
      if (!byUri.has(comparableUri(connection.uri))) byUri.set(comparableUri(connection.uri), connection);
    index = { list, byUri };
    indexes.set(ctx, index);
  }
  return index.byUri.get(comparableUri(uri));
}

/** The IP a client dials for a connection: the plex.direct-encoded address, the URI's IP host, else `address`. */
export function dialledAddress(connection: { uri: string; address: string; local?: boolean; relay?: boolean }): string {
  const classified = classifyConnection({
    uri: connection.uri,
    address: connection.address,
    local: connection.local ?? false,
    relay: connection.relay ?? false,
  });
  if (classified.plexDirect) return classified.plexDirect.address;
  return isIpAddress(classified.host) ? classified.host : connection.address;
}

/** The host of a URL with brackets removed, a plex.direct name decoded to its address; undefined when it is no URL. */
export function urlHostAddress(url: string): string | undefined {
  try {
    const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    return parsePlexDirectName(host)?.address ?? host;
  } catch {
    return undefined;
  }
}

/** A private LAN address that is not in a container runtime's default range: what LAN devices can dial. */
export function isLanAddress(address: string | undefined): address is string {
  return !!address && classifyAddress(address) === 'private' && !containerNetworkOf(address);
}

export interface ConnectionFailure {
  /** Which probe failed: the TCP handshake or the HTTP(S) `/identity` request. */
  step: 'tcp' | 'identity';
  phase?: string;
  code: string;
  message: string;
  classified: ClassifiedFailure;
}

/** The first failure of a probed connection (TCP before /identity), or undefined when both answered or it was not probed. */
export function connectionFailure(connection: ProbedConnection | undefined): ConnectionFailure | undefined {
  if (!connection) return undefined;
  for (const step of ['tcp', 'identity'] as const) {
    const result = connection[step];
    if (result?.status === 'failed') {
      const { phase, code, message } = result.error;
      return { step, phase, code, message, classified: classifyFailure({ code, phase, message }) };
    }
  }
  return undefined;
}

/**
 * True when this server answered on the connection: /identity came back with its machineIdentifier (or, when the
 * identity was not checked, at least the TCP handshake completed). Another Plex server answering does not count.
 */
export function reachedThisServer(connection: ProbedConnection | undefined): boolean {
  const identity = connection?.identity;
  if (identity?.status === 'ok')
    return identity.value.bodyKind === 'plex-identity' && identity.value.identityMatches !== false;
  return identity === undefined && connection?.tcp?.status === 'ok';
}

/** "TCP 172.18.0.3:32400: ETIMEDOUT (phase timeout)" for evidence. */
export function describeConnectionFailure(connection: ProbedConnection, failure: ConnectionFailure): string {
  const address = dialledAddress(connection);
  const what =
    failure.step === 'tcp'
      ? `TCP ${address.includes(':') ? `[${address}]` : address}:${connection.port}`
      : `GET ${connection.uri}/identity`;
  return `${what}: ${failure.code}${failure.phase ? ` (phase ${failure.phase})` : ''}`;
}
