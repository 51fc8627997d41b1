/**
 * Documents the fake IGD serves: device descriptions in a few real-world flavours and SOAP envelopes, shaped like
 * miniupnpd 2.3.1's (docs/reference/netlab.md "Scenario 5": rootDesc.xml, /ctl/IPConn, WANIPConnection:2, UPnPError
 * faults).
 */
import { escapeXml } from '../xml-writer.js';

export type FakeIgdFlavour =
  /** miniupnpd 2.3.1: IGD:2 → WANDevice:2 → WANConnectionDevice:2 → WANIPConnection:2 at /ctl/IPConn, no URLBase. */
  | 'miniupnpd'
  /** An older IGD:1 router: URLBase, a relative controlURL, WANIPConnection:1. */
  | 'igd1'
  /** A PPPoE router: WANPPPConnection:1 only. */
  | 'ppp'
  /** A UPnP device with no WAN connection service (a media server answering the search). */
  | 'no-wan-service';

export interface FlavourInfo {
  serviceType: string;
  /** Path of the WAN connection service's control URL on the fake's HTTP server. */
  controlPath: string;
  /** Search targets the SSDP responder answers. */
  searchTargets: string[];
}

export const FLAVOURS: Record<FakeIgdFlavour, FlavourInfo> = {
  miniupnpd: {
    serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:2',
    controlPath: '/ctl/IPConn',
    searchTargets: [
      'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
      'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
      'urn:schemas-upnp-org:service:WANIPConnection:1',
      'urn:schemas-upnp-org:service:WANIPConnection:2',
    ],
  },
  igd1: {
    serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:1',
    controlPath: '/upnp/control/WANIPConn1',
    searchTargets: [
      'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
      'urn:schemas-upnp-org:service:WANIPConnection:1',
    ],
  },
  ppp: {
    serviceType: 'urn:schemas-upnp-org:service:WANPPPConnection:1',
    controlPath: '/ctl/PPPConn',
    searchTargets: [
      'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
      'urn:schemas-upnp-org:service:WANPPPConnection:1',
    ],
  },
  'no-wan-service': {
    serviceType: 'urn:schemas-upnp-org:service:ContentDirectory:1',
    controlPath: '/ctl/ContentDir',
    searchTargets: ['urn:schemas-upnp-org:device:InternetGatewayDevice:1'],
  },
};

const service = (type: string, id: string, control: string): string =>
  `<service><serviceType>${type}</serviceType><serviceId>urn:upnp-org:serviceId:${id}</serviceId><controlURL>${control}</controlURL><eventSubURL>/evt/${id}</eventSubURL><SCPDURL>/${id}.xml</SCPDURL></service>`;

const device = (type: string, name: string, services: string[], children: string[] = []): string =>
  `<device><deviceType>${type}</deviceType><friendlyName>${escapeXml(name)}</friendlyName><manufacturer>Debian</manufacturer>` +
  `<manufacturerURL>http://www.debian.org/</manufacturerURL><modelDescription>${escapeXml(name)}</modelDescription><modelName>${escapeXml(name)}</modelName>` +
  `<modelNumber>1</modelNumber><serialNumber>00000000</serialNumber><UDN>uuid:c0dcda0d-6ee0-4a96-a745-7b2c6d971ab0</UDN>` +
  `<serviceList>${services.join('')}</serviceList>${children.length ? `<deviceList>${children.join('')}</deviceList>` : ''}</device>`;

/** miniupnpd's IPv6 firewall service (IGDv2, built with IPv6 and `ipv6_disable=no`): type and control path. */
export const IPV6_FIREWALL = {
  serviceType: 'urn:schemas-upnp-org:service:WANIPv6FirewallControl:1',
  controlPath: '/ctl/IP6FCtl',
} as const;

/**
 * The description document for a flavour; `base` is `http://host:port` (used by the igd1 URLBase). `ipv6Firewall`
 * lists WANIPv6FirewallControl:1 beside the connection service, where miniupnpd puts it.
 */
export function renderDescription(
  flavour: FakeIgdFlavour,
  base: string,
  friendlyName = 'Debian router',
  ipv6Firewall = false,
): string {
  const firewall = ipv6Firewall
    ? [service(IPV6_FIREWALL.serviceType, 'WANIPv6Firewall1', IPV6_FIREWALL.controlPath)]
    : [];
  const head =
    '<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0" configId="1337"><specVersion><major>1</major><minor>1</minor></specVersion>';
  const igd = (version: 1 | 2, connection: string): string =>
    device(
      `urn:schemas-upnp-org:device:InternetGatewayDevice:${version}`,
      friendlyName,
      [service('urn:schemas-upnp-org:service:Layer3Forwarding:1', 'L3Forwarding1', '/ctl/L3F')],
      [
        device(
          `urn:schemas-upnp-org:device:WANDevice:${version}`,
          'WANDevice',
          [service('urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1', 'WANCommonIFC1', '/ctl/CmnIfCfg')],
          [
            device(`urn:schemas-upnp-org:device:WANConnectionDevice:${version}`, 'WANConnectionDevice', [
              connection,
              ...firewall,
            ]),
          ],
        ),
      ],
    );
  switch (flavour) {
    case 'miniupnpd':
      return `${head}${igd(2, service(FLAVOURS.miniupnpd.serviceType, 'WANIPConn1', FLAVOURS.miniupnpd.controlPath))}</root>`;
    case 'igd1':
      // Relative controlURL without a leading slash: must resolve against URLBase, not the description's path.
      return `${head}<URLBase>${base}/</URLBase>${igd(1, service(FLAVOURS.igd1.serviceType, 'WANIPConn1', FLAVOURS.igd1.controlPath.slice(1)))}</root>`;
    case 'ppp':
      return `${head}${igd(1, service(FLAVOURS.ppp.serviceType, 'WANPPPConn1', FLAVOURS.ppp.controlPath))}</root>`;
    case 'no-wan-service':
      return `${head}${device('urn:schemas-upnp-org:device:MediaServer:1', 'NAS media server', [service(FLAVOURS['no-wan-service'].serviceType, 'ContentDirectory', FLAVOURS['no-wan-service'].controlPath)])}</root>`;
  }
}

const ENVELOPE_HEAD =
  '<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>';
const ENVELOPE_TAIL = '</s:Body></s:Envelope>\r\n';

export function renderSoapResponse(
  serviceType: string,
  action: string,
  values: Record<string, string | number | boolean> = {},
): string {
  const inner = Object.entries(values)
    .map(
      ([name, value]) =>
        `<${name}>${escapeXml(typeof value === 'boolean' ? (value ? '1' : '0') : String(value))}</${name}>`,
    )
    .join('');
  return `${ENVELOPE_HEAD}<u:${action}Response xmlns:u="${serviceType}">${inner}</u:${action}Response>${ENVELOPE_TAIL}`;
}

/** miniupnpd's fault body (sent with HTTP 500). */
export function renderSoapFault(code: number, description: string): string {
  return (
    `${ENVELOPE_HEAD}<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>` +
    `<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode><errorDescription>${escapeXml(description)}</errorDescription></UPnPError>` +
    `</detail></s:Fault>${ENVELOPE_TAIL}`
  );
}

export const MINIUPNPD_SERVER = 'Debian/6.18.44-fc-v782 UPnP/1.1 MiniUPnPd/2.3.1';

/** A search reply with miniupnpd's header set. */
export function renderSsdpReply(searchTarget: string, location: string, server = MINIUPNPD_SERVER): string {
  return [
    'HTTP/1.1 200 OK',
    'CACHE-CONTROL: max-age=120',
    `ST: ${searchTarget}`,
    `USN: uuid:c0dcda0d-6ee0-4a96-a745-7b2c6d971ab0::${searchTarget}`,
    'EXT:',
    `SERVER: ${server}`,
    `LOCATION: ${location}`,
    'OPT: "http://schemas.upnp.org/upnp/1/0/"; ns=01',
    '01-NLS: 1795601327',
    'BOOTID.UPNP.ORG: 1795601327',
    'CONFIGID.UPNP.ORG: 1337',
    '',
    '',
  ].join('\r\n');
}
