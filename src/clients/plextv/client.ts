/**
 * The plex.tv client: the account's view of its servers (resources), the account itself, the caller's public IP,
 * plex.tv's record of a server, and the PIN login flow. One small method per endpoint over the shared API client
 * (transport → status check → decode → zod). Facts and captures: docs/reference/plex-api.md §0, §5.
 */
import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { ResponseValidationError, UsageError } from '../../core/errors.js';
import { createApiClient } from '../../http/api-client.js';
import { plexClientHeaders } from '../../http/plex-headers.js';
import { PlexDeviceList, RESOURCE_XML_ARRAYS, type PlexDevice } from './devices.js';
import { PlexPin, pinAuthUrl, type PinOutcome } from './pin.js';
import { pollPinUntilDone, type PollPinOptions } from './pin-poll.js';
import { parsePublicIpBody } from './public-ip.js';
import { PlexServerRecordList, type PlexServerRecord } from './server-record.js';
import { PlexUser, USER_XML_ARRAYS } from './user.js';

export const PLEX_TV_URL = 'https://plex.tv';

export interface PlexTvClientOptions {
  /**
   * The account token (a secret: sent only as the X-Plex-Token header to `baseUrl`, never put in an error or URL).
   * Needed for everything but `createPin`, `pollPin` and `publicIp`.
   * @default none
   */
  token?: string;
  /**
   * X-Plex-Client-Identifier. plex.tv ties PIN logins and device entries to it, so persist one
   * (`createClientIdentifier()`) and pass it every time.
   * @default a new random one per client
   */
  clientIdentifier?: string;
  /** X-Plex-Product, also shown on the PIN approval page. @default 'plex-diagnose' */
  product?: string;
  /** plex.tv's origin; point it at a stand-in (the fake plex.tv) for tests and demos. @default 'https://plex.tv' */
  baseUrl?: string;
  /** The PIN approval page of the Plex web app. @default 'https://app.plex.tv/auth' */
  authAppUrl?: string;
  /** Deadline of each call (connect, headers and body). @default 10000 */
  timeoutMs?: number;
  /** undici dispatcher (Agent, ProxyAgent, MockAgent). @default undici's global dispatcher (nock 15.0.0 intercepts only then) */
  dispatcher?: Dispatcher;
  /** Cancels every call of this client. @default none */
  signal?: AbortSignal;
}

export interface CallSignalOptions {
  /** Cancels this call (besides the client's signal). @default none */
  signal?: AbortSignal;
}

export interface ResourcesOptions extends CallSignalOptions {
  /** Ask for https (plex.direct) connections. @default true */
  includeHttps?: boolean;
  /** Ask for relay connections. @default true */
  includeRelay?: boolean;
  /** Ask for IPv6 connections. @default true */
  includeIPv6?: boolean;
  /** Representation to ask for; both parse to the same devices. @default 'json' */
  format?: 'json' | 'xml';
}

export interface LegacyResourcesOptions extends CallSignalOptions {
  /** 'api' = `api/resources?includeHttps=1` (Tautulli's), 'pms' = `pms/resources`. @default 'api' */
  source?: 'api' | 'pms';
}

export interface CreatePinOptions extends CallSignalOptions {
  /** A long code for the app.plex.tv/auth flow; false gives a 4-character code for plex.tv/link. @default true */
  strong?: boolean;
}

export interface PlexTvClient {
  readonly clientIdentifier: string;
  readonly baseUrl: string;
  /** `api/v2/resources`: the account's servers and clients with every published connection. */
  resources(options?: ResourcesOptions): Promise<PlexDevice[]>;
  /** `api/resources?includeHttps=1` or `pms/resources` (XML; no relay connections, no relay/IPv6 attributes). */
  legacyResources(options?: LegacyResourcesOptions): Promise<PlexDevice[]>;
  /** `api/v2/user`: the signed-in account (its authToken is stripped). */
  user(options?: CallSignalOptions): Promise<PlexUser>;
  /** `api/v2/ping`: resolves when the token is valid; throws AuthError when it is not. */
  ping(options?: CallSignalOptions): Promise<void>;
  /** `/:/ip`: the caller's address as plex.tv sees it (no token sent). */
  publicIp(options?: CallSignalOptions): Promise<string>;
  /** `api/servers/{machineIdentifier}`: plex.tv's record of a server (its idea of the public address and port). */
  server(machineIdentifier: string, options?: CallSignalOptions): Promise<PlexServerRecord>;
  /** `POST api/v2/pins`: starts a PIN login (no token needed). */
  createPin(options?: CreatePinOptions): Promise<PlexPin>;
  /** The page where the user approves the pin. [U] format, see `pinAuthUrl`. */
  authUrl(pin: PlexPin, options?: { forwardUrl?: string }): string;
  /** Polls `api/v2/pins/{id}` until authorized, expired, cancelled or timed out (never throws for those). */
  pollPin(pinId: number, options?: PollPinOptions): Promise<PinOutcome>;
}

/** A random client identifier (a UUID). Generate it once, store it, and reuse it. */
export function createClientIdentifier(): string {
  return randomUUID();
}

export function createPlexTvClient(options: PlexTvClientOptions = {}): PlexTvClient {
  const clientIdentifier = options.clientIdentifier ?? createClientIdentifier();
  const product = options.product ?? 'plex-diagnose';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const api = createApiClient({
    baseUrl: options.baseUrl ?? PLEX_TV_URL,
    token: options.token,
    headers: plexClientHeaders({ product, clientIdentifier }),
    timeoutMs,
    dispatcher: options.dispatcher,
    signal: options.signal,
  });

  function requireToken(what: string): void {
    if (!options.token) throw new UsageError(`plex.tv ${what} needs a token (the token option); none was given`);
  }

  return {
    clientIdentifier,
    baseUrl: api.baseUrl,

    async resources(call = {}) {
      requireToken('resources');
      const format = call.format ?? 'json';
      return api.fetchData('GET', '/api/v2/resources', PlexDeviceList, 'resources', {
        query: {
          includeHttps: call.includeHttps ?? true,
          includeRelay: call.includeRelay ?? true,
          includeIPv6: call.includeIPv6 ?? true,
        },
        accept: format,
        xmlArrays: RESOURCE_XML_ARRAYS,
        signal: call.signal,
      });
    },

    async legacyResources(call = {}) {
      requireToken('resources');
      const source = call.source ?? 'api';
      return api.fetchData(
        'GET',
        source === 'pms' ? '/pms/resources' : '/api/resources',
        PlexDeviceList,
        'legacy resources',
        {
          query: source === 'api' ? { includeHttps: 1 } : undefined,
          accept: 'xml',
          xmlArrays: RESOURCE_XML_ARRAYS,
          signal: call.signal,
        },
      );
    },

    async user(call = {}) {
      requireToken('user');
      return api.fetchData('GET', '/api/v2/user', PlexUser, 'user', {
        xmlArrays: USER_XML_ARRAYS,
        signal: call.signal,
      });
    },

    async ping(call = {}) {
      requireToken('ping');
      // The body is not read: the status says it all, and its shape is not documented [U].
      await api.send('GET', '/api/v2/ping', { signal: call.signal });
    },

    async publicIp(call = {}) {
      const response = await api.send('GET', '/:/ip', { accept: 'text', auth: false, signal: call.signal });
      return parsePublicIpBody(response.body, {
        method: 'GET',
        url: response.url,
        contentType: response.headers['content-type'],
      });
    },

    async server(machineIdentifier, call = {}) {
      requireToken('server record');
      if (!/^[\w.-]+$/.test(machineIdentifier))
        throw new UsageError(`not a machineIdentifier: "${machineIdentifier.slice(0, 60)}"`);
      const path = `/api/servers/${machineIdentifier}`;
      const records = await api.fetchData('GET', path, PlexServerRecordList, 'server record', {
        accept: 'xml',
        xmlArrays: new Set(['Server', 'Section']),
        signal: call.signal,
      });
      const wanted = machineIdentifier.toLowerCase();
      const record = records.find((candidate) => candidate.machineIdentifier.toLowerCase() === wanted);
      if (!record) {
        throw new ResponseValidationError(`GET ${api.baseUrl}${path}: plex.tv returned no record for this server`, {
          method: 'GET',
          url: `${api.baseUrl}${path}`,
          issues: [
            { path: ['MediaContainer', 'Server'], message: `no Server with machineIdentifier ${machineIdentifier}` },
          ],
        });
      }
      return record;
    },

    async createPin(call = {}) {
      return api.fetchData('POST', '/api/v2/pins', PlexPin, 'pin', {
        query: { strong: (call.strong ?? true) ? 'true' : 'false' },
        auth: false,
        signal: call.signal,
      });
    },

    authUrl(pin, call = {}) {
      return pinAuthUrl(pin, clientIdentifier, { forwardUrl: call.forwardUrl, product, appUrl: options.authAppUrl });
    },

    async pollPin(pinId, call = {}) {
      if (!Number.isSafeInteger(pinId) || pinId <= 0)
        throw new UsageError(`pin id must be a positive integer, got ${pinId}`);
      return pollPinUntilDone(
        (signal, requestTimeoutMs) =>
          api.fetchData('GET', `/api/v2/pins/${pinId}`, PlexPin, 'pin', {
            auth: false,
            signal,
            timeoutMs: requestTimeoutMs,
          }),
        { ...call, requestTimeoutMs: timeoutMs, clientSignal: options.signal },
      );
    },
  };
}
