/**
 * The fake plex.tv's endpoints. Plex API paths answer in plex.tv's shapes; `/__fake/...` paths are testing-only
 * (NOT Plex API) and exist so a fake Plex Media Server can publish itself and ask for a connect-back check.
 */
import ipaddr from 'ipaddr.js';
import type { IncomingMessage } from 'node:http';
import type { PlexDevice } from '../../clients/plextv/devices.js';
import type { PlexUser } from '../../clients/plextv/user.js';
import { readRequestBody } from '../http-server.js';
import { hostPort, buildPublishedDevice, FakePublishRequest, type FakePublishedServer } from './publish.js';
import { connectBack } from './reachability.js';
import { type FakePinStore, pinToJson } from './pins.js';
import {
  deviceToJson,
  devicesToLegacyXml,
  devicesToV2Xml,
  filterConnections,
  json,
  plexError,
  userToJson,
  userToXml,
  xml,
  type Rendered,
} from './render.js';

export interface FakeState {
  tokens: string[];
  devices: PlexDevice[];
  servers: Map<string, FakePublishedServer>;
  pins: FakePinStore;
  user: PlexUser;
  relayAddress: string;
  connectBackTimeoutMs: number;
  publicAddressOverride: string | undefined;
  pinAuthorizeAfterPolls: number | undefined;
  pinExpiresAfterPolls: number | undefined;
}

export interface RequestContext {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The token sent (header or query), if any. */
  token: string | undefined;
  asXml: boolean;
  /** The caller's address as plex.tv reports it: the override when set, else the socket's source address. */
  callerAddress: string;
  /** The socket's source address (IPv4-mapped IPv6 unwrapped). */
  sourceAddress: string;
  request: IncomingMessage;
}

type Handler = (state: FakeState, context: RequestContext, match: RegExpExecArray) => Rendered | Promise<Rendered>;

interface Route {
  method: string;
  pattern: RegExp;
  /** Needs a valid token. */
  auth: boolean;
  /** Legacy endpoints always answer XML, errors included. */
  legacyXml?: boolean;
  handle: Handler;
}

const text = (status: number, body: string): Rendered => ({ status, contentType: 'text/plain; charset=utf-8', body });

function sameIp(a: string, b: string): boolean {
  try {
    return ipaddr.process(a).toString() === ipaddr.process(b).toString();
  } catch {
    return a === b;
  }
}

/** plex.tv's query flags: "1"/"true" on, anything else (or absent) off. */
function queryFlag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === '1' || value === 'true';
}

function servedDevices(state: FakeState, context: RequestContext): Record<string, unknown>[] {
  const filter = {
    includeHttps: queryFlag(context.query, 'includeHttps'),
    includeRelay: queryFlag(context.query, 'includeRelay'),
    includeIPv6: queryFlag(context.query, 'includeIPv6'),
  };
  return state.devices.map((device) =>
    deviceToJson(
      device,
      filterConnections(device.connections, filter),
      device.publicAddress === undefined
        ? device.publicAddressMatches
        : sameIp(device.publicAddress, context.callerAddress),
    ),
  );
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  try {
    return JSON.parse(await readRequestBody(request, 64 * 1024)) as unknown;
  } catch {
    return undefined;
  }
}

function serverRecord(state: FakeState, id: string): Rendered {
  const device = state.devices.find((d) => d.clientIdentifier === id && d.provides.includes('server'));
  if (!device) return plexError(404, undefined, 'Server not found', true);
  const published = state.servers.get(id);
  const remote = device.connections.find((c) => !c.local && !c.relay);
  const epoch = (iso: string | undefined): number | undefined => (iso ? Math.floor(Date.parse(iso) / 1000) : undefined);
  const server = {
    name: device.name,
    address: device.publicAddress,
    port: published?.request.publicPort ?? remote?.port ?? 32400,
    version: device.productVersion,
    scheme: device.httpsRequired ? 'https' : 'http',
    host: device.publicAddress,
    localAddresses: device.connections
      .filter((c) => c.local)
      .map((c) => c.address)
      .join(','),
    machineIdentifier: device.clientIdentifier,
    createdAt: epoch(device.createdAt),
    updatedAt: epoch(device.lastSeenAt),
    owned: device.owned,
    synced: device.synced,
  };
  return xml(200, {
    name: 'MediaContainer',
    attributes: { friendlyName: 'myPlex', identifier: 'com.plexapp.plugins.myplex', size: 1 },
    children: [{ name: 'Server', attributes: server }],
  });
}

const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/:\/ip$/, auth: false, handle: (_s, c) => text(200, `${c.callerAddress}\n`) },
  {
    method: 'POST',
    pattern: /^\/api\/v2\/pins$/,
    auth: false,
    handle: (state, c) => {
      const clientIdentifier = c.request.headers['x-plex-client-identifier'];
      if (typeof clientIdentifier !== 'string' || clientIdentifier === '') {
        // The status is plex.tv's; the code is this fake's own (the real one is not documented).
        return plexError(400, 1000, 'X-Plex-Client-Identifier is missing', c.asXml);
      }
      const product = String(c.request.headers['x-plex-product'] ?? '0');
      const strong = queryFlag(c.query, 'strong');
      const pin = pinToJson(state.pins.create(clientIdentifier, product, strong));
      return c.asXml
        ? xml(201, { name: 'pin', attributes: pin as Record<string, string | number | boolean | null> })
        : json(201, pin);
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v2\/pins\/(\d+)$/,
    auth: false,
    handle: (state, c, m) => {
      const poll = state.pins.poll(Number(m[1]), {
        authorizeAfterPolls: state.pinAuthorizeAfterPolls,
        expireAfterPolls: state.pinExpiresAfterPolls,
        token: state.tokens[0] ?? '',
      });
      if (poll.status === 'gone') return plexError(404, 1020, 'Code not found or expired', c.asXml);
      const pin = pinToJson(poll.pin);
      return c.asXml
        ? xml(200, { name: 'pin', attributes: pin as Record<string, string | number | boolean | null> })
        : json(200, pin);
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v2\/ping$/,
    auth: true,
    handle: (_s, c) => (c.asXml ? xml(200, { name: 'pong' }) : json(200, { pong: true })),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v2\/user$/,
    auth: true,
    handle: (state, c) =>
      c.asXml ? xml(200, userToXml(state.user, c.token ?? '')) : json(200, userToJson(state.user, c.token ?? '')),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v2\/resources$/,
    auth: true,
    handle: (state, c) => {
      const devices = servedDevices(state, c);
      return c.asXml ? xml(200, devicesToV2Xml(devices)) : json(200, devices);
    },
  },
  {
    method: 'GET',
    pattern: /^\/(api\/resources|pms\/resources(\.xml)?)$/,
    auth: true,
    legacyXml: true,
    // Legacy lists never had relay connections; https ones only with includeHttps=1 (Tautulli always sends it).
    handle: (state, c) => {
      const all = new URLSearchParams({
        includeHttps: c.path.startsWith('/api/') ? (c.query.get('includeHttps') ?? '0') : '1',
        includeIPv6: '1',
      });
      return xml(200, devicesToLegacyXml(servedDevices(state, { ...c, query: all })));
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/servers\/([^/]+)$/,
    auth: true,
    legacyXml: true,
    handle: (state, _c, m) => serverRecord(state, decodeURIComponent(m[1]!)),
  },
  {
    method: 'POST',
    pattern: /^\/__fake\/servers\/publish$/,
    auth: true,
    handle: async (state, c) => {
      const parsed = FakePublishRequest.safeParse(await readJson(c.request));
      if (!parsed.success)
        return json(400, {
          errors: parsed.error.issues.map((i) => ({ message: `${i.path.join('.')}: ${i.message}`, status: 400 })),
        });
      const body = parsed.data;
      const index = state.devices.findIndex((d) => d.clientIdentifier === body.machineIdentifier);
      const device = buildPublishedDevice(body, {
        publicAddress: c.callerAddress,
        accessToken: c.token ?? '',
        relayAddress: state.relayAddress,
        previous: index >= 0 ? state.devices[index] : undefined,
        now: new Date(),
      });
      if (index >= 0) state.devices[index] = device;
      else state.devices.push(device);
      const previous = state.servers.get(body.machineIdentifier);
      state.servers.set(body.machineIdentifier, {
        request: body,
        publicAddress: c.callerAddress,
        sourceAddress: c.sourceAddress,
        publishedAt: new Date().toISOString(),
        reachability: previous?.reachability,
        mappingState: previous?.mappingState ?? 'unknown',
      });
      return json(200, { publicAddress: c.callerAddress });
    },
  },
  {
    method: 'POST',
    pattern: /^\/__fake\/servers\/([^/]+)\/reachability$/,
    auth: false,
    handle: async (state, c, m) => {
      const id = decodeURIComponent(m[1]!);
      const server = state.servers.get(id);
      if (!server) return json(404, { errors: [{ message: `server ${id} was never published`, status: 404 }] });
      const body = (await readJson(c.request)) as { port?: unknown } | undefined;
      const port = Number(body?.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        return json(400, { errors: [{ message: 'port must be 1-65535', status: 400 }] });
      // Dial the socket's source address, never a publicAddressOverride: an override is only a label and may name
      // an address outside this machine.
      const result = await connectBack(server.sourceAddress, port, id, state.connectBackTimeoutMs);
      const checked = hostPort(server.publicAddress, port);
      const dialled = hostPort(server.sourceAddress, port);
      const outcome = {
        reachable: result.reachable,
        checked,
        ...(dialled === checked ? {} : { dialled }),
        ...(result.error ? { error: result.error } : {}),
      };
      server.reachability = {
        reachable: result.reachable,
        checked,
        ...(result.error ? { error: result.error } : {}),
        checkedAt: new Date().toISOString(),
      };
      server.mappingState = result.reachable ? 'mapped' : 'failed';
      return json(200, outcome);
    },
  },
  {
    method: 'GET',
    pattern: /^\/__fake\/servers\/([^/]+)$/,
    auth: false,
    handle: (state, _c, m) => {
      const server = state.servers.get(decodeURIComponent(m[1]!));
      return server ? json(200, server) : json(404, { errors: [{ message: 'never published', status: 404 }] });
    },
  },
];

/** Finds the route for a request; `undefined` → 404. */
export function findRoute(method: string, path: string): { route: Route; match: RegExpExecArray } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, match };
  }
  return undefined;
}

export async function handleRoute(state: FakeState, context: RequestContext): Promise<Rendered> {
  const found = findRoute(context.method, context.path);
  if (!found)
    return json(404, { errors: [{ message: `no such endpoint: ${context.method} ${context.path}`, status: 404 }] });
  const { route, match } = found;
  const asXml = route.legacyXml === true || context.asXml;
  if (route.auth && (context.token === undefined || !state.tokens.includes(context.token))) {
    return plexError(401, 1001, 'User could not be authenticated', asXml);
  }
  return route.handle(state, { ...context, asXml }, match);
}
