/**
 * The one place that talks HTTP. One undici `request()` per hop, under a single deadline that covers connect, headers
 * and body; a body-size cap; same-origin redirects only keep the token; typed errors with the failing phase.
 *
 * The default dispatcher is undici's global one, so a user's `setGlobalDispatcher(new ProxyAgent(...))` applies
 * (and nock 15.0.0, which patches the global dispatcher, can intercept in tests). An explicit `dispatcher` wins.
 */
import type { Dispatcher } from 'undici';
import {
  AbortError,
  BodyTooLargeError,
  NetworkError,
  RedirectError,
  TimeoutError,
  UsageError,
} from '../core/errors.js';
import { describeCode, errorCodeOf, phaseOfCode } from './network-error.js';
import { redactUrl } from '../core/redact.js';
import { loadUndici } from './load-undici.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | null;

export interface HttpRequestOptions {
  /** @default 'GET' */
  method?: HttpMethod;
  url: string | URL;
  /** Query parameters appended to `url`; `undefined`/`null` values are skipped, booleans become 1/0. */
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /**
   * The Plex token, sent as the `X-Plex-Token` header (never in the URL). Dropped on a redirect to another origin.
   */
  token?: string;
  body?: string;
  /** Deadline for the whole call: connect, headers and the full body. @default 10000 */
  timeoutMs?: number;
  /** Largest body we read; more is an error, not a silent truncation. @default 8 MiB */
  maxBodyBytes?: number;
  /** Cancels the call; the error is an AbortError. */
  signal?: AbortSignal;
  /** undici dispatcher (Agent, ProxyAgent, MockAgent). @default undici's global dispatcher */
  dispatcher?: Dispatcher;
  /** Redirect hops to follow. @default 3 */
  maxRedirects?: number;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The final URL after redirects, redacted. */
  url: string;
  body: Buffer;
  durationMs: number;
  /** True when a cross-origin redirect was followed and the token was therefore not sent to the final URL. */
  tokenDropped: boolean;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Carries "the deadline fired" through undici's abort path so we can tell it from the caller's abort. */
class DeadlineReached extends Error {
  override name = 'DeadlineReached';
}

export function buildUrl(url: string | URL, query?: Record<string, QueryValue>): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new UsageError(`Invalid URL: ${redactUrl(String(url))}`, { cause });
  }
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    parsed.searchParams.set(key, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  return parsed;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Drops a body we will not read. undici emits an 'error' on destroy; without a listener that would be unhandled. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

export async function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxRedirects = options.maxRedirects ?? 3;
  if (!(timeoutMs > 0)) throw new UsageError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  // Loaded on the first request, not at import (load-undici.ts); later calls get the loaded module.
  const { request } = await loadUndici();
  const secrets = options.token ? [options.token] : [];
  const started = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineReached()), timeoutMs);
  const onCallerAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onCallerAbort();
  else options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  let url = buildUrl(options.url, options.query);
  let method: HttpMethod = options.method ?? 'GET';
  let body = options.body;
  let sendToken = options.token !== undefined;
  // Every hop resets it, but the catch below reads it and TypeScript needs a value there for definite assignment.
  // eslint-disable-next-line no-useless-assignment -- see the comment above
  let afterHeaders = false;
  try {
    for (let hop = 0; ; hop++) {
      afterHeaders = false;
      const headers: Record<string, string> = { ...options.headers };
      if (sendToken && options.token) headers['X-Plex-Token'] = options.token;
      const response = await request(url, {
        method,
        headers,
        body,
        signal: controller.signal,
        // The outer deadline governs; these only keep undici from imposing a shorter one of its own.
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      afterHeaders = true;
      const responseHeaders = flattenHeaders(response.headers);
      const location = responseHeaders.location;
      if (REDIRECT_STATUSES.has(response.statusCode) && location) {
        discard(response.body);
        if (hop >= maxRedirects) {
          throw new RedirectError(`${method} ${url.href}: more than ${maxRedirects} redirects`, {
            method,
            url: url.href,
            secrets,
          });
        }
        const next = new URL(location, url);
        // The token never follows a redirect to another origin (scheme, host or port): fetch drops Authorization the same way.
        if (next.origin !== url.origin) sendToken = false;
        if (
          response.statusCode === 303 ||
          ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')
        ) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
      const declared = Number(responseHeaders['content-length']);
      if (Number.isFinite(declared) && declared > maxBodyBytes) {
        discard(response.body);
        throw new BodyTooLargeError(
          `${method} ${url.href}: body of ${declared} bytes exceeds the ${maxBodyBytes}-byte limit`,
          {
            method,
            url: url.href,
            limitBytes: maxBodyBytes,
            secrets,
          },
        );
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        const buffer = chunk as Buffer;
        size += buffer.length;
        if (size > maxBodyBytes) {
          discard(response.body);
          throw new BodyTooLargeError(`${method} ${url.href}: body exceeds the ${maxBodyBytes}-byte limit`, {
            method,
            url: url.href,
            limitBytes: maxBodyBytes,
            secrets,
          });
        }
        chunks.push(buffer);
      }
      return {
        status: response.statusCode,
        statusText: statusText(response.statusCode),
        headers: responseHeaders,
        url: redactUrl(url.href),
        body: Buffer.concat(chunks),
        durationMs: Math.round(performance.now() - started),
        tokenDropped: options.token !== undefined && !sendToken,
      };
    }
  } catch (error) {
    if (error instanceof BodyTooLargeError || error instanceof RedirectError) throw error;
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (reason instanceof DeadlineReached) {
      const stage = afterHeaders ? 'body' : 'headers';
      throw new TimeoutError(
        `${method} ${url.href}: no ${stage === 'body' ? 'complete body' : 'response'} within ${timeoutMs} ms`,
        {
          method,
          url: url.href,
          timeoutMs,
          stage,
          secrets,
        },
      );
    }
    if (controller.signal.aborted) {
      throw new AbortError(`${method} ${url.href}: aborted`, {
        method,
        url: url.href,
        cause: reason ?? error,
        secrets,
      });
    }
    const code = errorCodeOf(error);
    const phase = phaseOfCode(code, afterHeaders);
    const detail = describeCode(code) ?? (error instanceof Error ? error.message : String(error));
    throw new NetworkError(`${method} ${url.href}: ${phase} failed (${code ? `${code}: ` : ''}${detail})`, {
      method,
      url: url.href,
      phase,
      causeCode: code,
      cause: error,
      secrets,
    });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function statusText(status: number): string {
  return STATUS_TEXT[status] ?? '';
}
