/**
 * plex.tv's view of an account's devices: `api/v2/resources` (JSON array, or XML `<resources><resource>
 * <connections><connection/>`) and the legacy `api/resources` / `pms/resources` XML (`<MediaContainer><Device>
 * <Connection/>`, epoch dates, no relay/IPv6 attributes). All of them normalise to `PlexDevice[]`
 * (docs/reference/plex-api.md §5.1, §5.2; captures in test/fixtures/plextv/).
 */
import { z } from 'zod';
import { lazySchema, realSchema } from '../../core/util/lazy-schema.js';
import { plexBoolOpt, plexDateOpt, plexList, plexNumber, plexStringOpt } from '../../http/plex-values.js';
import { classifyAddress, ipFamily } from '../../core/net/address.js';
import { parsePlexDirectName } from '../../core/net/plex-direct.js';
import { isRecord, omitKeys, unwrapList, withoutUndefined, type OmitKnown } from './shape.js';

const flag = lazySchema(() => plexBoolOpt.transform((value) => value ?? false));
const requiredText = lazySchema(() =>
  z.preprocess((value) => (typeof value === 'number' ? String(value) : value), z.string().min(1)),
);

/** Plex's own port: what a connection without a port or uri is published on. */
const PLEX_PORT = '32400';

/** True for addresses only reachable on the server's own network (what plex.tv's `local` flag means). */
function isOnLan(address: string): boolean {
  const kind = classifyAddress(parsePlexDirectName(address)?.address ?? address);
  return kind === 'private' || kind === 'loopback' || kind === 'link-local';
}

/**
 * Completes a connection that carries only part of its fields, so none is dropped for a missing field:
 * - only a uri (plex.tv `devices.xml` has `<Connection uri="http://172.1.0.1:32400"/>`): protocol, port and address
 *   come from the uri; for a plex.direct uri the address is the IP encoded in the name (what a client dials), not the
 *   name itself.
 * - an address but no uri: the uri a client would dial is built from protocol, address and port.
 * - no `local` flag: an address on a private, loopback or link-local network is local, anything else is not.
 */
function completeConnection(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const blank = (key: string): boolean => value[key] === undefined || value[key] === null || value[key] === '';
  const filled = typeof value.uri === 'string' && value.uri !== '' ? fillFromUri(value, blank) : fillUri(value, blank);
  if (!isRecord(filled) || !blank('local') || typeof filled.address !== 'string') return filled;
  return { ...filled, local: isOnLan(filled.address) };
}

function fillFromUri(value: Record<string, unknown>, blank: (key: string) => boolean): unknown {
  let url: URL;
  try {
    url = new URL(value.uri as string);
  } catch {
    return value;
  }
  const scheme = url.protocol.replace(/:$/, '');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    ...value,
    protocol: blank('protocol') ? scheme : value.protocol,
    address: blank('address') ? (parsePlexDirectName(host)?.address ?? host) : value.address,
    port: blank('port') ? url.port || (scheme === 'https' ? '443' : '80') : value.port,
  };
}

function fillUri(value: Record<string, unknown>, blank: (key: string) => boolean): unknown {
  if (typeof value.address !== 'string' || value.address === '') return value;
  const protocol = blank('protocol') ? 'http' : String(value.protocol);
  const port = blank('port') ? PLEX_PORT : String(value.port);
  const host = ipFamily(value.address) === 6 && !value.address.startsWith('[') ? `[${value.address}]` : value.address;
  return { ...value, protocol, port, uri: `${protocol}://${host}:${port}` };
}

export const PlexConnection = lazySchema(() =>
  z
    .preprocess(
      completeConnection,
      z.looseObject({
        /** 'http' or 'https'; other values are kept verbatim. */
        protocol: realSchema(requiredText),
        /** An IP address, or a host name for a custom access URL. */
        address: realSchema(requiredText),
        port: plexNumber,
        /** What a client dials: a plex.direct name, a bare IP URL, or a custom URL. */
        uri: realSchema(requiredText),
        /** plex.tv's "this connection is on the server's LAN" flag. @default false when absent */
        local: realSchema(flag),
        /** A Plex Relay connection (bandwidth limited). Absent in legacy XML. @default false */
        relay: realSchema(flag),
        /** Absent in legacy XML. @default false */
        IPv6: realSchema(flag),
      }),
    )
    .transform(withoutUndefined),
);
export type PlexConnection = z.infer<typeof PlexConnection>;

/** JSON has `connections: [...]`, v2 XML `connections: { connection: [...] }`, legacy XML `Connection: [...]`. */
function normaliseDevice(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const { Connection, connections, ...rest } = value;
  return { ...rest, connections: [...unwrapList(connections, 'connection'), ...unwrapList(Connection, 'Connection')] };
}

/**
 * An array that keeps the items its schema accepts and drops the rest. One malformed connection or device (a future
 * field shape, a client record missing an id) must not cost the diagnosis every other record.
 */
function tolerantArray<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) => (Array.isArray(value) ? value.filter((entry) => item.safeParse(entry).success) : value),
    z.array(item),
  );
}

export const PlexDevice = lazySchema(() =>
  z
    .preprocess(
      normaliseDevice,
      z.looseObject({
        // The XML parser yields strings or numbers for an attribute (a name "1234" arrives as 1234); an absent name
        // becomes ''.
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- see the comment above
        name: z.preprocess((value) => (value === null || value === undefined ? '' : String(value)), z.string()),
        product: plexStringOpt,
        productVersion: plexStringOpt,
        platform: plexStringOpt,
        platformVersion: plexStringOpt,
        device: plexStringOpt,
        /** For a server, its machineIdentifier. */
        clientIdentifier: realSchema(requiredText),
        /** ISO-8601 (v2 gives ISO, legacy XML epoch seconds). */
        createdAt: plexDateOpt,
        lastSeenAt: plexDateOpt,
        /** From "server" / "client,player,pubsub-player". */
        provides: plexList,
        /** Absent when the device is the account's own. */
        ownerId: plexStringOpt,
        sourceTitle: plexStringOpt,
        /** The public address plex.tv last saw the device publish from. */
        publicAddress: plexStringOpt,
        /**
         * **Secret.** The token a client uses to talk to this server (needed for shared servers). Never log it or
         * store it in a snapshot: use `withoutSecrets(device)` first.
         */
        accessToken: plexStringOpt,
        owned: plexBoolOpt,
        home: plexBoolOpt,
        synced: plexBoolOpt,
        /** The server allows Plex Relay. */
        relay: plexBoolOpt,
        /** Online per plex.tv (Tautulli reads it so). */
        presence: plexBoolOpt,
        httpsRequired: plexBoolOpt,
        /** True when the device's public address equals the asking client's public address (same network). */
        publicAddressMatches: plexBoolOpt,
        dnsRebindingProtection: plexBoolOpt,
        natLoopbackSupported: plexBoolOpt,
        connections: tolerantArray(realSchema(PlexConnection)),
      }),
    )
    .transform(withoutUndefined),
);
export type PlexDevice = z.infer<typeof PlexDevice>;

/** The device list out of any decoded resources payload (JSON array, v2 XML, legacy XML). */
function extractDevices(value: unknown): unknown {
  if (Array.isArray(value)) return value;
  if (!isRecord(value)) return value;
  if ('resources' in value) return unwrapList(value.resources, 'resource');
  if ('MediaContainer' in value) {
    const container = value.MediaContainer;
    if (container === '' || container === undefined || container === null) return [];
    if (!isRecord(container)) return container;
    if ('resources' in container) return unwrapList(container.resources, 'resource');
    return [...unwrapList(container.Device, 'Device'), ...unwrapList(container.resource, 'resource')];
  }
  if ('Device' in value) return unwrapList(value.Device, 'Device');
  if ('resource' in value) return unwrapList(value.resource, 'resource');
  return value;
}

export const PlexDeviceList = lazySchema(() => z.preprocess(extractDevices, tolerantArray(realSchema(PlexDevice))));
export type PlexDeviceList = z.infer<typeof PlexDeviceList>;

/** XML elements that are lists in resources payloads (everything else stays an object). */
export const RESOURCE_XML_ARRAYS: ReadonlySet<string> = new Set(['resource', 'connection', 'Device', 'Connection']);

/** Field names that hold credentials on devices and connections (`token` appears in plex.tv's devices.xml). */
const SECRET_FIELDS = ['accessToken', 'token', 'authToken'] as const;

export type PlexConnectionWithoutSecrets = OmitKnown<PlexConnection, (typeof SECRET_FIELDS)[number]>;
export type PlexDeviceWithoutSecrets = OmitKnown<PlexDevice, (typeof SECRET_FIELDS)[number] | 'connections'> & {
  connections: PlexConnectionWithoutSecrets[];
};

/** A copy of the device without `accessToken` (or any other token field), connections included: safe to store. */
export function withoutSecrets(device: PlexDevice): PlexDeviceWithoutSecrets {
  const rest = omitKeys(device, SECRET_FIELDS);
  return { ...rest, connections: device.connections.map((connection) => omitKeys(connection, SECRET_FIELDS)) };
}
