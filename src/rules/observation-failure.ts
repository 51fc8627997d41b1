/**
 * What kind of failure a failed observation records, for rules that explain "could not reach X". One place, so
 * `server-unreachable` and `plextv-unreachable` read codes the same way. Pure: it reads the stored error only.
 *
 * A stored error keeps `code`, `phase`, `status`, `causeCode` and `message` (src/core/observation.ts). A decode
 * failure's `reason` is read when the error carries it; snapshots whose errors lack it are recognised by the
 * message `src/http/decode.ts` writes for an HTML body ("got an HTML page").
 */
import type { Observation, ObservationError } from '../core/observation.js';
import { isTlsCode, phaseOfCode } from '../http/network-error.js';

export type FailureKind =
  /** The name did not resolve (ENOTFOUND, EAI_AGAIN, ...). */
  | 'dns'
  /** Connection refused: nothing listens there. */
  | 'refused'
  /** EHOSTUNREACH / ENETUNREACH / EHOSTDOWN / ENETDOWN. */
  | 'no-route'
  /** The deadline passed (client, connect or collector timeout). */
  | 'timeout'
  /** The TLS handshake failed (certificate, protocol). */
  | 'tls'
  /** Connected, then the connection was reset or closed before an answer. */
  | 'reset'
  /** An HTML page answered instead of Plex data (captive portal, router page, proxy login). */
  | 'html'
  /** Something answered, but not with the expected data (malformed, empty, wrong shape). */
  | 'not-plex'
  /** An HTTP error status (other than 401/403). */
  | 'http-status'
  /** 401/403. */
  | 'auth'
  /** The run was cancelled: says nothing about the peer. */
  | 'aborted'
  | 'other';

export interface ClassifiedFailure {
  kind: FailureKind;
  /** The most specific code to show a person: the system/TLS code, else the HTTP status, else our code. */
  code: string;
  error: ObservationError;
}

const NO_ROUTE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The low-level code under an error: `causeCode` for client errors, `code` itself for probe/collector errors. */
function lowLevelCode(error: ObservationError): string | undefined {
  if (error.causeCode) return error.causeCode;
  return error.code.startsWith('PLEXDIAG_') ? undefined : error.code;
}

/** True for a decode failure caused by an HTML body (`DecodeError` reason `html`). */
export function isHtmlBody(error: ObservationError): boolean {
  if (error.code !== 'PLEXDIAG_DECODE') return false;
  const reason = (error as { reason?: unknown }).reason;
  if (typeof reason === 'string') return reason === 'html';
  return /\bgot an HTML page\b/.test(error.message);
}

export function classifyFailure(error: ObservationError): ClassifiedFailure {
  const low = lowLevelCode(error);
  const code = low ?? (error.status !== undefined ? `HTTP ${error.status}` : error.code);
  const kind = ((): FailureKind => {
    switch (error.code) {
      case 'PLEXDIAG_ABORTED':
        return 'aborted';
      case 'PLEXDIAG_AUTH':
        return 'auth';
      case 'PLEXDIAG_HTTP':
        return 'http-status';
      case 'PLEXDIAG_DECODE':
        return isHtmlBody(error) ? 'html' : 'not-plex';
      case 'PLEXDIAG_VALIDATION':
        return 'not-plex';
    }
    const phase = error.phase ?? (low ? phaseOfCode(low, false) : undefined);
    // A lookup that failed under a deadline or a connect error is still a DNS failure: EAI_AGAIN wrapped in a timeout
    // was reported as "did not answer in time", which sends the user to the wrong fix.
    if (phase === 'dns' || (low !== undefined && phaseOfCode(low, false) === 'dns')) return 'dns';
    if (phase === 'tls' || (low !== undefined && isTlsCode(low))) return 'tls';
    if (low === 'ECONNREFUSED') return 'refused';
    if (low !== undefined && NO_ROUTE_CODES.has(low)) return 'no-route';
    if (error.code === 'PLEXDIAG_TIMEOUT' || phase === 'timeout' || (low !== undefined && TIMEOUT_CODES.has(low)))
      return 'timeout';
    if (phase === 'request' || phase === 'response') return 'reset';
    return 'other';
  })();
  return { kind, code, error };
}

/** The classified failure of an observation, or undefined when it did not fail (ok, skipped, not collected). */
export function failureOf(observation: Observation | undefined): ClassifiedFailure | undefined {
  return observation?.status === 'failed' ? classifyFailure(observation.error) : undefined;
}

/** "ECONNREFUSED (connect)" style summary for evidence. */
export function describeFailure(failure: ClassifiedFailure): string {
  const { error } = failure;
  const parts = [failure.code];
  if (error.phase) parts.push(`phase ${error.phase}`);
  return `failed: ${parts.join(', ')}: ${error.message}`;
}
