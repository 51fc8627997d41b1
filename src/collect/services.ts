/**
 * What collectors talk to: the two API clients and the probe functions. Everything here is injectable, so the
 * scenario presets and tests can supply network facts (a UPnP table, a VPN route) that a loopback test cannot create.
 */
import { discoverGdm } from '../probes/gdm.js';
import { probeHost } from '../probes/host/index.js';
import { probeIdentity } from '../probes/identity/probe.js';
import { probeNatPmp } from '../probes/natpmp/probe.js';
import { probePlexDirectDns } from '../probes/dns.js';
import { probeTcp } from '../probes/tcp.js';
import { probeUpnp } from '../probes/upnp/probe.js';
import type { PlexTvClient } from '../clients/plextv/client.js';
import type { ServerClient } from '../clients/server/client.js';
import type { DeclaredFacts } from './values/declared.js';

export interface ProbeSet {
  tcp: typeof probeTcp;
  identity: typeof probeIdentity;
  plexDirectDns: typeof probePlexDirectDns;
  upnp: typeof probeUpnp;
  natpmp: typeof probeNatPmp;
  gdm: typeof discoverGdm;
  host: typeof probeHost;
}

export const defaultProbes: ProbeSet = {
  tcp: probeTcp,
  identity: probeIdentity,
  plexDirectDns: probePlexDirectDns,
  upnp: probeUpnp,
  natpmp: probeNatPmp,
  gdm: discoverGdm,
  host: probeHost,
};

/** Where the LAN-side probes send their packets; every field has a sensible default. */
export interface NetworkOptions {
  /** Skip SSDP and read this UPnP device description. @default undefined (discover) */
  upnpLocation?: string;
  /** @default '239.255.255.250:1900' */
  ssdpAddress?: string;
  /** NAT-PMP gateway `host` or `host:port`. @default the default gateway, port 5351 */
  natPmpGateway?: string;
  /** GDM targets `host:port`. @default 239.0.0.250:32414 and 255.255.255.255:32414 */
  gdmTargets?: string[];
  /** Extra DNS servers (`ip` or `ip:port`) to check plex.direct names against, besides the system resolver. */
  resolvers?: string[];
}

export interface CollectServices {
  /** The target Plex Media Server. */
  server: ServerClient;
  /**
   * The same server, not bound to the collection's abort signal: for restoring what an experiment changed, which must
   * still reach the server after Ctrl-C.
   */
  serverForRestore?: ServerClient;
  /** plex.tv; absent when disabled (`--no-plextv`). */
  plexTv?: PlexTvClient;
  /** Whether a token was given (the clients hold it; collectors never see it). */
  tokenProvided: boolean;
  probes: ProbeSet;
  network: NetworkOptions;
  /** What the user stated (flags, or answers on a terminal); the `declared.*` collectors record it. */
  declared?: DeclaredFacts;
}
