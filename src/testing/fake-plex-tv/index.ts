/**
 * A fake plex.tv: a real loopback HTTP server with plex.tv's endpoints and shapes (v2 JSON by default, XML when the
 * Accept header asks for it; legacy endpoints XML), token checks with plex.tv's 401 body, a PIN flow that links or
 * expires after N polls, `/:/ip` answering the caller's address as the server sees it, and fault injection.
 *
 * Testing-only endpoints (NOT Plex API; a fake Plex Media Server uses them):
 * - `POST /__fake/servers/publish` (X-Plex-Token required), JSON `FakePublishRequest` → `200 { publicAddress }`:
 *   records the request's source address as the server's public address and lists the server in resources.
 * - `POST /__fake/servers/{machineIdentifier}/reachability`, JSON `{ port }` → `200 { reachable, checked: "ip:port",
 *   error? }`: connects back (TCP, then `GET /identity` over http) like plex.tv's reachability check; reachable only
 *   when /identity names the same machineIdentifier. The outcome is kept in `servers` (mappingState).
 * - `GET /__fake/servers/{machineIdentifier}`: the published record (JSON), for inspection from another process.
 */
import ipaddr from 'ipaddr.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlexDevice } from '../../clients/plextv/devices.js';
import { PlexUser } from '../../clients/plextv/user.js';
import { playFault, takeFault, type FaultRule } from '../faults.js';
import { delayAnswer, startLoopbackServer } from '../http-server.js';
import { FakePinStore } from './pins.js';
import type { FakePublishedServer } from './publish.js';
import { handleRoute, type FakeState } from './routes.js';

export interface FakePlexTvOptions {
  /** Address to bind; the lab binds a namespace address. @default '127.0.0.1' */
  host?: string;
  /** @default 0 (an ephemeral port) */
  port?: number;
  /** Accepted tokens; any other (or none) gets 401 with plex.tv's code-1001 body. @default ['fake-plex-tv-token'] */
  tokens?: string[];
  /** Overrides of the account `api/v2/user` describes. @default a Plex Pass owner "fake-owner" */
  user?: Partial<PlexUser>;
  /** Initial resources: PlexDevice objects or raw entries in plex.tv's JSON shape (captures work). @default [] */
  devices?: readonly Record<string, unknown>[];
  /** Delay before every answer, in ms. @default 0 */
  latencyMs?: number;
  /** Faults to play instead of answering (they apply to every path, testing endpoints included). @default [] */
  faults?: FaultRule[];
  /** The first N polls of a pin see it pending; poll N+1 sees it linked with `tokens[0]`. @default never */
  pinAuthorizeAfterPolls?: number;
  /** The first N polls of a pin see it pending; poll N+1 gets 404 code 1020. @default never (pins live 900 s) */
  pinExpiresAfterPolls?: number;
  /** Deadline of the reachability connect-back. @default 3000 */
  connectBackTimeoutMs?: number;
  /**
   * What `/:/ip`, publish and `publicAddressMatches` take as the caller's address instead of the socket's source
   * address. Connect-back checks still dial the source address. @default none
   */
  publicAddressOverride?: string;
  /**
   * Address of the relay connection listed for servers that publish with relay enabled. Loopback by default so
   * nothing built on the fake ever dials out; the lab sets a namespace address. @default '127.0.0.2'
   */
  relayAddress?: string;
}

/** One request the fake saw. Token values are never recorded. */
export interface FakePlexTvRequest {
  method: string;
  path: string;
  /** Query parameters, with any token parameter's value replaced by "REDACTED". */
  query: Record<string, string>;
  /** A token was sent (header or query). */
  tokenPresent: boolean;
  /** The token sent is one of `tokens`. */
  tokenValid: boolean;
  clientIdentifier?: string;
  accept?: string;
  /** The socket's source address. */
  remoteAddress: string;
  /** Status sent (set when the answer finished; absent for faults that never answer). */
  status?: number;
}

export interface FakePlexTv {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly tokens: readonly string[];
  /** The live resources list: change it and the next request sees it. */
  readonly devices: PlexDevice[];
  /** Servers published through `/__fake/servers/publish`, by machineIdentifier, with their last reachability check. */
  readonly servers: ReadonlyMap<string, FakePublishedServer>;
  /** Every request, in order (no token values). */
  readonly requests: FakePlexTvRequest[];
  /** Replaces all fault rules (none when called without rules). */
  setFault(rules?: FaultRule | FaultRule[]): void;
  addFault(rule: FaultRule): void;
  setLatency(ms: number): void;
  /** Links a pin now, as if the user approved it. @default token tokens[0] */
  linkPin(id: number, token?: string): void;
  close(): Promise<void>;
}

export const DEFAULT_FAKE_TOKEN = 'fake-plex-tv-token';

const DEFAULT_USER = {
  id: 1,
  uuid: 'f4ce0f4ce0f4ce01',
  username: 'fake-owner',
  title: 'Fake Owner',
  email: 'owner@example.invalid',
  home: false,
  homeAdmin: false,
  twoFactorEnabled: false,
  subscription: {
    active: true,
    status: 'Active',
    plan: 'lifetime',
    features: ['hardware_transcoding', 'lets_encrypt'],
  },
};

function unmapped(address: string | undefined): string {
  if (!address) return '';
  try {
    return ipaddr.process(address).toString();
  } catch {
    return address;
  }
}

function tokenOf(request: IncomingMessage, query: URLSearchParams): string | undefined {
  const header = request.headers['x-plex-token'];
  const value = typeof header === 'string' && header !== '' ? header : (query.get('X-Plex-Token') ?? undefined);
  return value === '' ? undefined : value;
}

function wantsXml(request: IncomingMessage): boolean {
  const accept = request.headers.accept ?? '';
  return /xml/i.test(accept) && !/json/i.test(accept);
}

export async function startFakePlexTv(options: FakePlexTvOptions = {}): Promise<FakePlexTv> {
  const state: FakeState = {
    tokens: [...(options.tokens ?? [DEFAULT_FAKE_TOKEN])],
    devices: (options.devices ?? []).map((device) => PlexDevice.parse(device)),
    servers: new Map(),
    pins: new FakePinStore(),
    user: PlexUser.parse({ ...DEFAULT_USER, ...options.user }),
    relayAddress: options.relayAddress ?? '127.0.0.2',
    connectBackTimeoutMs: options.connectBackTimeoutMs ?? 3000,
    publicAddressOverride: options.publicAddressOverride,
    pinAuthorizeAfterPolls: options.pinAuthorizeAfterPolls,
    pinExpiresAfterPolls: options.pinExpiresAfterPolls,
  };
  let faults: FaultRule[] = [...(options.faults ?? [])];
  let latencyMs = options.latencyMs ?? 0;
  const requests: FakePlexTvRequest[] = [];

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake.plex.tv');
    const method = (request.method ?? 'GET').toUpperCase();
    const token = tokenOf(request, url.searchParams);
    const sourceAddress = unmapped(request.socket.remoteAddress);
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = /token/i.test(key) ? 'REDACTED' : value;
    const clientIdentifier = request.headers['x-plex-client-identifier'];
    const entry: FakePlexTvRequest = {
      method,
      path: url.pathname,
      query,
      tokenPresent: token !== undefined,
      tokenValid: token !== undefined && state.tokens.includes(token),
      ...(typeof clientIdentifier === 'string' ? { clientIdentifier } : {}),
      ...(request.headers.accept ? { accept: request.headers.accept } : {}),
      remoteAddress: sourceAddress,
    };
    requests.push(entry);
    response.once('finish', () => {
      entry.status = response.statusCode;
    });

    if (!(await delayAnswer(request, latencyMs))) return;
    const asXml = wantsXml(request);
    const fault = takeFault(faults, method, url.pathname);
    if (fault) return playFault(fault, request, response, asXml ? 'xml' : 'json');

    const rendered = await handleRoute(state, {
      method,
      path: url.pathname,
      query: url.searchParams,
      token,
      asXml,
      callerAddress: state.publicAddressOverride ?? sourceAddress,
      sourceAddress,
      request,
    });
    response.writeHead(rendered.status, {
      'Content-Type': rendered.contentType,
      'Content-Length': Buffer.byteLength(rendered.body),
    });
    response.end(rendered.body);
  }

  const server = await startLoopbackServer(handle, { host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  return {
    url: server.url,
    host: server.host,
    port: server.port,
    tokens: state.tokens,
    devices: state.devices,
    servers: state.servers,
    requests,
    setFault(rules) {
      faults = rules === undefined ? [] : Array.isArray(rules) ? [...rules] : [rules];
    },
    addFault(rule) {
      faults.push(rule);
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    linkPin(id, token) {
      state.pins.link(id, token ?? state.tokens[0] ?? '');
    },
    close: () => server.close(),
  };
}

export { FakePublishRequest } from './publish.js';
export type { FakePublishedServer } from './publish.js';
export type { FakePin } from './pins.js';
