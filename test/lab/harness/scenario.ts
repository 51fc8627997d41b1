/**
 * The declarative description of a lab: which networks sit between the Plex server and the internet, what the router
 * forwards, what the ISP blocks, which resolver the LAN uses, and which fakes run where. Addresses follow the verified
 * topology in docs/reference/netlab.md ("Topology").
 */
import { randomBytes } from 'node:crypto';

/** The namespaces a lab can have, by role. */
export type LabRole = 'lan' | 'rtr' | 'modem' | 'isp' | 'inet' | 'ctr';

export interface PortForward {
  externalPort: number;
  /** Where the router sends it, e.g. '192.168.1.10' (or a host that does not exist: the wrong-host scenario). */
  internalHost: string;
  internalPort: number;
  /** @default 'tcp' */
  protocol?: 'tcp' | 'udp';
}

export interface IspBlock {
  port: number;
  /** drop = the caller times out; reject = TCP reset (connection refused). */
  action: 'drop' | 'reject';
  /** @default 'tcp' */
  protocol?: 'tcp' | 'udp';
}

export interface RouterOptions {
  /** Static port forwards (nft DNAT on the WAN side). @default [] */
  forwards?: PortForward[];
  /**
   * - `miniupnpd`: the real daemon (refuses to report a private/CGNAT WAN address: external IP "").
   * - `consumer-igd`: the project's fake IGD on 192.168.1.1, reporting the router's real WAN address (also 10.x or
   *   100.64.x, as consumer routers behind a modem or CGNAT do) and applying real nft DNAT rules for its mappings.
   * @default 'none'
   */
  upnp?: 'none' | 'miniupnpd' | 'consumer-igd';
  /** Mappings only to the asking host (miniupnpd secure_mode, and the fake IGD's). @default true */
  upnpSecureMode?: boolean;
  /** NAT-PMP/PCP on 192.168.1.1:5351 (miniupnpd only). @default true */
  natpmp?: boolean;
  /** miniupnpd `ext_ip=`: the address it claims instead of its WAN interface's (must be public). @default none */
  upnpExternalIp?: string;
}

export interface PlexServerOptions {
  /**
   * manual = ManualPortMappingMode on, public port `manualPort`; automatic = the server maps its own port over UPnP
   * (the project's IGD client) like a real PMS. @default 'manual'
   */
  portMapping?: 'manual' | 'automatic';
  /** @default 32400 */
  manualPort?: number;
  /** External port an automatic mapping asks for. @default 32400 */
  automaticExternalPort?: number;
  /** Extra prefs (ids from FAKE_SETTINGS). @default {} */
  prefs?: Record<string, string | number | boolean>;
  /** @default 'lab-plex' */
  friendlyName?: string;
  /** @default random */
  machineIdentifier?: string;
  /** @default true */
  claimed?: boolean;
  /** @default true */
  signedIn?: boolean;
  /** SSDP + SOAP deadline of the automatic mapping. @default 1500 */
  upnpTimeoutMs?: number;
  /**
   * The `<hash>` of the server's `*.<hash>.plex.direct` certificate, which every current PMS has: plex.tv then lists
   * its connections as `https://<ip-dashed>.<hash>.plex.direct:<port>`. false = a server without one (plain http
   * connections). @default a random 32-hex hash per lab
   */
  certificateHash?: string | false;
}

export interface PlexTvOptions {
  /** Deadline of the connect-back check. @default 1000 (every hop is a veth) */
  connectBackTimeoutMs?: number;
}

export interface LabScenario {
  /** For logs and error messages. @default 'lab' */
  name?: string;
  /** public: router WAN 84.1.1.2; double-nat: router WAN 10.0.0.2 behind a modem on 84.1.1.2; cgnat: router WAN 100.64.0.2, ISP masquerades to 84.0.0.1. @default 'public' */
  wan?: 'public' | 'double-nat' | 'cgnat';
  /** @default {} */
  router?: RouterOptions;
  /** The outer router in double NAT. @default {} */
  modem?: { forwards?: PortForward[] };
  /** Filtering in the ISP towards the customer. @default {} */
  isp?: { block?: IspBlock[] };
  /**
   * The LAN's resolver: dnsmasq on 192.168.1.1 forwarding plex.direct to a plex.direct stand-in; rebind-protect adds
   * `--stop-dns-rebind`; none = no resolver at all. @default 'plain'
   */
  dns?: 'none' | 'plain' | 'rebind-protect';
  /** A Docker-style bridge: the server runs in a "ctr" namespace behind the LAN host. @default none */
  container?: { bridge?: string; publish?: number[] };
  /** The fake plex.tv on 203.0.113.50:80 in inet; false = not started. @default {} */
  plexTv?: PlexTvOptions | false;
  /** The fake Plex Media Server on :32400 in lan (or ctr); false = not started. @default {} */
  plex?: PlexServerOptions | false;
  /**
   * Native IPv6 beside the IPv4 topology (no NAT: the ISP routes the home a global /64, LAB_IPV6): lan, rtr, isp and
   * inet get addresses and routes, the routers forward IPv6, and the fake PMS is told its global address (it publishes
   * and listens on it while its EnableIPv6 pref is on). Not with `container`. @default false
   */
  ipv6?: boolean;
}

/** Fixed addresses of the topology (docs/reference/netlab.md). */
export const LAB_ADDRESSES = {
  lanHost: '192.168.1.10',
  routerLan: '192.168.1.1',
  /** The home's public address: router WAN (public), modem WAN (double NAT). */
  homePublic: '84.1.1.2',
  ispCustomerGateway: '84.1.1.1',
  doubleNatRouterWan: '10.0.0.2',
  modemLan: '10.0.0.1',
  cgnatRouterWan: '100.64.0.2',
  cgnatGateway: '100.64.0.1',
  /** The ISP's own uplink address; CGNAT customers leave from it. */
  ispPublic: '84.0.0.1',
  internetUplink: '84.0.0.2',
  plexTv: '203.0.113.50',
  plexDirectDns: '203.0.113.53',
  remoteClient: '198.51.100.20',
} as const;

/**
 * The IPv6 plan of an `ipv6: true` lab. Global unicast (2000::/3) as our address classes see it: the documentation
 * prefix 2001:db8::/32 counts as reserved there, so the lab uses a real-looking prefix; like 84.1.1.2 it exists only
 * inside the lab's namespaces, which have no link to any real network.
 */
export const LAB_IPV6 = {
  /** The home's /64 (the ISP routes it to the router). */
  homePrefix: '2a00:1450:4001:1::/64',
  lanHost: '2a00:1450:4001:1::10',
  routerLan: '2a00:1450:4001:1::1',
  routerWan: '2a00:1450:4001:ff::2',
  ispCustomer: '2a00:1450:4001:ff::1',
  ispUplink: '2a00:1450:4002:ff::1',
  internetUplink: '2a00:1450:4002:ff::2',
  /** A remote client with IPv6 on the internet (a /128 on inet's lo). */
  remoteClient: '2a00:1450:4003::20',
} as const;

export interface NormalizedScenario {
  ipv6: boolean;
  name: string;
  wan: 'public' | 'double-nat' | 'cgnat';
  router: Required<Omit<RouterOptions, 'upnpExternalIp'>> & { upnpExternalIp?: string };
  modem: { forwards: PortForward[] };
  isp: { block: IspBlock[] };
  dns: 'none' | 'plain' | 'rebind-protect';
  container?: { bridge: string; hostAddress: string; serverAddress: string; prefixLength: number; publish: number[] };
  plexTv: Required<PlexTvOptions> | false;
  plex:
    | (Required<Omit<PlexServerOptions, 'machineIdentifier' | 'certificateHash'>> & {
        machineIdentifier?: string;
        certificateHash: string | false;
      })
    | false;
}

/** The bridge's first host address for the "docker0" side, the second for the container (172.17.0.1 / .2). */
function containerAddresses(bridge: string): Omit<NonNullable<NormalizedScenario['container']>, 'publish'> {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(bridge);
  const length = Number(match?.[5]);
  if (!match || length < 8 || length > 30)
    throw new Error(`lab: container.bridge must be an IPv4 CIDR /8-/30, got "${bridge}"`);
  const address = match.slice(1, 5).reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const network = (address & ((0xffffffff << (32 - length)) >>> 0)) >>> 0;
  const dotted = (n: number): string => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
  return { bridge, hostAddress: dotted(network + 1), serverAddress: dotted(network + 2), prefixLength: length };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const isPort = (port: number): boolean => Number.isInteger(port) && port >= 1 && port <= 65535;

/** Values end up in nft rulesets and config files: only literal addresses and real ports get that far. */
function checkForwards(forwards: readonly PortForward[], where: string): void {
  for (const f of forwards) {
    if (!IPV4.test(f.internalHost) || !isPort(f.externalPort) || !isPort(f.internalPort)) {
      throw new Error(`lab: ${where} ${JSON.stringify(f)} needs an IPv4 internalHost and ports 1-65535`);
    }
  }
}

export function normalizeScenario(scenario: LabScenario): NormalizedScenario {
  const router = scenario.router ?? {};
  const wan = scenario.wan ?? 'public';
  if (scenario.modem?.forwards?.length && wan !== 'double-nat')
    throw new Error('lab: modem.forwards needs wan: "double-nat"');
  checkForwards(router.forwards ?? [], 'router.forwards');
  checkForwards(scenario.modem?.forwards ?? [], 'modem.forwards');
  if ((scenario.isp?.block ?? []).some((block) => !isPort(block.port)))
    throw new Error('lab: isp.block ports must be 1-65535');
  if (router.upnpExternalIp !== undefined && !IPV4.test(router.upnpExternalIp))
    throw new Error('lab: router.upnpExternalIp must be an IPv4 address');
  if (scenario.ipv6 && scenario.container) throw new Error('lab: ipv6 is not wired for container scenarios');
  const hash = scenario.plex ? scenario.plex.certificateHash : undefined;
  // It ends up in an openssl subject and in DNS names.
  if (typeof hash === 'string' && !/^[0-9a-f]{32}$/.test(hash))
    throw new Error('lab: plex.certificateHash must be 32 lowercase hex characters');
  return {
    ipv6: scenario.ipv6 ?? false,
    name: scenario.name ?? 'lab',
    wan,
    router: {
      forwards: router.forwards ?? [],
      upnp: router.upnp ?? 'none',
      upnpSecureMode: router.upnpSecureMode ?? true,
      natpmp: router.natpmp ?? true,
      ...(router.upnpExternalIp ? { upnpExternalIp: router.upnpExternalIp } : {}),
    },
    modem: { forwards: scenario.modem?.forwards ?? [] },
    isp: { block: scenario.isp?.block ?? [] },
    dns: scenario.dns ?? 'plain',
    ...(scenario.container
      ? {
          container: {
            ...containerAddresses(scenario.container.bridge ?? '172.17.0.0/16'),
            publish: scenario.container.publish ?? [32400],
          },
        }
      : {}),
    plexTv: scenario.plexTv === false ? false : { connectBackTimeoutMs: scenario.plexTv?.connectBackTimeoutMs ?? 1000 },
    plex:
      scenario.plex === false
        ? false
        : {
            portMapping: scenario.plex?.portMapping ?? 'manual',
            manualPort: scenario.plex?.manualPort ?? 32400,
            automaticExternalPort: scenario.plex?.automaticExternalPort ?? 32400,
            prefs: scenario.plex?.prefs ?? {},
            friendlyName: scenario.plex?.friendlyName ?? 'lab-plex',
            claimed: scenario.plex?.claimed ?? true,
            signedIn: scenario.plex?.signedIn ?? true,
            upnpTimeoutMs: scenario.plex?.upnpTimeoutMs ?? 1500,
            certificateHash: scenario.plex?.certificateHash ?? randomBytes(16).toString('hex'),
            ...(scenario.plex?.machineIdentifier ? { machineIdentifier: scenario.plex.machineIdentifier } : {}),
          },
  };
}

/** The roles a scenario needs, in creation order. */
export function rolesOf(scenario: NormalizedScenario): LabRole[] {
  return [
    'lan',
    'rtr',
    ...(scenario.wan === 'double-nat' ? (['modem'] as const) : []),
    'isp',
    'inet',
    ...(scenario.container ? (['ctr'] as const) : []),
  ];
}

/** Addresses that depend on the scenario. */
export interface LabAddresses {
  /** What plex.tv sees as the home's address (84.1.1.2, or the ISP's 84.0.0.1 behind CGNAT). */
  publicIp: string;
  /** The home router's WAN address (84.1.1.2, 10.0.0.2 or 100.64.0.2). */
  routerWanIp: string;
  /** The address the Plex server has (192.168.1.10, or the container's 172.17.0.2). */
  serverIp: string;
  /** Where LAN clients reach the server (always the LAN host, 192.168.1.10). */
  serverLanIp: string;
  /** The server host's global IPv6 address (`ipv6: true` labs only). */
  serverIpv6?: string;
}

export function addressesOf(scenario: NormalizedScenario): LabAddresses {
  const routerWanIp = {
    public: LAB_ADDRESSES.homePublic,
    'double-nat': LAB_ADDRESSES.doubleNatRouterWan,
    cgnat: LAB_ADDRESSES.cgnatRouterWan,
  }[scenario.wan];
  return {
    publicIp: scenario.wan === 'cgnat' ? LAB_ADDRESSES.ispPublic : LAB_ADDRESSES.homePublic,
    routerWanIp,
    serverIp: scenario.container?.serverAddress ?? LAB_ADDRESSES.lanHost,
    serverLanIp: LAB_ADDRESSES.lanHost,
    ...(scenario.ipv6 ? { serverIpv6: LAB_IPV6.lanHost } : {}),
  };
}

/** Binaries a scenario needs besides ip, nft and node. */
export function toolsFor(scenario: LabScenario): string[] {
  const normalized = normalizeScenario(scenario);
  return [
    ...(normalized.router.upnp === 'miniupnpd' ? ['miniupnpd'] : []),
    ...(normalized.dns === 'none' ? [] : ['dnsmasq']),
    ...(normalized.plex && normalized.plex.certificateHash ? ['openssl'] : []),
  ];
}
