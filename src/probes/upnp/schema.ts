/** Value shapes of the UPnP probe and the IGD client: plain JSON, validated on load from a snapshot. */
import { z } from 'zod';
import { AddressClassSchema } from '../address-class.js';

export const PortMappingProtocol = z.enum(['TCP', 'UDP']);
export type PortMappingProtocol = z.infer<typeof PortMappingProtocol>;

/** One entry of the IGD's port-mapping table (GetSpecificPortMappingEntry has no index). */
export const PortMappingEntry = z.object({
  /** "" = any remote host (the usual case). */
  remoteHost: z.string(),
  externalPort: z.number().int(),
  /** TCP or UDP; kept as sent when a device says something else. */
  protocol: z.string(),
  internalPort: z.number().int(),
  internalClient: z.string(),
  enabled: z.boolean(),
  description: z.string(),
  /** 0 = permanent. */
  leaseSeconds: z.number().int(),
});
export type PortMappingEntry = z.infer<typeof PortMappingEntry>;

export const IndexedPortMapping = PortMappingEntry.extend({ index: z.number().int() });
export type IndexedPortMapping = z.infer<typeof IndexedPortMapping>;

export const ConnectionStatusInfo = z.object({
  /** Connected, Disconnected, Connecting, PendingDisconnect, Unconfigured, ... (kept verbatim). */
  connectionStatus: z.string().optional(),
  /** ERROR_NONE, ERROR_ISP_TIME_OUT, ... (kept verbatim). */
  lastConnectionError: z.string().optional(),
  uptimeSeconds: z.number().optional(),
});
export type ConnectionStatusInfo = z.infer<typeof ConnectionStatusInfo>;

/** A UPnP error (or a failure) met by one action during the probe. */
export const UpnpActionError = z.object({
  action: z.string(),
  /** The UPnP errorCode (713, 718, 606, ...) when the device refused; absent for transport failures. */
  code: z.number().int().optional(),
  description: z.string(),
});
export type UpnpActionError = z.infer<typeof UpnpActionError>;

export const IgdServiceRef = z.object({
  serviceType: z.string(),
  controlUrl: z.string(),
});
export type IgdServiceRef = z.infer<typeof IgdServiceRef>;

/** What discovery found: the device, its description and the chosen connection service. */
export const IgdDiscovery = z.object({
  /** Device description URL (SSDP LOCATION, or the `location` option). */
  location: z.string(),
  /** Address the SSDP reply came from (absent when `location` was given). */
  ssdpFrom: z.string().optional(),
  /** SSDP SERVER header, e.g. "Debian/6.18 UPnP/1.1 MiniUPnPd/2.3.1". */
  server: z.string().optional(),
  friendlyName: z.string().optional(),
  modelName: z.string().optional(),
  manufacturer: z.string().optional(),
  deviceType: z.string().optional(),
  serviceType: z.string(),
  controlUrl: z.string(),
  /** Every WAN connection service the description lists. */
  wanServices: z.array(IgdServiceRef),
  /** SSDP replies received (all devices, junk excluded). */
  ssdpReplies: z.number().int(),
  /** Control URL of the IGDv2 WANIPv6FirewallControl:1 service, when the description lists one. */
  ipv6FirewallControlUrl: z.string().optional(),
});
export type IgdDiscovery = z.infer<typeof IgdDiscovery>;

/**
 * The router's inbound IPv6 policy as WANIPv6FirewallControl:1 GetFirewallStatus tells it (UPnP IGDv2; miniupnpd
 * offers it when built with IPv6 and `ipv6_disable=no`). Read-only: no pinhole is ever added. `offered: false` = the
 * description lists no such service (an IGD:1 router, or IPv6 off in miniupnpd); a value the router did not give, or
 * gave as something other than a boolean, is absent rather than guessed.
 */
export const Ipv6FirewallStatus = z.object({
  offered: z.boolean(),
  /** The router filters inbound IPv6 (true on every sane router: inbound needs a pinhole then). */
  firewallEnabled: z.boolean().optional(),
  /** The router lets hosts open pinholes (AddPinhole); false = inbound IPv6 is blocked and nothing on the LAN can open it. */
  inboundPinholeAllowed: z.boolean().optional(),
  /** Why the status could not be read in full (a refusal, a transport failure, a half or garbled answer). */
  error: z.string().optional(),
});
export type Ipv6FirewallStatus = z.infer<typeof Ipv6FirewallStatus>;

export const ExternalIpStatus = z.enum(['ok', 'empty', 'invalid', 'failed']);
export type ExternalIpStatus = z.infer<typeof ExternalIpStatus>;

export const UpnpProbeValue = IgdDiscovery.extend({
  /** The WAN address the IGD reports. Absent when it answered "" (miniupnpd with a reserved WAN address) or failed. */
  externalIp: z.string().optional(),
  externalIpClass: AddressClassSchema.optional(),
  /** ok = an address; empty = the IGD answered ""; invalid = not an IP; failed = the action failed (see errors). */
  externalIpStatus: ExternalIpStatus,
  status: ConnectionStatusInfo.optional(),
  mappings: z.array(IndexedPortMapping),
  /** True when enumeration reached the end of the table (713/714), false when it stopped on an error, the cap or the deadline. */
  mappingsComplete: z.boolean(),
  errors: z.array(UpnpActionError),
  /** Facts worth a sentence (empty external IP, private/CGNAT external IP, truncated enumeration). */
  notes: z.array(z.string()),
  /** The IPv6 firewall's status; absent in snapshots taken before it was read. */
  ipv6Firewall: Ipv6FirewallStatus.optional(),
});
export type UpnpProbeValue = z.infer<typeof UpnpProbeValue>;
