/**
 * Delivers an Alert to a webhook (`watch --notify <url>`), in the service's own format (see notify-format.ts).
 * Never throws: returns `{ ok, attempts, status?, error? }`.
 *
 * Retries (with exponential backoff, no jitter: one watcher is one client) on network errors, timeouts, 408, 429
 * (honouring Retry-After, capped) and 5xx; never on other 4xx, which will not get better by asking again.
 * Redirects are not followed: a 301/302 would turn the POST into a GET, and Discord answers a GET on a webhook with
 * 200, which would look like a delivered alert.
 *
 * Webhook URLs are secrets (Discord and Slack put the credential in the path, ntfy topics are the password), so no
 * error message here quotes the URL: only the format and the host.
 */
import type { Dispatcher } from 'undici';
import { isNetworkError, isPlexDiagnoseError, isTimeoutError } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import { httpRequest } from '../http/transport.js';
import { VERSION } from '../core/version.js';
import type { Alert } from './alert.js';
import { abortableSleep } from '../core/util/sleep.js';
import { buildPayload, detectFormat, type NotifyFormat } from './notify-format.js';

export interface SendAlertOptions {
  /** Deadline for each attempt (connect, headers and body). @default 5000 */
  timeoutMs?: number;
  /** Further attempts after the first one fails in a retryable way (so at most `retries + 1` requests). @default 3 */
  retries?: number;
  /** Body format; 'auto' decides from the URL (see notify-format.ts). @default 'auto' */
  format?: NotifyFormat | 'auto';
  /** First backoff delay; doubles with each retry. @default 1000 */
  retryDelayMs?: number;
  /** Upper bound for any wait between attempts, Retry-After included. @default 30000 */
  maxRetryDelayMs?: number;
  /** undici dispatcher. @default undici's global dispatcher */
  dispatcher?: Dispatcher;
  /** Cancels the delivery (also a pending backoff). */
  signal?: AbortSignal;
  /** Waits between attempts; injectable so tests check the delays without waiting them. @default a timer */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Current time in ms, for Retry-After given as an HTTP date. @default Date.now */
  now?: () => number;
}

export interface SendAlertResult {
  ok: boolean;
  /** Requests made. */
  attempts: number;
  format: NotifyFormat;
  /** The last HTTP status received. */
  status?: number;
  /** Why it failed, without the URL. */
  error?: { code: string; message: string; retryable: boolean };
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/** Seconds ("120") or an HTTP date; undefined when absent or unparsable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** `https://user:pass@ntfy.example.org/topic` → a Basic Authorization header and a URL without credentials. */
function splitCredentials(url: URL): { url: URL; headers: Record<string, string> } {
  const bare = new URL(url.href);
  bare.hash = '';
  if (!url.username && !url.password) return { url: bare, headers: {} };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  bare.username = '';
  bare.password = '';
  return { url: bare, headers: { authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` } };
}

export async function sendAlert(
  url: string | URL,
  alert: Alert,
  options: SendAlertOptions = {},
): Promise<SendAlertResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return {
      ok: false,
      attempts: 0,
      format: 'json',
      error: { code: 'PLEXDIAG_USAGE', message: 'the notify URL is not a valid http(s) URL', retryable: false },
    };
  }
  const format = !options.format || options.format === 'auto' ? detectFormat(parsed) : options.format;
  const { url: target, headers: authHeaders } = splitCredentials(parsed);
  const payload = buildPayload(format, alert);
  const retries = Math.max(0, Math.floor(options.retries ?? 3));
  const baseDelay = options.retryDelayMs ?? 1000;
  const maxDelay = options.maxRetryDelayMs ?? 30_000;
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  const signal = options.signal ?? new AbortController().signal;
  const where = `${format} webhook at ${parsed.host}`;
  // Every text we keep is scrubbed of the URL and its path, in case an error or a response body quotes them.
  const secrets = [parsed.href, target.href, parsed.pathname + parsed.search, parsed.password].filter(
    (s) => s.length >= 6,
  );
  const scrub = (text: string): string => redactText(text, secrets).slice(0, 300);

  let attempts = 0;
  let status: number | undefined;
  for (;;) {
    attempts += 1;
    let waitMs: number | undefined;
    let failure: NonNullable<SendAlertResult['error']>;
    try {
      const response = await httpRequest({
        method: 'POST',
        url: target,
        headers: { 'user-agent': `plex-diagnose/${VERSION}`, ...payload.headers, ...authHeaders },
        body: payload.body,
        timeoutMs: options.timeoutMs ?? 5000,
        maxBodyBytes: MAX_RESPONSE_BYTES,
        maxRedirects: 0,
        signal,
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      status = response.status;
      if (status >= 200 && status < 300) return { ok: true, attempts, format, status };
      const detail = response.body.toString('utf8').replace(/\s+/g, ' ').trim();
      failure = {
        code: 'PLEXDIAG_HTTP',
        message: scrub(
          `${where} answered HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}${detail ? `: ${detail}` : ''}`,
        ),
        retryable: isRetryableStatus(status),
      };
      if (status === 429 || status === 503) waitMs = parseRetryAfter(response.headers['retry-after'], now());
    } catch (error) {
      const code = isPlexDiagnoseError(error) ? error.code : 'PLEXDIAG_NETWORK';
      const retryable = isNetworkError(error) || isTimeoutError(error);
      const phase = isNetworkError(error) ? ` (${error.phase}${error.causeCode ? `, ${error.causeCode}` : ''})` : '';
      const what = isTimeoutError(error)
        ? `no answer within ${error.timeoutMs} ms`
        : code === 'PLEXDIAG_REDIRECT'
          ? 'answered with a redirect'
          : code === 'PLEXDIAG_ABORTED'
            ? 'delivery aborted'
            : `failed${phase}`;
      failure = { code, message: scrub(`${where}: ${what}`), retryable };
    }
    if (!failure.retryable || attempts > retries || signal.aborted)
      return { ok: false, attempts, format, ...(status === undefined ? {} : { status }), error: failure };
    const backoff = baseDelay * 2 ** (attempts - 1);
    await sleep(Math.min(maxDelay, waitMs ?? backoff), signal);
    if (signal.aborted) {
      return {
        ok: false,
        attempts,
        format,
        ...(status === undefined ? {} : { status }),
        error: { code: 'PLEXDIAG_ABORTED', message: `${where}: delivery aborted`, retryable: false },
      };
    }
  }
}
