/**
 * The probe functions a collection uses, as one replaceable set, and where the LAN-side probes send their packets.
 * They live with the probes (not in collect/) so `plex-diagnose/probes` can name them without pointing up a layer.
 */
import { discoverGdm } from './gdm.js';
import { probeHost } from './host/index.js';
import { readHostFirewall } from './host/firewall/index.js';
import { probeHostListen } from './host/listen.js';
import { probeIdentity } from './identity/probe.js';
import { probeKubernetes } from './kubernetes/probe.js';
import { probeNatPmp } from './natpmp/probe.js';
import { probePlexDirectDns } from './dns.js';
import { probeTcp } from './tcp.js';
import { probeUpnp } from './upnp/probe.js';

export interface NetworkProbeSet {
  tcp: typeof probeTcp;
  identity: typeof probeIdentity;
  plexDirectDns: typeof probePlexDirectDns;
  upnp: typeof probeUpnp;
  natpmp: typeof probeNatPmp;
  gdm: typeof discoverGdm;
  host: typeof probeHost;
  kubernetes: typeof probeKubernetes;
  /** Plex's listening sockets on this host (Linux /proc/net/tcp{,6}). */
  hostListen: typeof probeHostListen;
  /** This host's firewall, read-only (nft, iptables-save, ufw, firewalld). */
  hostFirewall: typeof readHostFirewall;
}

export const defaultNetworkProbes: NetworkProbeSet = {
  tcp: probeTcp,
  identity: probeIdentity,
  plexDirectDns: probePlexDirectDns,
  upnp: probeUpnp,
  natpmp: probeNatPmp,
  gdm: discoverGdm,
  host: probeHost,
  kubernetes: probeKubernetes,
  hostListen: probeHostListen,
  hostFirewall: readHostFirewall,
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
