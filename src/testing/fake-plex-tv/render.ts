/**
 * The fake plex.tv's wire formats, shaped like the captures in test/fixtures/plextv/: v2 resources as a JSON array
 * or `<resources><resource><connections><connection/>` XML (cn-doc capture), legacy resources as `<MediaContainer>
 * <Device><Connection/>` with epoch dates and no relay/IPv6 attributes, the user, server records and error bodies.
 */
import type { PlexConnection, PlexDevice } from '../../clients/plextv/devices.js';
import type { PlexUser } from '../../clients/plextv/user.js';
import { renderDocument, type XmlAttributes, type XmlElement } from '../xml-writer.js';

export interface Rendered {
  status: number;
  contentType: string;
  body: string;
}

export const json = (status: number, value: unknown): Rendered => ({
  status,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(value),
});

export const xml = (status: number, root: XmlElement): Rendered => ({
  status,
  contentType: 'application/xml; charset=utf-8',
  body: renderDocument(root),
});

/** plex.tv's error body (`{"errors":[{code,message,status}]}`; XML `<errors><error .../></errors>`, as api-client parses). */
export function plexError(status: number, code: number | undefined, message: string, asXml: boolean): Rendered {
  const entry = { ...(code === undefined ? {} : { code }), message, status };
  return asXml
    ? xml(status, { name: 'errors', children: [{ name: 'error', attributes: entry }] })
    : json(status, { errors: [entry] });
}

/** ISO-8601 without milliseconds, as plex.tv writes it (`2021-01-01T12:12:24Z`). */
export function isoSeconds(iso: string | undefined): string | undefined {
  return iso === undefined ? undefined : new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function epochSeconds(iso: string | undefined): number | undefined {
  return iso === undefined ? undefined : Math.floor(new Date(iso).getTime() / 1000);
}

/** Only scalar values become XML attributes; nested unknown fields (objects, arrays) have no attribute form. */
function scalars(record: Record<string, unknown>): XmlAttributes {
  const out: XmlAttributes = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

export interface ConnectionFilter {
  includeHttps: boolean;
  includeRelay: boolean;
  includeIPv6: boolean;
}

/**
 * Which connections a resources request gets. Relay and IPv6 filtering are documented parameters
 * (docs/reference/plex-api.md §5.1); dropping https connections when includeHttps=0 is our reading of the parameter's
 * name [U].
 */
export function filterConnections(connections: readonly PlexConnection[], filter: ConnectionFilter): PlexConnection[] {
  return connections.filter(
    (c) =>
      (filter.includeHttps || c.protocol !== 'https') &&
      (filter.includeRelay || !c.relay) &&
      (filter.includeIPv6 || !c.IPv6),
  );
}

/** A device as plex.tv's v2 JSON writes it: comma-joined provides, ISO dates, null for absent owner/source. */
export function deviceToJson(
  device: PlexDevice,
  connections: PlexConnection[],
  publicAddressMatches: boolean | undefined,
): Record<string, unknown> {
  const ownerId =
    device.ownerId === undefined ? null : /^\d+$/.test(device.ownerId) ? Number(device.ownerId) : device.ownerId;
  return {
    ...device,
    createdAt: isoSeconds(device.createdAt),
    lastSeenAt: isoSeconds(device.lastSeenAt),
    provides: device.provides.join(','),
    ownerId,
    sourceTitle: device.sourceTitle ?? null,
    ...(publicAddressMatches === undefined ? {} : { publicAddressMatches }),
    connections,
  };
}

export function devicesToV2Xml(devices: Record<string, unknown>[]): XmlElement {
  return {
    name: 'resources',
    children: devices.map((device) => ({
      name: 'resource',
      attributes: scalars(device),
      children: [
        {
          name: 'connections',
          children: (device.connections as PlexConnection[]).map((c) => ({
            name: 'connection',
            attributes: scalars(c),
          })),
        },
      ],
    })),
  };
}

/** Legacy `api/resources` / `pms/resources`: epoch dates, no relay connections, no relay/IPv6 connection attributes. */
export function devicesToLegacyXml(devices: Record<string, unknown>[]): XmlElement {
  return {
    name: 'MediaContainer',
    attributes: { size: devices.length },
    children: devices.map((device) => ({
      name: 'Device',
      attributes: scalars({
        ...device,
        createdAt: epochSeconds(device.createdAt as string | undefined),
        lastSeenAt: epochSeconds(device.lastSeenAt as string | undefined),
      }),
      children: (device.connections as PlexConnection[])
        .filter((c) => !c.relay)
        .map(({ relay: _relay, IPv6: _ipv6, ...c }) => ({ name: 'Connection', attributes: scalars(c) })),
    })),
  };
}

/** `api/v2/user`: like the real one it includes the caller's authToken (the client must strip it). */
export function userToJson(user: PlexUser, authToken: string): Record<string, unknown> {
  return { ...user, authToken };
}

export function userToXml(user: PlexUser, authToken: string): XmlElement {
  const subscription = user.subscription;
  return {
    name: 'user',
    attributes: scalars({ ...user, authToken }),
    children: subscription
      ? [
          {
            name: 'subscription',
            attributes: scalars(subscription),
            children: [
              {
                name: 'features',
                children: subscription.features.map((id) => ({ name: 'feature', attributes: { id } })),
              },
            ],
          },
        ]
      : [],
  };
}
