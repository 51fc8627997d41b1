/**
 * Whether the Plex token may be sent to a server URL (design.md convention 10). Anything on the LAN can answer GDM
 * with a copied Resource-Identifier, and `/identity` is just as easy to copy, so neither proves whose server answered.
 * The token goes to a URL only when one of these holds:
 *
 * - `user`: the user named the URL (`--url`, PLEX_URL, a tool's config): their choice, their responsibility;
 * - `this-host`: the caller picked this host's loopback itself (not from anything heard on the network);
 * - plex.tv (asked with the token, over its own verified TLS) lists the machineIdentifier the URL answers with among
 *   the account's OWNED servers, AND the address and port dialled are a connection plex.tv lists for that server.
 *   A server on this host's loopback also counts when plex.tv lists it at one of this host's own addresses on the
 *   same port (the server's own machine: GDM may answer from 127.0.0.1 there).
 *
 * Everything else (a server found by GDM that plex.tv does not vouch for, no plex.tv, plex.tv not answering) gets no
 * token: the caller runs the token-free checks and shows `detail`.
 */
import ipaddr from 'ipaddr.js';
import { networkInterfaces } from 'node:os';
import type { Dispatcher } from 'undici';
import { createPlexTvClient } from '../clients/plextv/client.js';
import { findServer } from '../clients/plextv/connections.js';
import type { PlexConnection } from '../clients/plextv/devices.js';
import { createServerClient } from '../clients/server/client.js';

/** How the URL was chosen. */
export type TokenTargetOrigin = 'user' | 'this-host' | 'discovered';

export interface TokenRecipientOptions {
  /** The server URL the token would go to. */
  url: string;
  /**
   * `user`: named by the user; `this-host`: this host's loopback, picked without asking the network; `discovered`:
   * learned from the network (GDM, SSDP, a peer's answer).
   */
  origin: TokenTargetOrigin;
  /** The token (an account token: plex.tv is asked with it). */
  token: string;
  /** plex.tv settings, or `false` when plex.tv must not be asked (a discovered URL then gets no token). @default {} */
  plexTv?: false | { baseUrl?: string; clientIdentifier?: string };
  /** Deadline of each of the two calls (`/identity`, plex.tv resources). @default 5000 */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** undici dispatcher for both calls. @default undici's global dispatcher */
  dispatcher?: Dispatcher;
  /** This host's own addresses (for a server on loopback). @default the addresses of os.networkInterfaces() */
  hostAddresses?: readonly string[];
}

export type TokenRecipientReason =
  | 'named-url'
  | 'this-host'
  | 'plextv-owned'
  | 'no-plextv'
  | 'identity-failed'
  | 'plextv-failed'
  | 'not-owned'
  | 'connection-not-listed';

/** The decision, with a one-line reason for people (never the token). */
export interface TokenRecipientDecision {
  send: boolean;
  reason: TokenRecipientReason;
  detail: string;
}

const DEFAULT_TIMEOUT_MS = 5000;

/** An address in canonical form (IPv4-mapped IPv6 unwrapped), or undefined for a host name. */
function canonicalIp(text: string): string | undefined {
  try {
    return ipaddr.process(text.replace(/^\[(.*)\]$/, '$1')).toString();
  } catch {
    return undefined;
  }
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const ip = canonicalIp(host);
  return ip !== undefined && ipaddr.parse(ip).range() === 'loopback';
}

function defaultPort(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

/** Text from the network, shown only when it is plainly an identifier (a spoofer's answer may carry escapes). */
function shown(text: string): string {
  return /^[\w.-]{1,80}$/.test(text) ? text : '(an unprintable identifier)';
}

function ownAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .flatMap((entry) => (entry ? [entry.address] : []));
}

/** The listed connection the URL dials, if any: same address (or plex.direct host name) and port; relays never. */
function listedConnection(
  connections: readonly PlexConnection[],
  target: URL,
  hostAddresses: readonly string[],
): PlexConnection | undefined {
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const ip = canonicalIp(host);
  const port = defaultPort(target);
  const own = new Set(hostAddresses.map((a) => canonicalIp(a)).filter(Boolean));
  for (const connection of connections) {
    if (connection.relay || connection.port !== port) continue;
    const listedIp = canonicalIp(connection.address);
    if (ip !== undefined && listedIp === ip) return connection;
    let uriHost: string | undefined;
    try {
      uriHost = new URL(connection.uri).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    } catch {
      uriHost = undefined;
    }
    if (uriHost === host) return connection;
    // The server's own machine: plex.tv lists its LAN address, GDM answered from loopback.
    if (isLoopback(host) && connection.local && listedIp !== undefined && own.has(listedIp)) return connection;
  }
  return undefined;
}

/**
 * Decides whether `token` may go to `url` (see the file comment). Never throws: a failure to prove is a `send: false`
 * decision with the reason. The token goes only to plex.tv here; `url` is asked `/identity` without it.
 */
export async function decideTokenRecipient(options: TokenRecipientOptions): Promise<TokenRecipientDecision> {
  const { url, token } = options;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { send: false, reason: 'identity-failed', detail: `${url} is not a URL` };
  }
  if (options.origin === 'user') return { send: true, reason: 'named-url', detail: `${url} was named by the user` };
  if (options.origin === 'this-host' && isLoopback(target.hostname))
    return { send: true, reason: 'this-host', detail: `${url} is this host's loopback` };

  const refuse = (reason: TokenRecipientReason, why: string): TokenRecipientDecision => ({
    send: false,
    reason,
    detail: `${url} answered on the network, and ${why}; name the server with --url to send it the token`,
  });
  if (options.plexTv === false) return refuse('no-plextv', 'without plex.tv nothing can prove it is your server');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const common = {
    timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  };

  let machineIdentifier: string;
  try {
    machineIdentifier = (await createServerClient({ baseUrl: url, ...common }).identity()).machineIdentifier;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    return refuse(
      'identity-failed',
      `it could not be asked which server it is (${typeof code === 'string' || typeof code === 'number' ? code : 'error'})`,
    );
  }
  let devices;
  try {
    const plexTv = createPlexTvClient({
      token,
      ...common,
      ...(options.plexTv?.baseUrl ? { baseUrl: options.plexTv.baseUrl } : {}),
      ...(options.plexTv?.clientIdentifier ? { clientIdentifier: options.plexTv.clientIdentifier } : {}),
    });
    devices = await plexTv.resources();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    return refuse(
      'plextv-failed',
      `plex.tv could not be asked whether it is yours (${typeof code === 'string' || typeof code === 'number' ? code : 'error'})`,
    );
  }
  const device = findServer(devices, machineIdentifier);
  if (!device || !device.provides.includes('server') || device.owned !== true)
    return refuse('not-owned', `plex.tv does not list server ${shown(machineIdentifier)} as one this account owns`);
  const connection = listedConnection(device.connections, target, options.hostAddresses ?? ownAddresses());
  if (!connection)
    return refuse(
      'connection-not-listed',
      `plex.tv lists server ${shown(machineIdentifier)} as yours but not at ${target.host} (another device may have copied its identifier)`,
    );
  return {
    send: true,
    reason: 'plextv-owned',
    detail: `plex.tv lists ${url} as a connection of your server ${shown(machineIdentifier)}`,
  };
}
