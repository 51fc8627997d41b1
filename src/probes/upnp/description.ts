/**
 * The UPnP device description (LOCATION from SSDP): a `<root>` with an optional `<URLBase>` and a tree of devices,
 * each with a `<serviceList>` and a nested `<deviceList>`. miniupnpd 2.3.1 nests InternetGatewayDevice:2 →
 * WANDevice:2 → WANConnectionDevice:2 → WANIPConnection:2 at /ctl/IPConn (docs/reference/netlab.md "Scenario 5").
 */
import { z } from 'zod';
import { decodeBody } from '../../http/decode.js';
import { httpRequest } from '../../http/transport.js';
import type { Dispatcher } from 'undici';
import { ProbeFailure } from '../types.js';
import { probeErrorFromHttp } from './http-failure.js';

/** The connection services a port mapping can be asked of, in the order we prefer them. */
export const WAN_SERVICE_TYPES = [
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
] as const;

/** UPnP IGDv2's IPv6 firewall service (GetFirewallStatus, pinholes). */
export const IPV6_FIREWALL_SERVICE_TYPE = 'urn:schemas-upnp-org:service:WANIPv6FirewallControl:1';

/** Largest description we read; miniupnpd's is about 3 KiB. */
export const MAX_DESCRIPTION_BYTES = 256 * 1024;
const MAX_DEVICE_DEPTH = 8;

// Elements with attributes decode to `{ '#text': ... }`; plain ones to a string; empty ones to ''.
const xmlText = z
  .preprocess((value) => {
    const text = value !== null && typeof value === 'object' && '#text' in value ? value['#text'] : value;
    return typeof text === 'string' && text.trim() !== '' ? text.trim() : undefined;
  }, z.string().optional())
  .catch(undefined);

const objectOrAbsent = <T extends z.ZodType>(schema: T) =>
  z
    .preprocess((value) => (value !== null && typeof value === 'object' ? value : undefined), schema.optional())
    .catch(undefined);

export const UpnpServiceXml = z.looseObject({
  serviceType: xmlText,
  serviceId: xmlText,
  controlURL: xmlText,
  SCPDURL: xmlText,
});
export type UpnpServiceXml = z.infer<typeof UpnpServiceXml>;

export interface UpnpDeviceXml {
  deviceType?: string | undefined;
  friendlyName?: string | undefined;
  manufacturer?: string | undefined;
  modelName?: string | undefined;
  serviceList?: { service: unknown[] } | undefined;
  deviceList?: { device: unknown[] } | undefined;
}

export const UpnpDeviceXml: z.ZodType<UpnpDeviceXml> = z.looseObject({
  deviceType: xmlText,
  friendlyName: xmlText,
  manufacturer: xmlText,
  modelName: xmlText,
  serviceList: objectOrAbsent(z.looseObject({ service: z.array(z.unknown()).catch([]).default([]) })),
  deviceList: objectOrAbsent(z.looseObject({ device: z.array(z.unknown()).catch([]).default([]) })),
});

export const DeviceDescriptionXml = z.looseObject({
  root: z.looseObject({
    URLBase: xmlText,
    device: z.array(z.unknown()).min(1),
  }),
});

export const UpnpService = z.object({
  serviceType: z.string(),
  /** Absolute control URL (resolved against URLBase or the description's own URL). */
  controlUrl: z.string(),
  /** The deviceType of the device that lists the service. */
  deviceType: z.string().optional(),
});
export type UpnpService = z.infer<typeof UpnpService>;

export const DeviceDescription = z.object({
  deviceType: z.string().optional(),
  friendlyName: z.string().optional(),
  manufacturer: z.string().optional(),
  modelName: z.string().optional(),
  /** Every service in the tree whose control URL resolved. */
  services: z.array(UpnpService),
  /** The connection services (WANIPConnection:2/:1, WANPPPConnection:1), in document order. */
  wanServices: z.array(UpnpService),
});
export type DeviceDescription = z.infer<typeof DeviceDescription>;

/** Element names that are lists in a description: a single `<device>` or `<service>` still decodes to an array. */
const DESCRIPTION_ARRAYS = new Set(['device', 'service', 'icon']);

/**
 * Parses a fetched description. Throws `ProbeFailure` (phase response, EBADRESPONSE) for HTML, malformed XML or a
 * document that is not a UPnP description.
 */
export function parseDeviceDescription(body: Buffer, location: string): DeviceDescription {
  let decoded: unknown;
  try {
    decoded = decodeBody(body, { xmlArrays: DESCRIPTION_ARRAYS, method: 'GET', url: location });
  } catch (error) {
    throw new ProbeFailure(probeErrorFromHttp(error, 'device description'));
  }
  const parsed = DeviceDescriptionXml.safeParse(decoded);
  if (!parsed.success) {
    throw new ProbeFailure({
      phase: 'response',
      code: 'EBADRESPONSE',
      message: `GET ${location}: not a UPnP device description (no <root><device>)`,
    });
  }
  const base = resolveBase(parsed.data.root.URLBase, location);
  const services: UpnpService[] = [];
  const top = UpnpDeviceXml.safeParse(parsed.data.root.device[0]);
  const walk = (raw: unknown, depth: number): void => {
    if (depth > MAX_DEVICE_DEPTH) return;
    const device = UpnpDeviceXml.safeParse(raw);
    if (!device.success) return;
    for (const rawService of device.data.serviceList?.service ?? []) {
      const service = UpnpServiceXml.safeParse(rawService);
      if (!service.success || !service.data.serviceType || !service.data.controlURL) continue;
      const controlUrl = resolveUrl(service.data.controlURL, base);
      if (!controlUrl) continue;
      services.push({
        serviceType: service.data.serviceType,
        controlUrl,
        ...(device.data.deviceType ? { deviceType: device.data.deviceType } : {}),
      });
    }
    for (const child of device.data.deviceList?.device ?? []) walk(child, depth + 1);
  };
  for (const device of parsed.data.root.device) walk(device, 0);
  const info = top.success ? top.data : {};
  return {
    ...(info.deviceType ? { deviceType: info.deviceType } : {}),
    ...(info.friendlyName ? { friendlyName: info.friendlyName } : {}),
    ...(info.manufacturer ? { manufacturer: info.manufacturer } : {}),
    ...(info.modelName ? { modelName: info.modelName } : {}),
    services,
    wanServices: services.filter((service) => (WAN_SERVICE_TYPES as readonly string[]).includes(service.serviceType)),
  };
}

/** The WAN connection service to use: the preferred type first, document order within a type. */
export function pickWanService(description: DeviceDescription): UpnpService | undefined {
  for (const type of WAN_SERVICE_TYPES) {
    const found = description.wanServices.find((service) => service.serviceType === type);
    if (found) return found;
  }
  return undefined;
}

function resolveBase(urlBase: string | undefined, location: string): string {
  // URLBase is deprecated in UDA 1.1 but IGD:1 devices still send it; relative URLs resolve against it when present.
  if (urlBase) {
    const resolved = resolveUrl(urlBase, location);
    if (resolved) return resolved;
  }
  return location;
}

function resolveUrl(reference: string, base: string): string | undefined {
  try {
    const url = new URL(reference, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export interface FetchDescriptionOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

/** GETs and parses a description. Throws `ProbeFailure` with the phase and code of whatever went wrong. */
export async function fetchDeviceDescription(
  location: string,
  options: FetchDescriptionOptions,
): Promise<DeviceDescription> {
  let response;
  try {
    response = await httpRequest({
      url: location,
      timeoutMs: Math.max(1, options.timeoutMs),
      maxBodyBytes: MAX_DESCRIPTION_BYTES,
      signal: options.signal,
      headers: { Accept: 'text/xml, application/xml' },
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
  } catch (error) {
    throw new ProbeFailure(probeErrorFromHttp(error, 'device description'));
  }
  if (response.status < 200 || response.status > 299) {
    throw new ProbeFailure({
      phase: 'response',
      code: 'EHTTPSTATUS',
      message: `device description: GET ${response.url} answered HTTP ${response.status}`,
    });
  }
  return parseDeviceDescription(response.body, location);
}
