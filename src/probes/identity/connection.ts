/**
 * The one connection an `/identity` probe makes, and what it was. A probe used to build an undici connector and an
 * Agent (with its Pool and Client) of its own and destroy all three afterwards: ~0.5 ms of CPU per probed connection,
 * most of what a diagnosis spends per connection (docs/performance.md, issue 17). Now the probes share one connector
 * per (trusted CAs, connect timeout), built once per process (it holds no socket: TLS session reuse is off, so a
 * probe never resumes another's session), and each probe gets a single undici `Client`, the lightest dispatcher. The
 * Client's connect wrapper records its own socket (peer address, TLS verdict and certificate), so probes sharing the
 * connector never see each other's connection. The Client is destroyed when the probe ends: nothing outlives it.
 *
 * A name dialled at given addresses (resolved, or encoded in a plex.direct name) is answered by the shared connector's
 * `lookup` from a table of host → addresses that the probe fills for its duration. Two probes in flight for the same
 * name with different addresses cannot share that entry: the second gets a connector of its own, as before.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { isIP, type Socket } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { buildConnector, Dispatcher } from 'undici';
import { loadUndici } from '../../http/load-undici.js';
import type { ResolvedAddress } from '../resolve.js';
import { describeConnection, type ConnectionCapture } from './tls-capture.js';

export interface IdentityConnectionOptions {
  /** Dial these addresses for the URL's host name instead of resolving it. @default undefined (Node resolves) */
  addresses?: ResolvedAddress[];
  /** PEM certificates trusted in addition to Node's bundled roots. @default [] */
  caCertificates?: string[];
  /** undici's connect timeout; keep it above the probe deadline so the probe's own deadline decides. */
  connectTimeoutMs: number;
}

export interface IdentityConnection {
  dispatcher: Dispatcher;
  /** What the connection established looked like; undefined before it connected. */
  captured(this: void): ConnectionCapture | undefined;
  /** Ends the connection (whatever state it is in) and gives back the host's entry in the dial table. */
  release(this: void): void;
}

type Connector = buildConnector.connector;
type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** host name → the addresses the probes in flight for it dial, and how many hold the entry. */
const dialTable = new Map<string, { addresses: ResolvedAddress[]; holders: number }>();

function answer(addresses: ResolvedAddress[], options: { all?: boolean }, callback: LookupCallback): void {
  // Node 20 calls lookup with `all: true` when autoSelectFamily is on (docs/reference/toolchain.md §3).
  if (options.all) callback(null, addresses);
  else callback(null, addresses[0]!.address, addresses[0]!.family);
}

/** The shared connectors' lookup: the table's addresses for a name a probe holds, else the system resolver. */
function tableLookup(host: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void {
  const entry = dialTable.get(host);
  if (entry) answer(entry.addresses, options, callback);
  // What Node's net does without a lookup of its own.
  else
    dnsLookup(
      host,
      options as LookupAllOptions,
      callback as (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
    );
}

const sharedConnectors = new Map<string, Connector>();

function connectorOptions(caCertificates: string[] | undefined, connectTimeoutMs: number): buildConnector.BuildOptions {
  return {
    rejectUnauthorized: false,
    maxCachedSessions: 0,
    timeout: connectTimeoutMs,
    // The trusted roots plus the caller's: concatenated once per connector, not per probe.
    ...(caCertificates?.length ? { ca: [...rootCertificates, ...caCertificates] } : {}),
  };
}

function sharedConnector(
  build: typeof buildConnector,
  caCertificates: string[] | undefined,
  connectTimeoutMs: number,
): Connector {
  const key = `${connectTimeoutMs}\n${(caCertificates ?? []).join('\n')}`;
  let connector = sharedConnectors.get(key);
  if (!connector) {
    connector = build({ ...connectorOptions(caCertificates, connectTimeoutMs), lookup: tableLookup });
    // Distinct CA lists are rare (one per test suite, one per user config); still, never grow without bound.
    if (sharedConnectors.size >= 16) sharedConnectors.clear();
    sharedConnectors.set(key, connector);
  }
  return connector;
}

const sameAddresses = (a: ResolvedAddress[], b: ResolvedAddress[]): boolean =>
  a.length === b.length && a.every((x, i) => x.address === b[i]!.address && x.family === b[i]!.family);

/** Takes the host's entry in the dial table; false when another probe holds it with other addresses. */
function hold(host: string, addresses: ResolvedAddress[]): boolean {
  const entry = dialTable.get(host);
  if (!entry) dialTable.set(host, { addresses, holders: 1 });
  else if (sameAddresses(entry.addresses, addresses)) entry.holders++;
  else return false;
  return true;
}

function letGo(host: string): void {
  const entry = dialTable.get(host);
  if (entry && --entry.holders === 0) dialTable.delete(host);
}

const stripBrackets = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** A Client for `url`'s origin that dials as `options` say and records its connection. */
export async function openIdentityConnection(
  url: URL,
  options: IdentityConnectionOptions,
): Promise<IdentityConnection> {
  const { Client, buildConnector: build } = await loadUndici();
  const host = stripBrackets(url.hostname);
  const addresses = options.addresses?.length ? options.addresses : undefined;
  const held = addresses !== undefined && hold(host, addresses);
  const connector =
    addresses && !held
      ? build({
          ...connectorOptions(options.caCertificates, options.connectTimeoutMs),
          lookup: (_host: string, lookupOptions: { all?: boolean }, callback: LookupCallback) =>
            answer(addresses, lookupOptions, callback),
        })
      : sharedConnector(build, options.caCertificates, options.connectTimeoutMs);
  let captured: ConnectionCapture | undefined;
  let socket: Socket | undefined;
  const client = new Client(url.origin, {
    connect(connectOptions, callback) {
      connector(connectOptions, (error, connected) => {
        if (!error && connected) {
          socket = connected;
          // The connector derives SNI the same way when undici passes none: the host name unless it is an IP.
          const hostname = stripBrackets(connectOptions.hostname);
          const servername = connectOptions.servername || (isIP(hostname) === 0 ? hostname : undefined);
          captured = describeConnection(socket, servername ?? hostname, servername);
        }
        // The callback's overloads are (err, null) | (null, socket); the union is what the connector hands us.
        (callback as (err: Error | null, socket: Socket | null) => void)(error, connected);
      });
    },
  });
  let released = false;
  return {
    dispatcher: client,
    captured: () => captured,
    release: () => {
      if (released) return;
      released = true;
      if (held) letGo(host);
      // The socket is this probe's alone: closed here without an error, because undici destroys it with one whose
      // stack Node's stream code formats (measurable per probe, far more with source maps on); undici then skips it.
      socket?.destroy();
      void client.destroy().catch(() => undefined);
    },
  };
}

/** How many host names probes in flight hold in the dial table (tests: every probe gives its name back). */
export function dialTableSize(): number {
  return dialTable.size;
}
