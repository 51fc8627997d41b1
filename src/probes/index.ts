// `plex-diagnose/probes`: raw network facts. Each probe takes `{ timeoutMs, signal }`, never throws and returns a
// `ProbeResult<T>` whose value has a zod schema (exported under the same name as its type). Packet parsers (SSDP,
// SOAP, NAT-PMP, GDM) stay internal: the probes and the IGD client are the supported way in. Every export is named.

// The shared result shape, and the set of probes a collection uses (replace any of them through `probes` in
// `collect`/`diagnose` options) with where the LAN-side ones send their packets.
export type { ProbeResult, ProbeError, ProbeOptions, ProbePhase } from './types.js';
export type { NetworkProbeSet, NetworkOptions } from './probe-set.js';

// TCP connect.
export { probeTcp, tcpState, TcpProbeValue } from './tcp.js';
export type { TcpProbeOptions, TcpState } from './tcp.js';

// Identity over HTTP or TLS (a plex.direct name is dialled by its encoded IP with the right SNI when DNS fails).
export { probeIdentity, identityUrl, IdentityProbeValue } from './identity/probe.js';
export type { IdentityProbeOptions } from './identity/probe.js';
export { IdentityBodyKind } from './identity/body.js';
export { ResolvedVia } from './identity/route.js';
export { TlsInfo, TlsCertificateInfo } from './identity/tls-capture.js';

// plex.direct DNS (DNS rebinding protection on the resolver).
export {
  probePlexDirectDns,
  isRebindingSuspect,
  PlexDirectDnsValue,
  DnsResolverAnswer,
  DnsAnswerOutcome,
  DnsControlAnswer,
  PlexDirectDnsVerdict,
} from './dns.js';
export type { PlexDirectDnsOptions } from './dns.js';

// The router: UPnP IGD (discovery, read-only probe, a client that can add/delete mappings) and NAT-PMP.
export { discoverIgd } from './upnp/discover.js';
export type { DiscoverIgdOptions } from './upnp/discover.js';
export { probeUpnp } from './upnp/probe.js';
export type { ProbeUpnpOptions } from './upnp/probe.js';
export { createIgdClient, describeUpnpError } from './upnp/client.js';
export type {
  IgdClient,
  IgdClientOptions,
  IgdCallOptions,
  IgdCallResult,
  AddPortMappingInput,
  ListPortMappingsResult,
} from './upnp/client.js';
export {
  UpnpProbeValue,
  IgdDiscovery,
  IgdServiceRef,
  PortMappingEntry,
  IndexedPortMapping,
  PortMappingProtocol,
  ConnectionStatusInfo,
  UpnpActionError,
  ExternalIpStatus,
} from './upnp/schema.js';
export { probeNatPmp, natPmpMapPort, natPmpUnmapPort, NatPmpValue, NatPmpMapping } from './natpmp/probe.js';
export type { NatPmpOptions, NatPmpMapOptions } from './natpmp/probe.js';
export type { NatPmpProtocol } from './natpmp/packet.js';

// GDM: Plex's LAN discovery.
export { discoverGdm, GdmDiscovery, GdmServer } from './gdm.js';
export type { DiscoverGdmOptions, GdmStopWhen, GdmTarget } from './gdm.js';

// Kubernetes: this pod and the Services in front of it, read through the in-cluster API (the token never leaves it).
export { probeKubernetes } from './kubernetes/probe.js';
export type { ProbeKubernetesOptions, KubernetesProbeValue } from './kubernetes/probe.js';
export type { KubernetesEnvironment, KubernetesSources, KubernetesCredentials } from './kubernetes/environment.js';
export type { ApiRead } from './kubernetes/api-client.js';
export { Pod, ServiceList } from './kubernetes/api-shapes.js';

// This host: interfaces and their address classes, default routes, container, bridges, VPN.
export { probeHost, defaultIpv4Gateway } from './host/index.js';
export {
  HostInfo,
  HostInterface,
  HostAddress,
  DefaultRoute,
  RouteEntry,
  ContainerInfo,
  ContainerRuntime,
  BridgeAddress,
  VpnInfo,
} from './host/schema.js';
export type { ProbeHostOptions } from './host/index.js';
export type { HostSources } from './host/sources.js';

// Address facts the probes and rules reason with.
export { classifyAddress, isPublicAddress, isInCidr, containerNetworkOf } from '../core/net/address.js';
export type { AddressClass, ContainerNetwork } from '../core/net/address.js';
export { AddressClassSchema } from './address-class.js';
export { parsePlexDirectName, plexDirectHostname, isPlexDirectHost } from '../core/net/plex-direct.js';
export type { PlexDirectName } from '../core/net/plex-direct.js';
