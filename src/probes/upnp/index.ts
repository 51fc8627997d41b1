// UPnP IGD: discovery (SSDP + description), the read-only probe, and the client the alternate-port experiment uses.
export { discoverIgd, DEFAULT_DISCOVERY_TIMEOUT_MS } from './discover.js';
export type { DiscoverIgdOptions } from './discover.js';
export { probeUpnp, DEFAULT_UPNP_TIMEOUT_MS } from './probe.js';
export type { ProbeUpnpOptions } from './probe.js';
export { createIgdClient, describeUpnpError, MAX_PORT_MAPPINGS, DEFAULT_IGD_CALL_TIMEOUT_MS } from './client.js';
export type {
  IgdClient,
  IgdClientOptions,
  IgdCallOptions,
  IgdCallResult,
  AddPortMappingInput,
  ListPortMappingsResult,
} from './client.js';
export { parseSsdpReply, buildMSearch, IGD_SEARCH_TARGETS, SSDP_MULTICAST_ADDRESS, SSDP_PORT } from './ssdp.js';
export type { SsdpReply } from './ssdp.js';
export {
  parseDeviceDescription,
  pickWanService,
  WAN_SERVICE_TYPES,
  DeviceDescription,
  UpnpService,
} from './description.js';
export { parseSoapResponse, buildSoapEnvelope, soapCall, UPNP_ERROR_NAMES } from './soap.js';
export type { SoapParseResult, SoapCallResult, SoapArgument, SoapCallOptions } from './soap.js';
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
} from './schema.js';
