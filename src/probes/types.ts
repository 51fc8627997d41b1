/**
 * The result shape every probe returns. Probes never throw: "port closed" is data for the rules, not an exception.
 * The shape matches a collector observation (`status: 'ok' | 'failed'`), so a probe result can be stored as one.
 */
import type { NetworkPhase } from '../core/errors.js';
import { z } from 'zod';
import { withDeadline } from '../core/util/deadline.js';

export type ProbePhase = NetworkPhase;

export interface ProbeError {
  /** Where it failed: dns, connect, tls, request, response or timeout. */
  phase: ProbePhase;
  /** A stable code: a system code (ECONNREFUSED, EHOSTUNREACH, ENOTFOUND), an undici/TLS code, or one of ours (ETIMEDOUT, EBADRESPONSE, EABORTED). */
  code: string;
  message: string;
}

export type ProbeResult<T> =
  { status: 'ok'; value: T; durationMs: number } | { status: 'failed'; error: ProbeError; durationMs: number };

export interface ProbeOptions {
  /** Deadline for the whole probe. Each probe documents its own default. */
  timeoutMs?: number;
  /** Cancels the probe; the result is `failed` with code EABORTED. */
  signal?: AbortSignal;
}

export function probeOk<T>(value: T, startedAt: number): ProbeResult<T> {
  return { status: 'ok', value, durationMs: elapsed(startedAt) };
}

export function probeFailed<T = never>(error: ProbeError, startedAt: number): ProbeResult<T> {
  return { status: 'failed', error, durationMs: elapsed(startedAt) };
}

export function elapsed(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}

/**
 * Runs a probe body under a deadline and the caller's signal, converting anything thrown into a `failed` result.
 * The body receives a signal that fires at the deadline or on the caller's abort and must stop its I/O on it.
 * The result arrives at the deadline even if the body ignores the signal: nothing a peer does can hang a probe.
 */
export async function runProbe<T>(
  options: ProbeOptions & { defaultTimeoutMs: number },
  body: (signal: AbortSignal) => Promise<T>,
  classify: (error: unknown) => ProbeError = defaultClassify,
): Promise<ProbeResult<T>> {
  const startedAt = performance.now();
  const timeoutMs = options.timeoutMs ?? options.defaultTimeoutMs;
  return withDeadline<ProbeResult<T>>(
    { timeoutMs, signal: options.signal },
    async (signal) => {
      try {
        return probeOk(await body(signal), startedAt);
      } catch (error) {
        return probeFailed(classify(error), startedAt);
      }
    },
    {
      timeout: () =>
        probeFailed({ phase: 'timeout', code: 'ETIMEDOUT', message: `no answer within ${timeoutMs} ms` }, startedAt),
      aborted: () => probeFailed({ phase: 'request', code: 'EABORTED', message: 'aborted' }, startedAt),
    },
  );
}

/** Probe bodies throw `ProbeFailure` to report a classified failure. */
export class ProbeFailure extends Error {
  override name = 'ProbeFailure';
  constructor(readonly detail: ProbeError) {
    super(detail.message);
  }
}

function defaultClassify(error: unknown): ProbeError {
  if (error instanceof ProbeFailure) return error.detail;
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'EUNKNOWN';
  return { phase: 'request', code, message: error instanceof Error ? error.message : String(error) };
}

/** The zod schema of a `ProbeResult<T>`, for snapshot validation. */
export function probeResultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('status', [
    z.object({ status: z.literal('ok'), value, durationMs: z.number() }),
    z.object({
      status: z.literal('failed'),
      error: z.object({
        phase: z.enum(['dns', 'connect', 'tls', 'request', 'response', 'timeout']),
        code: z.string(),
        message: z.string(),
      }),
      durationMs: z.number(),
    }),
  ]);
}
