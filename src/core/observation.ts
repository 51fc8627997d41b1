/**
 * What a collector produced. The probe result shape plus `skipped`, so a probe result can be stored as-is.
 * Plain JSON: observations are the body of a snapshot.
 */
import { z } from 'zod';

export const ObservationError = z.looseObject({
  /** A stable code: PLEXDIAG_* for client errors, a system/TLS code for probes (ECONNREFUSED, ETIMEDOUT, ...). */
  code: z.string(),
  message: z.string(),
  /** dns | connect | tls | request | response | timeout for network failures. */
  phase: z.string().optional(),
  /** The HTTP status, when the failure was an HTTP error. */
  status: z.number().optional(),
  /** The low-level code under a client error (e.g. ECONNREFUSED under PLEXDIAG_NETWORK). */
  causeCode: z.string().optional(),
  /** Why a body could not be decoded (DecodeError): 'html' is a captive portal or proxy page. */
  reason: z.string().optional(),
  /** plex.tv's structured errors (`{"errors":[{code,message}]}`), e.g. 1001 for a rejected token. */
  plexErrors: z
    .array(
      z.looseObject({ code: z.number().optional(), message: z.string().optional(), status: z.number().optional() }),
    )
    .optional(),
});
export type ObservationError = z.infer<typeof ObservationError>;

export const Observation = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), value: z.unknown(), durationMs: z.number() }),
  z.object({ status: z.literal('failed'), error: ObservationError, durationMs: z.number() }),
  z.object({ status: z.literal('skipped'), reason: z.string(), durationMs: z.number() }),
]);

export type Observation<T = unknown> =
  | { status: 'ok'; value: T; durationMs: number }
  | { status: 'failed'; error: ObservationError; durationMs: number }
  | { status: 'skipped'; reason: string; durationMs: number };

/** Thrown inside a collector to record `skipped` with a reason (e.g. "no token: plex.tv needs one"). */
export class SkipCollection extends Error {
  override name = 'SkipCollection';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Thrown inside a collector to record a classified failure (e.g. a probe's failed result). */
export class CollectionFailure extends Error {
  override name = 'CollectionFailure';
  constructor(readonly error: ObservationError) {
    super(error.message);
  }
}

/** Converts anything a collector threw into an observation error: our typed errors keep code, phase and status. */
export function toObservationError(error: unknown): ObservationError {
  if (error instanceof CollectionFailure) return error.error;
  if (typeof error === 'object' && error !== null) {
    const e = error as Record<string, unknown>;
    const out: ObservationError = {
      code: typeof e.code === 'string' ? e.code : 'PLEXDIAG_INTERNAL',
      // A thrown object without a message: its own toString() is the best text there is, and '[object Object]' is an
      // honest last resort.
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- see the comment above
      message: typeof e.message === 'string' ? e.message : String(error),
    };
    if (typeof e.phase === 'string') out.phase = e.phase;
    if (typeof e.status === 'number') out.status = e.status;
    if (typeof e.causeCode === 'string') out.causeCode = e.causeCode;
    if (typeof e.reason === 'string') out.reason = e.reason;
    if (Array.isArray(e.plexErrors) && e.plexErrors.length > 0)
      out.plexErrors = e.plexErrors as ObservationError['plexErrors'];
    return out;
  }
  return { code: 'PLEXDIAG_INTERNAL', message: String(error) };
}
