/**
 * Maps low-level error codes (libuv, OpenSSL, undici) to the phase that failed. Shared by the HTTP layer and the
 * probes, so that "DNS failed", "refused", "TLS failed" and "dropped mid-response" read the same everywhere.
 */
import type { NetworkPhase } from '../core/errors.js';

const DNS_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EAI_NONAME',
  'ENODATA',
  'ESERVFAIL',
  'EREFUSED',
  'ENOTIMP',
  'ECONNREFUSED_DNS',
]);
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'EACCES',
  'EPERM',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const SOCKET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

/** The most specific error code in an error, its AggregateError members or its cause chain. */
export function errorCodeOf(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== 'object' || error === null) return undefined;
  const record = error as { code?: unknown; errors?: unknown; cause?: unknown };
  const own = typeof record.code === 'string' ? record.code : undefined;
  // undici wraps the socket error: `UND_ERR_SOCKET` with the real ECONNRESET beneath it is less useful than the latter.
  if (own && !own.startsWith('UND_ERR_SOCKET')) return own;
  if (Array.isArray(record.errors)) {
    for (const member of record.errors) {
      const code = errorCodeOf(member, depth + 1);
      if (code) return code;
    }
  }
  return errorCodeOf(record.cause, depth + 1) ?? own;
}

export function isTlsCode(code: string): boolean {
  return (
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    code.startsWith('CERT_') ||
    code.startsWith('UNABLE_TO_') ||
    code.includes('SELF_SIGNED') ||
    code === 'EPROTO' ||
    code === 'HOSTNAME_MISMATCH'
  );
}

/**
 * The phase a failure belongs to. `afterHeaders` tells a reset while reading the body (response) from one before
 * any answer (request).
 */
export function phaseOfCode(code: string | undefined, afterHeaders: boolean): NetworkPhase {
  if (!code) return afterHeaders ? 'response' : 'request';
  if (DNS_CODES.has(code)) return 'dns';
  if (isTlsCode(code)) return 'tls';
  if (CONNECT_CODES.has(code)) return 'connect';
  if (SOCKET_CODES.has(code)) return afterHeaders ? 'response' : 'request';
  return afterHeaders ? 'response' : 'request';
}

/** A short human explanation of a code, for messages ("connection refused", "no route to host"). */
export function describeCode(code: string | undefined): string | undefined {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'EHOSTUNREACH':
      return 'no route to host';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'ENOTFOUND':
      return 'name not found';
    case 'EAI_AGAIN':
      return 'DNS lookup timed out or failed temporarily';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timed out';
    case 'UND_ERR_SOCKET':
      return 'the server closed the connection';
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return 'the response ended before its declared length';
    default:
      return undefined;
  }
}
