/**
 * SSDP search (UPnP Device Architecture 1.1 §1.3): an `M-SEARCH * HTTP/1.1` datagram per search target, unicast
 * `HTTP/1.1 200 OK` replies with a LOCATION header pointing at the device description. Reply headers seen from
 * miniupnpd 2.3.1 are in docs/reference/netlab.md "Scenario 5" (CACHE-CONTROL, ST, USN, EXT, SERVER, LOCATION, OPT,
 * 01-NLS, ...).
 */
import type { RemoteInfo } from 'node:dgram';
import { ipFamily } from '../../core/net/address.js';
import { openUdpSession, type UdpSession } from '../udp.js';

/** The SSDP multicast group and port. */
export const SSDP_MULTICAST_ADDRESS = '239.255.255.250';
export const SSDP_PORT = 1900;

/** What we search for: both IGD versions and the three connection services a port mapping can be asked of. */
export const IGD_SEARCH_TARGETS = [
  'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
  'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
] as const;

export interface SsdpReply {
  statusCode: number;
  /** Header names lower-cased; the last value wins for repeated names. */
  headers: Record<string, string>;
  location?: string;
  st?: string;
  usn?: string;
  server?: string;
}

/** The M-SEARCH datagram. `host` is the HOST header value (the group address, or the unicast target in tests). */
export function buildMSearch(searchTarget: string, host: string, mx = 2): Buffer {
  return Buffer.from(
    `M-SEARCH * HTTP/1.1\r\nHOST: ${host}\r\nMAN: "ssdp:discover"\r\nMX: ${mx}\r\nST: ${searchTarget}\r\n\r\n`,
    'utf8',
  );
}

const STATUS_LINE = /^HTTP\/1\.[01]\s+(\d{3})(?:\s.*)?$/i;
const MAX_DATAGRAM = 8 * 1024;

/**
 * Parses a search reply. Anything that is not an `HTTP/1.x <status>` message (junk, NOTIFY, our own M-SEARCH echoed
 * back) is `undefined`; this never throws, whatever the bytes.
 */
export function parseSsdpReply(data: Buffer | string): SsdpReply | undefined {
  const text = (typeof data === 'string' ? data : data.subarray(0, MAX_DATAGRAM).toString('latin1')).slice(
    0,
    MAX_DATAGRAM,
  );
  const lines = text.split(/\r?\n/);
  const match = STATUS_LINE.exec((lines[0] ?? '').trim());
  if (!match) return undefined;
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const line of lines.slice(1)) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[a-z0-9._-]+$/.test(name)) continue;
    headers[name] = line.slice(colon + 1).trim();
  }
  const reply: SsdpReply = { statusCode: Number(match[1]), headers: { ...headers } };
  if (headers.location) reply.location = headers.location;
  if (headers.st) reply.st = headers.st;
  if (headers.usn) reply.usn = headers.usn;
  if (headers.server) reply.server = headers.server;
  return reply;
}

/** True for a 200 reply whose LOCATION is an absolute http(s) URL. */
export function isUsableReply(reply: SsdpReply): reply is SsdpReply & { location: string } {
  if (reply.statusCode !== 200 || !reply.location) return false;
  try {
    const url = new URL(reply.location);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export interface SsdpSearchOptions {
  target: { address: string; port: number };
  searchTargets: readonly string[];
  /** @default 2 */
  mx?: number;
  multicastInterface?: string;
  signal: AbortSignal;
  onReply: (reply: SsdpReply, from: RemoteInfo) => void;
  /** Datagrams that are not SSDP replies. */
  onJunk?: (from: RemoteInfo) => void;
}

export interface SsdpSearch {
  /**
   * Error codes of failed sends (ENETUNREACH when there is no route for multicast: docs/reference/netlab.md "What
   * failed" 3).
   */
  readonly sendErrors: string[];
  /** Datagrams handed to the kernel. */
  readonly sent: number;
  /** Sends one M-SEARCH per search target again (UDP is lossy; UDA 1.1 advises sending more than once). */
  resend(): Promise<void>;
  close(): void;
}

export async function startSsdpSearch(options: SsdpSearchOptions): Promise<SsdpSearch> {
  const family = ipFamily(options.target.address) === 6 ? 'udp6' : 'udp4';
  const hostHeader =
    family === 'udp6'
      ? `[${options.target.address}]:${options.target.port}`
      : `${options.target.address}:${options.target.port}`;
  const sendErrors: string[] = [];
  let sent = 0;
  const session: UdpSession = await openUdpSession({
    type: family,
    signal: options.signal,
    multicastInterface: options.multicastInterface,
    onMessage: (message, from) => {
      const reply = parseSsdpReply(message);
      if (reply) options.onReply(reply, from);
      else options.onJunk?.(from);
    },
    onError: (code) => sendErrors.push(code),
  });
  const sendAll = async (): Promise<void> => {
    for (const searchTarget of options.searchTargets) {
      const error = await session.send(
        buildMSearch(searchTarget, hostHeader, options.mx ?? 2),
        options.target.port,
        options.target.address,
      );
      if (error) sendErrors.push(error);
      else sent += 1;
    }
  };
  await sendAll();
  return {
    sendErrors,
    get sent() {
      return sent;
    },
    resend: sendAll,
    close: () => session.close(),
  };
}
