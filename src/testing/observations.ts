/**
 * Builders for observations and snapshots, for rule tests (ours and tool authors'): a consistent healthy home
 * network as the base, and small builders for the values a test wants to change. Every value is parsed through the
 * same zod schema a snapshot is validated with, so a test cannot build a shape the collectors would never produce.
 */
import type { Observation } from '../core/observation.js';
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from '../core/snapshot.js';
import { ConnectionsValue, PlexDirectDnsCollection, type ProbedConnection } from '../collect/values/connections.js';
import { PublicIpValue, ResourcesValue } from '../collect/values/plextv.js';
import { classifyAddress } from '../core/net/address.js';
import { plexDirectHostname } from '../core/net/plex-direct.js';
import { HostInfo } from '../probes/host/index.js';
import { NatPmpValue } from '../probes/natpmp/probe.js';
import { UpnpProbeValue, type IndexedPortMapping } from '../probes/upnp/schema.js';
import { PlexDevice } from '../clients/plextv/index.js';
import {
  MyPlexAccount,
  NETWORK_PREF_KINDS,
  ServerIdentity,
  ServerRoot,
  networkPrefsFrom,
  type ServerPrefs,
} from '../clients/server/index.js';

export const HOME = {
  machineIdentifier: '6a646027a56abb6dbdf72484564db8567c737430',
  certificateHash: 'b9c7c12bf5f64e85a1a12a53f4e74f69',
  name: 'Basement',
  server: '192.168.1.10',
  port: 32400,
  router: '192.168.1.1',
  wan: '84.1.1.2',
  relay: '178.79.176.52',
  createdAt: '2026-11-25T10:00:00.000Z',
} as const;

export const ok = <T>(value: T, durationMs = 12): Observation<T> => ({ status: 'ok', value, durationMs });
export const failed = (
  code: string,
  message: string,
  extra: { phase?: string; status?: number; causeCode?: string } = {},
): Observation => ({
  status: 'failed',
  error: { code, message, ...extra },
  durationMs: 12,
});
export const skipped = (reason: string): Observation => ({ status: 'skipped', reason, durationMs: 0 });

/** /:/prefs with these values (ids and kinds from NETWORK_PREF_KINDS), the rest as a healthy default server has. */
export function prefsValue(
  values: Partial<Record<keyof typeof NETWORK_PREF_KINDS, string | number | boolean>> = {},
): ServerPrefs {
  const merged: Record<string, string | number | boolean> = {
    PublishServerOnPlexOnlineKey: true,
    ManualPortMappingMode: false,
    ManualPortMappingPort: 32400,
    LastAutomaticMappedPort: HOME.port,
    customConnections: '',
    secureConnections: 1,
    allowedNetworks: '',
    LanNetworksBandwidth: '',
    TreatWanIpAsLocal: true,
    EnableIPv6: false,
    PreferredNetworkInterface: '',
    GdmEnabled: true,
    RelayEnabled: true,
    ...values,
  };
  const settings = Object.entries(merged).map(([id, value]) => {
    const kind = NETWORK_PREF_KINDS[id as keyof typeof NETWORK_PREF_KINDS];
    const type = kind === 'bool' ? 'bool' : kind === 'int' ? 'int' : 'text';
    return { id, type, value, default: value, hidden: false, advanced: false };
  });
  return { settings, network: networkPrefsFrom(settings) };
}

export function accountValue(overrides: Record<string, unknown> = {}): MyPlexAccount {
  return MyPlexAccount.parse({
    mappingState: 'mapped',
    mappingError: '',
    signInState: 'ok',
    username: 'plexowner',
    publicAddress: HOME.wan,
    publicPort: HOME.port,
    privateAddress: HOME.server,
    privatePort: HOME.port,
    subscriptionActive: true,
    ...overrides,
  });
}

export function upnpValue(
  overrides: { externalIp?: string; mappings?: Partial<IndexedPortMapping>[] } = {},
): UpnpProbeValue {
  const externalIp = overrides.externalIp ?? HOME.wan;
  const mappings = (
    overrides.mappings ?? [
      {
        externalPort: HOME.port,
        internalClient: HOME.server,
        internalPort: HOME.port,
        description: 'Plex Media Server',
      },
    ]
  ).map((m, index) => ({
    index,
    remoteHost: '',
    protocol: 'TCP',
    enabled: true,
    leaseSeconds: 604800,
    externalPort: HOME.port,
    internalPort: HOME.port,
    internalClient: HOME.server,
    description: '',
    ...m,
  }));
  return UpnpProbeValue.parse({
    location: `http://${HOME.router}:5000/rootDesc.xml`,
    ssdpFrom: HOME.router,
    server: 'Debian/6.18 UPnP/1.1 MiniUPnPd/2.3.1',
    friendlyName: 'Home router',
    serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:2',
    controlUrl: `http://${HOME.router}:5000/ctl/IPConn`,
    wanServices: [
      {
        serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:2',
        controlUrl: `http://${HOME.router}:5000/ctl/IPConn`,
      },
    ],
    ssdpReplies: 1,
    ...(externalIp ? { externalIp, externalIpClass: classifyAddress(externalIp) } : {}),
    externalIpStatus: externalIp ? 'ok' : 'empty',
    status: { connectionStatus: 'Connected', lastConnectionError: 'ERROR_NONE', uptimeSeconds: 3600 },
    mappings,
    mappingsComplete: true,
    errors: [],
    notes: [],
  });
}

export function natPmpValue(externalIp: string = HOME.wan): NatPmpValue {
  return NatPmpValue.parse({
    gateway: HOME.router,
    port: 5351,
    externalIp,
    externalIpClass: classifyAddress(externalIp),
    epochSeconds: 3600,
    attempts: 1,
  });
}

export function hostValue(
  overrides: { address?: string; gateway?: string; vpnInterface?: string; container?: boolean } = {},
): HostInfo {
  const address = overrides.address ?? HOME.server;
  const vpn = overrides.vpnInterface;
  return HostInfo.parse({
    platform: 'linux',
    hostname: 'plexbox',
    interfaces: [
      {
        name: 'lo',
        addresses: [{ address: '127.0.0.1', family: 4, cidr: '127.0.0.1/8', class: 'loopback', internal: true }],
      },
      {
        name: 'eth0',
        addresses: [{ address, family: 4, cidr: `${address}/24`, class: classifyAddress(address), internal: false }],
      },
      ...(vpn
        ? [
            {
              name: vpn,
              addresses: [{ address: '10.64.0.2', family: 4, cidr: '10.64.0.2/32', class: 'private', internal: false }],
            },
          ]
        : []),
    ],
    defaultRoute: vpn
      ? { interface: vpn, family: 4, metric: 0 }
      : { interface: 'eth0', gateway: overrides.gateway ?? HOME.router, family: 4, metric: 100 },
    defaultRoutes: [
      vpn
        ? { interface: vpn, family: 4, metric: 0 }
        : { interface: 'eth0', gateway: overrides.gateway ?? HOME.router, family: 4, metric: 100 },
    ],
    container: {
      inContainer: overrides.container ?? false,
      evidence: overrides.container ? ['/.dockerenv exists'] : [],
    },
    bridges: [],
    vpn: {
      active: Boolean(vpn),
      ...(vpn ? { interface: vpn } : {}),
      evidence: vpn ? [`default route via ${vpn}`] : [],
    },
    notes: [],
  });
}

export interface ConnectionSpec {
  address: string;
  port?: number;
  local?: boolean;
  relay?: boolean;
  protocol?: 'http' | 'https';
  /** A custom URL instead of the plex.direct form. */
  uri?: string;
}

/** plex.tv's device record of the server, with plex.direct connections for the given addresses. */
export function deviceValue(overrides: Record<string, unknown> & { connections?: ConnectionSpec[] } = {}): PlexDevice {
  const specs = overrides.connections ?? [
    { address: HOME.server, local: true },
    { address: HOME.wan, local: false },
    { address: HOME.relay, port: 8443, relay: true },
  ];
  const connections = specs.map((c) => ({
    protocol: c.protocol ?? 'https',
    address: c.address,
    port: c.port ?? HOME.port,
    uri: c.uri ?? `https://${plexDirectHostname(c.address, HOME.certificateHash)}:${c.port ?? HOME.port}`,
    local: c.local ?? false,
    relay: c.relay ?? false,
    IPv6: false,
  }));
  return PlexDevice.parse({
    name: HOME.name,
    product: 'Plex Media Server',
    productVersion: '1.41.3.9314-a0bfb8370',
    platform: 'Linux',
    platformVersion: '6.1.0',
    device: 'PC',
    clientIdentifier: HOME.machineIdentifier,
    createdAt: '2024-01-01T12:00:00Z',
    lastSeenAt: HOME.createdAt,
    provides: 'server',
    owned: true,
    home: false,
    synced: false,
    relay: true,
    presence: true,
    httpsRequired: false,
    publicAddress: HOME.wan,
    publicAddressMatches: true,
    dnsRebindingProtection: false,
    natLoopbackSupported: true,
    ...overrides,
    connections,
  });
}

export function resourcesValue(device: PlexDevice | undefined = deviceValue()): ResourcesValue {
  return ResourcesValue.parse({
    ...(device ? { server: device } : {}),
    matchedBy: device ? 'machine-identifier' : 'none',
    servers: device
      ? [
          {
            name: device.name,
            clientIdentifier: device.clientIdentifier,
            owned: true,
            presence: true,
            publicAddress: device.publicAddress,
          },
        ]
      : [],
  });
}

/** A probed connection: TCP open and /identity answering as this server, unless told otherwise. */
export function probedConnection(
  spec: ConnectionSpec & {
    tcp?: 'open' | { code: string; phase: string };
    identity?: 'match' | 'mismatch' | { code: string; phase: string };
    serverDate?: string;
  },
): ProbedConnection {
  const port = spec.port ?? HOME.port;
  const uri = spec.uri ?? `https://${plexDirectHostname(spec.address, HOME.certificateHash)}:${port}`;
  const host = new URL(uri).hostname;
  const fail = (f: { code: string; phase: string }) => ({
    status: 'failed',
    error: { ...f, message: `${f.code} (${f.phase})` },
    durationMs: 20,
  });
  const tcp =
    spec.tcp === undefined || spec.tcp === 'open'
      ? { status: 'ok', value: { address: spec.address, port, family: 4, rttMs: 1 }, durationMs: 1 }
      : fail(spec.tcp);
  const identity =
    spec.identity === undefined || typeof spec.identity === 'string'
      ? {
          status: 'ok',
          value: {
            url: `${uri}/identity`,
            status: 200,
            bodyKind: 'plex-identity',
            machineIdentifier:
              spec.identity === 'mismatch' ? 'ffffffffffffffffffffffffffffffffffffffff' : HOME.machineIdentifier,
            identityMatches: spec.identity !== 'mismatch',
            resolvedVia: 'dns',
            ...(spec.serverDate ? { serverDate: spec.serverDate } : {}),
          },
          durationMs: 5,
        }
      : fail(spec.identity);
  const parsed = ConnectionsValue.parse({
    connections: [
      {
        uri,
        protocol: spec.protocol ?? (uri.startsWith('https:') ? 'https' : 'http'),
        host,
        port,
        kind: spec.relay ? 'relay' : spec.uri ? 'custom' : spec.local ? 'local' : 'remote',
        addressClass: classifyAddress(spec.address),
        address: spec.address,
        local: spec.local ?? false,
        relay: spec.relay ?? false,
        source: 'plex.tv',
        ...(spec.relay ? { notProbed: 'a Plex Relay connection' } : { tcp, identity }),
      },
    ],
  });
  return parsed.connections[0]!;
}

/** One resolver's answer for a plex.direct name: `ok` answers the encoded address unless `addresses` says otherwise. */
export interface DnsAnswerSpec {
  resolver?: string;
  outcome: 'ok' | 'rebinding-blocked' | 'wrong-answer' | 'nxdomain' | 'no-answer' | 'resolver-failed';
  addresses?: string[];
  code?: string;
  /** What the public control name did through the same resolver. @default resolved */
  control?: { resolved: boolean; code?: string };
}

const DNS_CONTROL = '1.1.1.1';

/** The plex.direct DNS observation: one name per address, with each resolver's answer (the system one, ok, by default). */
export function plexDirectDnsValue(
  ...names: {
    address: string;
    verdict?: 'ok' | 'rebinding-blocked' | 'wrong-answer' | 'resolver-failed';
    answers?: DnsAnswerSpec[];
  }[]
): PlexDirectDnsCollection {
  return PlexDirectDnsCollection.parse({
    names: names.map(({ address, verdict = 'ok', answers = [{ outcome: 'ok' }] }) => {
      const hostname = plexDirectHostname(address, HOME.certificateHash);
      return {
        hostname,
        result: {
          status: 'ok',
          durationMs: 3,
          value: {
            hostname,
            expected: address,
            encodedClass: classifyAddress(address),
            controlHostname: plexDirectHostname(DNS_CONTROL, HOME.certificateHash),
            verdict,
            answers: answers.map((a) => ({
              resolver: a.resolver ?? 'system',
              addresses: a.addresses ?? (a.outcome === 'ok' ? [address] : []),
              outcome: a.outcome,
              ...(a.code ? { code: a.code } : {}),
              control: {
                addresses: a.control?.resolved === false ? [] : [DNS_CONTROL],
                resolved: a.control?.resolved ?? true,
                ...(a.control?.code ? { code: a.control.code } : {}),
              },
              durationMs: 3,
            })),
          },
        },
      };
    }),
  });
}

/** Every built-in observation for a healthy home server reached through a UPnP-mapped 32400. */
export function healthyObservations(): Record<string, Observation> {
  return {
    'server.identity': ok(
      ServerIdentity.parse({
        machineIdentifier: HOME.machineIdentifier,
        version: '1.41.3.9314-a0bfb8370',
        claimed: true,
      }),
    ),
    'server.root': ok(
      ServerRoot.parse({
        machineIdentifier: HOME.machineIdentifier,
        friendlyName: HOME.name,
        version: '1.41.3.9314-a0bfb8370',
        platform: 'Linux',
        myPlex: true,
        myPlexMappingState: 'mapped',
        myPlexSigninState: 'ok',
        myPlexSubscription: true,
        myPlexUsername: 'plexowner',
        certificate: true,
      }),
    ),
    'server.prefs': ok(prefsValue()),
    'server.account': ok(accountValue()),
    'plextv.user': ok({
      id: 1,
      uuid: 'u1',
      username: 'plexowner',
      title: 'plexowner',
      subscription: { active: true, status: 'Active', features: [] },
    }),
    'plextv.resources': ok(resourcesValue()),
    'plextv.publicIp': ok(PublicIpValue.parse({ address: HOME.wan, class: 'public' })),
    'probe.target': ok({ address: HOME.server, port: HOME.port, family: 4, rttMs: 1 }),
    'probe.host': ok(hostValue()),
    'probe.upnp': ok(upnpValue()),
    'probe.natpmp': ok(natPmpValue()),
    'probe.connections': ok(
      ConnectionsValue.parse({
        connections: [
          probedConnection({ address: HOME.server, local: true }),
          probedConnection({ address: HOME.wan }),
          probedConnection({ address: HOME.relay, port: 8443, relay: true }),
        ],
      }),
    ),
    'probe.plexDirectDns': ok(plexDirectDnsValue({ address: HOME.server }, { address: HOME.wan })),
    'probe.gdm': ok({
      servers: [
        {
          machineIdentifier: HOME.machineIdentifier,
          name: HOME.name,
          port: HOME.port,
          address: HOME.server,
          addresses: [HOME.server],
          contentType: 'plex/media-server',
        },
      ],
      targets: ['239.0.0.250:32414'],
      sendErrors: [],
      ignoredReplies: 0,
    }),
  };
}

/** A snapshot around observations (healthy ones by default), as `collect` would write it. */
export function buildSnapshot(
  observations: Record<string, Observation> = healthyObservations(),
  overrides: Partial<Snapshot> = {},
): Snapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    tool: { name: 'plex-diagnose', version: 'test' },
    createdAt: HOME.createdAt,
    durationMs: 1500,
    target: { url: `http://${HOME.server}:${HOME.port}`, machineIdentifier: HOME.machineIdentifier, name: HOME.name },
    context: { tokenProvided: true, plexTv: true, experiments: [] },
    redaction: { token: true, ips: false },
    observations,
    ...overrides,
  };
}
