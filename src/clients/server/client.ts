/**
 * The Plex Media Server client: one small method per endpoint the diagnoser reads (docs/reference/plex-api.md §1-4),
 * over the shared transport → decode → validate layers of `createApiClient`. Every call has a deadline and takes an
 * AbortSignal; errors are the typed errors of `src/core/errors.ts` and never carry the token.
 */
import type { Dispatcher } from 'undici';
import { DecodeError, HttpError, UsageError } from '../../core/errors.js';
import { createApiClient, type CallOptions } from '../../http/api-client.js';
import { decodeText, excerpt, looksLikeHtml } from '../../http/decode.js';
import { plexClientHeaders } from '../../http/plex-headers.js';
import { redactUrl } from '../../core/redact.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS, type HttpResponse } from '../../http/transport.js';
import { AccountResponse, type MyPlexAccount } from './schemas/account.js';
import { IdentityResponse, type ServerIdentity } from './schemas/identity.js';
import { networkPrefsFrom, type ServerPrefs } from './schemas/network-prefs.js';
import { PrefsResponse, type PrefSetting } from './schemas/prefs.js';
import { RootResponse, type ServerRoot } from './schemas/root.js';

export interface ServerClientOptions {
  /** Where the server listens, e.g. `http://192.168.1.20:32400`. A path prefix (reverse proxy) is kept. */
  baseUrl: string;
  /** X-Plex-Token, sent as a header only. `identity()` never sends it. @default undefined (no token) */
  token?: string;
  /** Deadline per call, covering connect, headers and body. @default 10000 */
  timeoutMs?: number;
  /** Largest response body read. @default 8 MiB */
  maxBodyBytes?: number;
  /** undici dispatcher (Agent, ProxyAgent, MockAgent). @default undici's global dispatcher */
  dispatcher?: Dispatcher;
  /** Cancels every call of this client. @default undefined */
  signal?: AbortSignal;
  /** The representation asked for with Accept; the decoder accepts either whatever was asked. @default 'json' */
  format?: 'json' | 'xml';
  /** X-Plex-Client-Identifier sent with every call. @default undefined (header not sent) */
  clientIdentifier?: string;
}

export interface ServerCallOptions {
  /** Cancels this call (in addition to the client's signal). @default undefined */
  signal?: AbortSignal;
  /** Overrides the client's deadline for this call. @default the client's `timeoutMs` */
  timeoutMs?: number;
}

/** A value for `setPrefs`: booleans are sent as "1"/"0", numbers in decimal. */
export type PrefInput = string | number | boolean;

export interface ServerClient {
  /** The normalised base URL (no trailing slash). */
  readonly baseUrl: string;
  /** `GET /identity`, sent without the token even when one is configured (design.md convention 10). */
  identity(call?: ServerCallOptions): Promise<ServerIdentity>;
  /** `GET /`: the root MediaContainer (mapping and sign-in state, version, platform). */
  root(call?: ServerCallOptions): Promise<ServerRoot>;
  /** `GET /:/prefs`: every setting, plus the typed network prefs. */
  prefs(call?: ServerCallOptions): Promise<ServerPrefs>;
  /** `GET /:/prefs/get?id=`: one setting, `undefined` when the server does not have it (404). */
  pref(id: string, call?: ServerCallOptions): Promise<PrefSetting | undefined>;
  /**
   * `PUT /:/prefs?A=..&B=..`: sets several prefs at once. Booleans are sent as "1"/"0". PMS answers 400 (HttpError)
   * for an id it does not know, and then applies none of them.
   */
  setPrefs(values: Record<string, PrefInput>, call?: ServerCallOptions): Promise<void>;
  /** `GET /myplex/account`: the server's view of its plex.tv mapping. The account's `authToken` is never returned. */
  account(call?: ServerCallOptions): Promise<MyPlexAccount>;
  /**
   * `PUT /myplex/refreshReachability`: asks plex.tv to re-test whether the server is reachable from outside.
   *
   * Call it only when the user explicitly asks for it. Plex staff (Tautulli-Issues#251, 2020) describe it as
   * "relatively expensive", "can also be rate limited", and an endpoint that "will be restricted in a future
   * release of PMS": it makes PMS call plex.tv, which connects back to the server (docs/reference/plex-api.md §3).
   */
  refreshReachability(call?: ServerCallOptions): Promise<void>;
}

/** Validates and normalises a base URL; junk is a UsageError that never echoes credentials. */
export function normalizeServerBaseUrl(raw: string, secrets: readonly string[] = []): string {
  if (typeof raw !== 'string' || raw.trim() === '')
    throw new UsageError('the server URL is required (--url, or the `baseUrl` option), e.g. http://192.168.1.20:32400');
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch (cause) {
    throw new UsageError(
      `the server URL is not a valid URL: "${redactUrl(raw)}" (expected e.g. http://192.168.1.20:32400)`,
      {
        cause,
        secrets,
      },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`the server URL must be http:// or https://, got ${url.protocol}`, { secrets });
  }
  if (url.username || url.password) {
    throw new UsageError(
      'the server URL must not contain credentials; pass the token on its own (--token or PLEX_TOKEN; the `token` option in the library)',
      { secrets },
    );
  }
  if (url.search || url.hash) {
    throw new UsageError(
      'the server URL must not have a query or fragment; pass the token on its own (--token or PLEX_TOKEN; the `token` option in the library)',
      {
        secrets,
      },
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function checkTimeout(timeoutMs: number | undefined, what: string): void {
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new UsageError(`${what} must be a positive number of milliseconds, got ${timeoutMs}`);
  }
}

/**
 * The PUT endpoints answer 2xx with a body we do not need (its shape is unknown, docs/reference/plex-api.md §4). But a
 * captive portal or proxy login answering 200 with an HTML page means the change never reached PMS: that must not pass
 * as success.
 */
function rejectHtmlAnswer(response: HttpResponse, method: string, secrets: readonly string[]): void {
  const text = decodeText(response.body);
  if (!looksLikeHtml(text)) return;
  throw new DecodeError(
    `${method} ${response.url}: got an HTML page instead of a Plex answer: a captive portal, proxy login or error page is answering`,
    {
      method,
      url: response.url,
      reason: 'html',
      contentType: response.headers['content-type'],
      bodyExcerpt: excerpt(text),
      secrets,
    },
  );
}

export function createServerClient(options: ServerClientOptions): ServerClient {
  const secrets = options.token ? [options.token] : [];
  const baseUrl = normalizeServerBaseUrl(options.baseUrl, secrets);
  checkTimeout(options.timeoutMs, 'timeoutMs');
  const accept = options.format ?? 'json';
  const api = createApiClient({
    baseUrl,
    token: options.token,
    headers: plexClientHeaders({ clientIdentifier: options.clientIdentifier }),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    dispatcher: options.dispatcher,
    signal: options.signal,
    // Whatever another origin answers after a redirect is not this server's data (issue 12).
    sameOriginAnswersOnly: true,
  });

  const callOptions = (call: ServerCallOptions = {}, extra: CallOptions = {}): CallOptions => {
    checkTimeout(call.timeoutMs, 'timeoutMs');
    return { accept, signal: call.signal, timeoutMs: call.timeoutMs, ...extra };
  };

  return {
    baseUrl,
    async identity(call) {
      const data = await api.fetchData(
        'GET',
        '/identity',
        IdentityResponse,
        'server identity',
        callOptions(call, { auth: false }),
      );
      return data.MediaContainer;
    },
    async root(call) {
      return (await api.fetchData('GET', '/', RootResponse, 'server root', callOptions(call))).MediaContainer;
    },
    async prefs(call) {
      const data = await api.fetchData('GET', '/:/prefs', PrefsResponse, 'server prefs', callOptions(call));
      const settings = data.MediaContainer.Setting;
      return { settings, network: networkPrefsFrom(settings) };
    },
    async pref(id, call) {
      if (typeof id !== 'string' || id === '') throw new UsageError('pref(id): id must be a non-empty string');
      try {
        const data = await api.fetchData(
          'GET',
          '/:/prefs/get',
          PrefsResponse,
          'server pref',
          callOptions(call, { query: { id } }),
        );
        const settings = data.MediaContainer.Setting;
        return settings.find((setting) => setting.id === id) ?? settings[0];
      } catch (error) {
        if (error instanceof HttpError && error.status === 404) return undefined;
        throw error;
      }
    },
    async setPrefs(values, call) {
      const entries = Object.entries(values ?? {});
      for (const [id, value] of entries) {
        if (id === '' || /^x-plex-/i.test(id)) throw new UsageError(`setPrefs: "${id}" is not a pref id`);
        if (
          !['string', 'number', 'boolean'].includes(typeof value) ||
          (typeof value === 'number' && !Number.isFinite(value))
        ) {
          throw new UsageError(`setPrefs: the value of ${id} must be a string, a finite number or a boolean`);
        }
      }
      if (entries.length === 0) return;
      // The transport writes booleans as "1"/"0", the form PMS uses for booleans in XML.
      const response = await api.send('PUT', '/:/prefs', callOptions(call, { query: Object.fromEntries(entries) }));
      rejectHtmlAnswer(response, 'PUT', secrets);
    },
    async account(call) {
      return api.fetchData('GET', '/myplex/account', AccountResponse, 'myplex account', callOptions(call));
    },
    async refreshReachability(call) {
      rejectHtmlAnswer(await api.send('PUT', '/myplex/refreshReachability', callOptions(call)), 'PUT', secrets);
    },
  };
}
