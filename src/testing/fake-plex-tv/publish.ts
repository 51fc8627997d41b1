/**
 * The fake's testing-only "a server publishes itself" endpoint (NOT Plex API): a fake Plex Media Server posts what
 * a real one tells plex.tv, and the fake turns it into the resource device plex.tv would list. The public address is
 * the request's source address, i.e. whatever NAT the request crossed: that is the point of running it in the lab.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { PlexDevice, type PlexConnection } from '../../clients/plextv/devices.js';
import { plexDirectHostname } from '../../core/net/plex-direct.js';

/** Body of `POST /__fake/servers/publish`. */
export const FakePublishRequest = z.object({
  machineIdentifier: z.string().min(1),
  name: z.string(),
  productVersion: z.string(),
  platform: z.string(),
  platformVersion: z.string(),
  /** The server's LAN addresses; each becomes a local connection. */
  localAddresses: z.array(z.string().refine((value) => ipaddr.isValid(value), 'not an IP address')),
  /** The private port (32400 on a real server). */
  port: z.number().int().min(1).max(65535),
  /** The public (forwarded) port; a remote connection is listed when set and remote access is on. */
  publicPort: z.number().int().min(1).max(65535).optional(),
  httpsRequired: z.boolean(),
  relayEnabled: z.boolean(),
  /** Custom access URLs (the `customConnections` pref), each listed as a connection. */
  customConnections: z.array(z.url()),
  /** The 32-hex plex.direct label; with it, connections get `https://<ip-dashed>.<hash>.plex.direct:<port>` uris. */
  certificateHash: z
    .string()
    .regex(/^[0-9a-z_-]+$/i)
    .optional(),
  remoteAccessEnabled: z.boolean(),
  /** Global IPv6 addresses (EnableIPv6 on): each a remote connection on the private port, as IPv6 has no NAT. */
  ipv6Addresses: z.array(z.string().refine((value) => ipaddr.IPv6.isValid(value), 'not an IPv6 address')).optional(),
});
export type FakePublishRequest = z.infer<typeof FakePublishRequest>;

/** What the fake knows about a published server, for tests to inspect. */
export interface FakePublishedServer {
  request: FakePublishRequest;
  /** The address plex.tv reports (the override when set, else the source address). */
  publicAddress: string;
  /** The socket address the publish came from; connect-back checks dial this one. */
  sourceAddress: string;
  publishedAt: string;
  /** The last reachability check, like PMS's mapping state after plex.tv's connect-back. */
  reachability?: { reachable: boolean; checked: string; error?: string; checkedAt: string };
  mappingState: 'unknown' | 'mapped' | 'failed';
}

/** A placeholder plex.direct label for relay uris of servers published without a certificate hash. */
const RELAY_HASH_PLACEHOLDER = '0123456789abcdef0123456789abcdef';

export function hostPort(address: string, port: number): string {
  return `${ipaddr.parse(address).kind() === 'ipv6' ? `[${address}]` : address}:${port}`;
}

function ipConnection(
  address: string,
  port: number,
  hash: string | undefined,
  local: boolean,
  relay = false,
): PlexConnection {
  const canonical = ipaddr.process(address).toString();
  const IPv6 = ipaddr.parse(canonical).kind() === 'ipv6';
  const uri = hash ? `https://${plexDirectHostname(canonical, hash)}:${port}` : `http://${hostPort(canonical, port)}`;
  return { protocol: hash ? 'https' : 'http', address: canonical, port, uri, local, relay, IPv6 };
}

function customConnection(url: string): PlexConnection {
  const parsed = new URL(url);
  const protocol = parsed.protocol.replace(/:$/, '');
  const address = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(parsed.port || (protocol === 'https' ? 443 : 80));
  // plex.tv writes the port even when it is the default (`https://example.org:443` in the plex-api.rs capture).
  return {
    protocol,
    address,
    port,
    uri: `${protocol}://${parsed.hostname}:${port}`,
    local: false,
    relay: false,
    IPv6: address.includes(':'),
  };
}

export function buildPublishedDevice(
  request: FakePublishRequest,
  context: { publicAddress: string; accessToken: string; relayAddress: string; previous?: PlexDevice; now: Date },
): PlexDevice {
  const hash = request.certificateHash?.toLowerCase();
  const connections: PlexConnection[] = request.localAddresses.map((address) =>
    ipConnection(address, request.port, hash, true),
  );
  if (request.remoteAccessEnabled && request.publicPort !== undefined) {
    connections.push(ipConnection(context.publicAddress, request.publicPort, hash, false));
  }
  if (request.remoteAccessEnabled) {
    for (const address of request.ipv6Addresses ?? [])
      connections.push(ipConnection(address, request.port, hash, false));
  }
  connections.push(...request.customConnections.map(customConnection));
  if (request.relayEnabled) {
    // Relay uris are always https plex.direct in the captures, on 8443.
    connections.push(ipConnection(context.relayAddress, 8443, hash ?? RELAY_HASH_PLACEHOLDER, false, true));
  }
  return PlexDevice.parse({
    name: request.name,
    product: 'Plex Media Server',
    productVersion: request.productVersion,
    platform: request.platform,
    platformVersion: request.platformVersion,
    device: 'PC',
    clientIdentifier: request.machineIdentifier,
    createdAt: context.previous?.createdAt ?? context.now.toISOString(),
    lastSeenAt: context.now.toISOString(),
    provides: 'server',
    publicAddress: context.publicAddress,
    accessToken: context.accessToken,
    owned: true,
    home: false,
    synced: false,
    relay: request.relayEnabled,
    presence: true,
    httpsRequired: request.httpsRequired,
    dnsRebindingProtection: false,
    natLoopbackSupported: false,
    connections,
  });
}
