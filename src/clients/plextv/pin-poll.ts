/**
 * Waiting for a PIN to be approved: poll `GET api/v2/pins/{id}` with a growing interval until it carries an
 * authToken, it expires (404 + code 1020), the caller cancels, or our own deadline passes. Transient failures
 * (network, 5xx, 429, a garbled body) are retried inside the deadline; auth errors and other 4xx are thrown because
 * waiting will not fix them. Never hangs: every request runs under min(per-call deadline, time left).
 */
import { isHttpError, isPlexDiagnoseError } from '../../core/errors.js';
import { abortableSleep } from '../../core/util/sleep.js';
import { PIN_EXPIRED_ERROR_CODE, type PinOutcome, type PlexPin } from './pin.js';

export interface PollPinOptions {
  /** Cancels the wait; the outcome is `cancelled` (not a throw). */
  signal?: AbortSignal;
  /** First wait between polls, in ms. @default 1000 */
  intervalMs?: number;
  /** The interval grows by half after each poll up to this. @default 5000 */
  maxIntervalMs?: number;
  /** Give up after this long (plex.tv pins live 900 s); the outcome is `timeout`. @default 300000 */
  timeoutMs?: number;
}

export const DEFAULT_PIN_POLL_INTERVAL_MS = 1000;
export const DEFAULT_PIN_POLL_MAX_INTERVAL_MS = 5000;
export const DEFAULT_PIN_POLL_TIMEOUT_MS = 300_000;
const GROWTH = 1.5;

/** The wait after poll number `attempt` (0-based): intervalMs × 1.5^attempt, capped at maxIntervalMs. */
export function pinPollDelay(
  attempt: number,
  intervalMs = DEFAULT_PIN_POLL_INTERVAL_MS,
  maxIntervalMs = DEFAULT_PIN_POLL_MAX_INTERVAL_MS,
): number {
  const cap = Math.max(intervalMs, maxIntervalMs);
  return Math.min(cap, Math.round(intervalMs * GROWTH ** attempt));
}

/** Reads the pin once; `signal` covers both the caller's cancel and the poll deadline. */
export type FetchPin = (signal: AbortSignal, timeoutMs: number) => Promise<PlexPin>;

/** Errors after which polling again may succeed: network trouble, a slow answer, a body we could not read. */
const TRANSIENT_CODES = new Set([
  'PLEXDIAG_NETWORK',
  'PLEXDIAG_TIMEOUT',
  'PLEXDIAG_DECODE',
  'PLEXDIAG_VALIDATION',
  'PLEXDIAG_BODY_TOO_LARGE',
]);

/** True when polling again may succeed; auth errors, other 4xx and usage errors are not. */
function isTransient(error: unknown): boolean {
  if (isHttpError(error))
    return error.code !== 'PLEXDIAG_AUTH' && (error.status >= 500 || error.status === 429 || error.status === 408);
  return isPlexDiagnoseError(error) && TRANSIENT_CODES.has(error.code);
}

function isExpired(error: unknown): boolean {
  return (
    isHttpError(error) &&
    error.status === 404 &&
    error.plexErrors.some((entry) => entry.code === PIN_EXPIRED_ERROR_CODE)
  );
}

export async function pollPinUntilDone(
  fetchPin: FetchPin,
  options: PollPinOptions & { requestTimeoutMs: number; clientSignal?: AbortSignal },
): Promise<PinOutcome> {
  const intervalMs = options.intervalMs ?? DEFAULT_PIN_POLL_INTERVAL_MS;
  const maxIntervalMs = options.maxIntervalMs ?? DEFAULT_PIN_POLL_MAX_INTERVAL_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PIN_POLL_TIMEOUT_MS;
  const cancelSignals = [options.signal, options.clientSignal].filter((s): s is AbortSignal => s !== undefined);
  const cancelled = (): boolean => cancelSignals.some((s) => s.aborted);
  if (cancelled()) return { status: 'cancelled' };

  const deadline = new AbortController();
  const deadlineAt = performance.now() + timeoutMs;
  const timer = setTimeout(() => deadline.abort(new Error('pin poll deadline')), timeoutMs);
  const signal = AbortSignal.any([...cancelSignals, deadline.signal]);
  try {
    for (let attempt = 0; ; attempt++) {
      const remaining = Math.round(deadlineAt - performance.now());
      if (cancelled()) return { status: 'cancelled' };
      if (remaining <= 0 || deadline.signal.aborted) return { status: 'timeout' };
      try {
        const pin = await fetchPin(signal, Math.max(1, Math.min(options.requestTimeoutMs, remaining)));
        if (pin.authToken) return { status: 'authorized', authToken: pin.authToken };
      } catch (error) {
        if (cancelled()) return { status: 'cancelled' };
        if (deadline.signal.aborted || performance.now() >= deadlineAt) return { status: 'timeout' };
        if (isExpired(error)) return { status: 'expired' };
        if (!isTransient(error)) throw error;
      }
      await abortableSleep(pinPollDelay(attempt, intervalMs, maxIntervalMs), signal);
    }
  } finally {
    clearTimeout(timer);
  }
}
