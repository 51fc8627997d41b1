/**
 * The layer both API clients share: transport → status check → decode → validate. Endpoint modules stay one-liners.
 */
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { AuthError, HttpError, RedirectError, type PlexApiErrorEntry } from '../core/errors.js';
import { linkSignals } from '../core/util/link-signals.js';
import { decodeBody, decodeText, excerpt, looksLikeHtml } from './decode.js';
import { httpRequest, type HttpMethod, type HttpResponse, type QueryValue } from './transport.js';
import { parseWith } from './validate.js';
import type { XmlArrayPolicy } from './xml.js';

export interface ApiClientOptions {
  baseUrl: string;
  token?: string;
  /** Headers sent on every call (X-Plex-* identification). */
  headers?: Record<string, string>;
  /** Per-call deadline. @default 10000 */
  timeoutMs?: number;
  /** @default 8 MiB */
  maxBodyBytes?: number;
  dispatcher?: Dispatcher;
  /** Cancels every call of this client. */
  signal?: AbortSignal;
  /**
   * Refuse a 2xx answer reached through a redirect to another origin (RedirectError, reason 'cross-origin'): for a
   * server, what another origin says is not the server's data. @default false
   */
  sameOriginAnswersOnly?: boolean;
}

export interface CallOptions {
  query?: Record<string, QueryValue>;
  /** Which representation to ask for; the decoder accepts either. @default 'json' */
  accept?: 'json' | 'xml' | 'text';
  /** Send the token with this call. @default true */
  auth?: boolean;
  body?: string;
  headers?: Record<string, string>;
  xmlArrays?: XmlArrayPolicy;
  /** Overrides the client's deadline for this call. */
  timeoutMs?: number;
  /** Cancels this call (in addition to the client's signal). */
  signal?: AbortSignal;
}

export interface ApiClient {
  readonly baseUrl: string;
  /** Sends a request and returns the raw response; throws on transport errors and non-2xx statuses. */
  send(method: HttpMethod, path: string, options?: CallOptions): Promise<HttpResponse>;
  /** GET (or another method) + decode + validate. */
  fetchData<S extends z.ZodType>(
    method: HttpMethod,
    path: string,
    schema: S,
    what: string,
    options?: CallOptions,
  ): Promise<z.output<S>>;
}

function refuseOtherOrigin(method: string, baseUrl: string, response: HttpResponse, secrets: string[]): void {
  const answered = new URL(response.url).origin;
  if (answered === new URL(baseUrl).origin) return;
  throw new RedirectError(
    `${method} ${baseUrl}: answered by another origin (${answered}) through a redirect, so not by the server itself`,
    { method, url: response.url, secrets, reason: 'cross-origin' },
  );
}

const ACCEPT = { json: 'application/json', xml: 'application/xml', text: 'text/plain' } as const;

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const secrets = options.token ? [options.token] : [];

  async function send(method: HttpMethod, path: string, call: CallOptions = {}): Promise<HttpResponse> {
    // Not AbortSignal.any: the client's signal lives long (see link-signals.ts).
    const linked = linkSignals(options.signal, call.signal);
    const useToken = call.auth !== false && options.token !== undefined;
    try {
      const response = await httpRequest({
        method,
        url: `${baseUrl}${path.startsWith('/') ? path : `/${path}`}`,
        query: call.query,
        headers: { Accept: ACCEPT[call.accept ?? 'json'], ...options.headers, ...call.headers },
        token: useToken ? options.token : undefined,
        body: call.body,
        timeoutMs: call.timeoutMs ?? options.timeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        dispatcher: options.dispatcher,
        signal: linked.signal,
      });
      if (response.status >= 200 && response.status < 300) {
        if (options.sameOriginAnswersOnly) refuseOtherOrigin(method, baseUrl, response, secrets);
        return response;
      }
      throw statusError(method, response, { hadToken: useToken, secrets });
    } finally {
      linked.release();
    }
  }

  return {
    baseUrl,
    send,
    async fetchData(method, path, schema, what, call = {}) {
      const response = await send(method, path, call);
      const context = { method, url: response.url, secrets, contentType: response.headers['content-type'] };
      const data = decodeBody(response.body, { ...context, xmlArrays: call.xmlArrays });
      return parseWith(schema, data, { ...context, what });
    },
  };
}

/** plex.tv's error bodies: JSON `{"errors":[{code,message,status}]}` or XML `<errors><error code message/></errors>`. */
export function parsePlexErrors(body: Buffer): PlexApiErrorEntry[] {
  try {
    const data = decodeBody(body) as Record<string, unknown>;
    const list = (data.errors as { error?: unknown } | unknown[] | undefined) ?? undefined;
    const entries = Array.isArray(list)
      ? list
      : Array.isArray((list as { error?: unknown })?.error)
        ? (list as { error: unknown[] }).error
        : [];
    return entries.flatMap((entry) => {
      if (typeof entry !== 'object' || entry === null) return [];
      const e = entry as Record<string, unknown>;
      const code = Number(e.code);
      const status = Number(e.status);
      return [
        {
          code: Number.isFinite(code) ? code : undefined,
          message: typeof e.message === 'string' ? e.message : undefined,
          status: Number.isFinite(status) ? status : undefined,
        },
      ];
    });
  } catch {
    return [];
  }
}

function statusError(
  method: string,
  response: HttpResponse,
  context: { hadToken: boolean; secrets: string[] },
): HttpError {
  const text = decodeText(response.body);
  const details = {
    method,
    url: response.url,
    status: response.status,
    statusText: response.statusText,
    contentType: response.headers['content-type'],
    bodyExcerpt: looksLikeHtml(text) ? undefined : excerpt(text),
    plexErrors: parsePlexErrors(response.body),
    secrets: context.secrets,
  };
  const head = `${method} ${response.url}: ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const plexMessage = details.plexErrors
    .map((e) => e.message)
    .filter(Boolean)
    .join('; ');
  const suffix = plexMessage ? ` (${plexMessage})` : '';
  if (response.status === 401) {
    const why = response.tokenDropped
      ? 'the request was redirected to another origin and the token was not forwarded'
      : context.hadToken
        ? 'token missing or invalid'
        : 'token missing or invalid (this endpoint needs a token and none was given)';
    return new AuthError(`${head}: ${why}${suffix}`, details);
  }
  if (response.status === 403) {
    return new AuthError(
      `${head}: the token is not allowed to do this (is it the server owner's token?)${suffix}`,
      details,
    );
  }
  return new HttpError(`${head}${suffix}`, details);
}
