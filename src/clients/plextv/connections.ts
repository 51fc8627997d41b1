/**
 * Pure helpers over plex.tv's device list: which devices are servers, and what kind of path each published
 * connection is (LAN, WAN, relay, or a custom access URL the owner typed into `customConnections`).
 */
import ipaddr from 'ipaddr.js';
import { classifyAddress, isIpAddress, type AddressClass } from '../../core/net/address.js';
import { parsePlexDirectName, type PlexDirectName } from '../../core/net/plex-direct.js';
import type { PlexConnection, PlexDevice } from './devices.js';

/** Devices that provide "server" (Plex Media Servers), in list order. */
export function serversOf<T extends Pick<PlexDevice, 'provides'>>(devices: readonly T[]): T[] {
  return devices.filter((device) => device.provides.includes('server'));
}

/** The device whose clientIdentifier is this machineIdentifier (case-insensitive: both are hex). */
export function findServer<T extends Pick<PlexDevice, 'clientIdentifier'>>(
  devices: readonly T[],
  machineIdentifier: string,
): T | undefined {
  const wanted = machineIdentifier.trim().toLowerCase();
  return devices.find((device) => device.clientIdentifier.toLowerCase() === wanted);
}

export type ConnectionKind = 'local' | 'remote' | 'relay' | 'custom';

export interface ConnectionClassification {
  /**
   * - `relay`: a Plex Relay path (the relay flag).
   * - `custom`: the uri is not Plex's own form for the address (neither its plex.direct name nor the bare IP), e.g.
   *   a custom access URL like `https://example.org:443` (plex-api.rs capture) or a reverse proxy.
   * - `local` / `remote`: by plex.tv's `local` flag.
   */
  kind: ConnectionKind;
  /** The host a client dials (from the uri). */
  host: string;
  /** Set when the uri host is a `*.plex.direct` name. */
  plexDirect?: PlexDirectName;
  /**
   * Class of the IP a client ends up dialling: the plex.direct-encoded IP, else the uri host when it is an IP, else
   * the connection's address. `invalid` means that is a host name, not an IP.
   */
  addressClass: AddressClass;
}

function sameIp(a: string, b: string): boolean {
  try {
    const left = ipaddr.process(a);
    const right = ipaddr.process(b);
    return left.kind() === right.kind() && left.toString() === right.toString();
  } catch {
    return false;
  }
}

/** The uri's host (brackets removed), or undefined when the uri does not parse. */
function uriHost(uri: string): string | undefined {
  try {
    return new URL(uri).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

export function classifyConnection(
  connection: Pick<PlexConnection, 'uri' | 'address' | 'local' | 'relay'>,
): ConnectionClassification {
  const parsedHost = uriHost(connection.uri);
  // An unparsable uri is nothing Plex would publish: report the address, and call it custom below.
  const host = parsedHost ?? connection.address;
  const plexDirect = parsedHost === undefined ? undefined : parsePlexDirectName(parsedHost);
  const dialled = plexDirect?.address ?? (isIpAddress(host) ? host : connection.address);
  const addressClass = classifyAddress(dialled);
  const base = { host, ...(plexDirect ? { plexDirect } : {}), addressClass };
  if (connection.relay) return { kind: 'relay', ...base };
  const addressIsIp = isIpAddress(connection.address);
  // A plex.direct connection whose address is the name itself (a uri-only record filled by a parser that does not
  // decode the name) is still Plex's own form: the name says which IP a client dials.
  const addressIsTheName = plexDirect !== undefined && connection.address.toLowerCase() === plexDirect.hostname;
  const plexForm =
    parsedHost !== undefined &&
    (addressIsTheName ||
      (addressIsIp &&
        (plexDirect
          ? sameIp(plexDirect.address, connection.address)
          : isIpAddress(host) && sameIp(host, connection.address))));
  if (!plexForm) return { kind: 'custom', ...base };
  return { kind: connection.local ? 'local' : 'remote', ...base };
}
