/**
 * A scenario preset is plain data: who the server is (fake Plex Media Server options), what the network around it does
 * (router, upstream NAT, ISP, VPN, container, resolver) and which root cause `diagnose` must put first. `startScenario`
 * turns it into real loopback fakes plus probe-level facts for what a loopback test cannot create.
 */
import type { FakeDnsMode } from '../fake-dns.js';

/** A rule's finding, by the ids tests check (wording may change, ids do not). */
export interface ExpectedFinding {
  ruleId: string;
  messageId: string;
}

/**
 * What `diagnose` must report: first a rule's finding (rank root-cause), plus `also` anywhere in the report (e.g. a
 * symptom the root cause explains); or, for 'healthy', nothing of severity warning or error.
 */
export type ScenarioExpectation = (ExpectedFinding & { also?: readonly ExpectedFinding[] }) | 'healthy';

/** A forward on the router: external TCP port → LAN host and port. */
export interface ScenarioForward {
  externalPort: number;
  /** @default the server's LAN address (HOME.server) */
  internalClient?: string;
  /** @default the port the fake server really listens on (32400 when it could bind it) */
  internalPort?: number;
  /** @default 'Plex Media Server' */
  description?: string;
}

export interface ScenarioRouter {
  /**
   * The router's own WAN address, as its UPnP IGD and NAT-PMP report it. '' imitates miniupnpd with a private or
   * shared WAN address (it answers GetExternalIPAddress with an empty string). @default HOME.wan
   */
  wan?: string;
  /** The router runs a UPnP IGD (discoverable, with a readable mapping table). @default true */
  upnp?: boolean;
  /** The IGD refuses Plex's automatic mapping requests (718), e.g. UPnP denied for this host. @default false */
  upnpRefusesMapping?: boolean;
  /** The router answers NAT-PMP. @default true */
  natPmp?: boolean;
  /** Forwards already on the router (made by hand, or by an earlier UPnP request); listed over UPnP. @default [] */
  forwards?: ScenarioForward[];
  /** Connections from the LAN to the public address are looped back to the forward (NAT loopback). @default true */
  natLoopback?: boolean;
}

export interface ScenarioNetwork {
  /** @default a UPnP + NAT-PMP router holding HOME.wan that maps what Plex asks for */
  router?: ScenarioRouter;
  /**
   * The address plex.tv sees connections from this network come from. When it differs from the router's WAN address,
   * something upstream (a modem-router, the ISP's CGNAT) translates again and forwards nothing. @default HOME.wan
   */
  publicAddress?: string;
  /** Inbound TCP ports the ISP filters before they reach the router. @default [] */
  ispBlockedPorts?: number[];
  /** The server's default route goes through a VPN; plex.tv then sees `exitAddress`. @default undefined (no VPN) */
  vpn?: { interface: string; exitAddress: string };
  /**
   * Plex runs in a container on a bridge network with this address; the host publishes the server's port on its LAN
   * address (`-p 32400:32400`), so only the host reaches `address` directly. @default undefined (no container)
   */
  container?: { address: string };
  /** What the LAN's resolver does to `*.plex.direct` answers (see FakeDnsMode). @default 'plex-direct' */
  dns?: FakeDnsMode;
  /** Host names the resolver answers besides plex.direct ones (custom access URLs): name → IPv4. @default {} */
  names?: Record<string, string>;
  /** Where plex-diagnose runs: on the server's host, or on another machine of the same LAN. @default 'server' */
  vantage?: 'server' | 'lan';
}

/** The subset of the fake Plex Media Server's options a scenario sets. */
export interface ScenarioServer {
  /** Pref values (ids of FAKE_SETTINGS), e.g. `{ ManualPortMappingMode: true }`. @default {} */
  prefs?: Record<string, string | number | boolean>;
  /** @default true */
  claimed?: boolean;
  /** @default true */
  signedIn?: boolean;
  /** @default HOME.name */
  friendlyName?: string;
}

export interface ScenarioDefinition {
  /** Stable id, kebab-case: the `demo` argument. */
  name: string;
  /** One line for listings. */
  title: string;
  /** What the setup is and what a user sees, in a sentence or two. */
  description: string;
  expected: ScenarioExpectation;
  /** @default a claimed, signed-in server with default prefs */
  server?: ScenarioServer;
  /** @default a healthy home network */
  network?: ScenarioNetwork;
}

export type Scenario = Readonly<ScenarioDefinition>;

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Identity helper that checks the name and freezes the definition (presets are shared by every caller). */
export function defineScenario<const Name extends string>(
  definition: ScenarioDefinition & { name: Name },
): Scenario & { readonly name: Name } {
  if (!NAME.test(definition.name)) throw new TypeError(`scenario name "${definition.name}" must be kebab-case`);
  return Object.freeze({ ...definition });
}
