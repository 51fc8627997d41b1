/**
 * Errors thrown by the API clients. One base class with a stable `code`, a `cause`, and never the token: every
 * message, URL and cause passes through the redactor before it is stored (octokit's RequestError redacts the same way).
 *
 * Probes never throw these: they return results. Clients throw them.
 */
import { redactText, redactUrl, sanitizeCause } from './redact.js';

/** Stable machine-readable error codes. Documented in docs/errors.md; never renamed. */
export type ErrorCode =
  | 'PLEXDIAG_HTTP'
  | 'PLEXDIAG_AUTH'
  | 'PLEXDIAG_NETWORK'
  | 'PLEXDIAG_TIMEOUT'
  | 'PLEXDIAG_ABORTED'
  | 'PLEXDIAG_BODY_TOO_LARGE'
  | 'PLEXDIAG_DECODE'
  | 'PLEXDIAG_VALIDATION'
  | 'PLEXDIAG_REDIRECT'
  | 'PLEXDIAG_USAGE'
  | 'PLEXDIAG_SNAPSHOT';

/**
 * Where a network operation failed. A troubleshooter cares: "DNS failed" and "TLS failed" are different diagnoses.
 * `request` covers everything between a connected socket and the response headers.
 */
export type NetworkPhase = 'dns' | 'connect' | 'tls' | 'request' | 'response' | 'timeout';

export interface ErrorContext {
  /** HTTP method of the failed call. */
  method?: string;
  /** URL of the failed call; redacted before it is stored. */
  url?: string;
  /** The underlying error; replaced by a redacted copy (same name, code and message shape). */
  cause?: unknown;
  /** Secrets to scrub from the message and cause besides the well-known token patterns. */
  secrets?: readonly string[];
}

export class PlexDiagnoseError extends Error {
  override name = 'PlexDiagnoseError';
  readonly code: ErrorCode;
  readonly method: string | undefined;
  readonly url: string | undefined;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}) {
    const secrets = context.secrets ?? [];
    super(
      redactText(message, secrets),
      context.cause === undefined ? undefined : { cause: sanitizeCause(context.cause, secrets) },
    );
    this.code = code;
    this.method = context.method;
    this.url = context.url === undefined ? undefined : redactText(redactUrl(context.url), secrets);
  }

  /** A plain, serialisable view (for snapshots and `--json`). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, method: this.method, url: this.url };
  }
}

export interface PlexApiErrorEntry {
  code?: number;
  message?: string;
  status?: number;
}

export interface HttpErrorDetails extends ErrorContext {
  status: number;
  statusText?: string;
  contentType?: string;
  /** The first few hundred characters of the body, redacted. */
  bodyExcerpt?: string;
  /** plex.tv's structured errors (`{"errors":[{"code":1001,...}]}`), when the body had them. */
  plexErrors?: PlexApiErrorEntry[];
}

/** The server answered with a non-2xx status. */
export class HttpError extends PlexDiagnoseError {
  override name = 'HttpError';
  readonly status: number;
  readonly statusText: string | undefined;
  readonly contentType: string | undefined;
  readonly bodyExcerpt: string | undefined;
  readonly plexErrors: PlexApiErrorEntry[];

  constructor(message: string, details: HttpErrorDetails, code: ErrorCode = 'PLEXDIAG_HTTP') {
    super(code, message, details);
    const secrets = details.secrets ?? [];
    this.status = details.status;
    this.statusText = details.statusText;
    this.contentType = details.contentType;
    this.bodyExcerpt = details.bodyExcerpt === undefined ? undefined : redactText(details.bodyExcerpt, secrets);
    this.plexErrors = (details.plexErrors ?? []).map((e) => ({
      ...e,
      message: e.message && redactText(e.message, secrets),
    }));
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, plexErrors: this.plexErrors };
  }
}

/** 401 (token missing or invalid) or 403 (token valid but not allowed, e.g. not the server owner). */
export class AuthError extends HttpError {
  override name = 'AuthError';
  constructor(message: string, details: HttpErrorDetails) {
    super(message, details, 'PLEXDIAG_AUTH');
  }
}

/** DNS, connect, TLS or socket failure: no usable response. */
export class NetworkError extends PlexDiagnoseError {
  override name = 'NetworkError';
  readonly phase: NetworkPhase;
  /** The system or undici error code, e.g. ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET. */
  readonly causeCode: string | undefined;

  constructor(message: string, details: ErrorContext & { phase: NetworkPhase; causeCode?: string }) {
    super('PLEXDIAG_NETWORK', message, details);
    this.phase = details.phase;
    this.causeCode = details.causeCode;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), phase: this.phase, causeCode: this.causeCode };
  }
}

/** The call's deadline passed. `stage` says whether the headers or the body were late. */
export class TimeoutError extends PlexDiagnoseError {
  override name = 'TimeoutError';
  readonly phase = 'timeout' as const;
  readonly timeoutMs: number;
  readonly stage: 'headers' | 'body';

  constructor(message: string, details: ErrorContext & { timeoutMs: number; stage: 'headers' | 'body' }) {
    super('PLEXDIAG_TIMEOUT', message, details);
    this.timeoutMs = details.timeoutMs;
    this.stage = details.stage;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), phase: this.phase, timeoutMs: this.timeoutMs, stage: this.stage };
  }
}

/** The caller's AbortSignal fired. */
export class AbortError extends PlexDiagnoseError {
  override name = 'AbortError';
  constructor(message: string, details: ErrorContext = {}) {
    super('PLEXDIAG_ABORTED', message, details);
  }
}

/** The response body exceeded `maxBodyBytes`; reading stopped there. */
export class BodyTooLargeError extends PlexDiagnoseError {
  override name = 'BodyTooLargeError';
  readonly limitBytes: number;
  constructor(message: string, details: ErrorContext & { limitBytes: number }) {
    super('PLEXDIAG_BODY_TOO_LARGE', message, details);
    this.limitBytes = details.limitBytes;
  }
}

/** Why a body could not be decoded. `html` is the captive-portal / proxy-login case. */
export type DecodeFailure =
  | 'empty'
  | 'html'
  | 'malformed-xml'
  | 'malformed-json'
  | 'unexpected-content'
  | 'xml-entities'
  /** More elements, attributes or nesting than any Plex or router payload has: refused before parsing. */
  | 'xml-too-complex';

/** The body was not the JSON or XML it should have been (HTML login page, truncated or malformed payload). */
export class DecodeError extends PlexDiagnoseError {
  override name = 'DecodeError';
  readonly reason: DecodeFailure;
  readonly contentType: string | undefined;
  readonly bodyExcerpt: string | undefined;

  constructor(
    message: string,
    details: ErrorContext & { reason: DecodeFailure; contentType?: string; bodyExcerpt?: string },
  ) {
    super('PLEXDIAG_DECODE', message, details);
    this.reason = details.reason;
    this.contentType = details.contentType;
    this.bodyExcerpt =
      details.bodyExcerpt === undefined ? undefined : redactText(details.bodyExcerpt, details.secrets ?? []);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

export interface ValidationIssue {
  path: (string | number)[];
  message: string;
}

/** The body decoded fine but did not have the expected shape (zod issues kept, values not). */
export class ResponseValidationError extends PlexDiagnoseError {
  override name = 'ResponseValidationError';
  readonly issues: ValidationIssue[];
  constructor(message: string, details: ErrorContext & { issues: ValidationIssue[] }) {
    super('PLEXDIAG_VALIDATION', message, details);
    this.issues = details.issues;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** Too many redirects, or a redirect without a usable Location. */
export class RedirectError extends PlexDiagnoseError {
  override name = 'RedirectError';
  /**
   * 'cross-origin': the answer came from another origin through a redirect, so it is not the server's own answer
   * (it is never taken as the server's data). 'too-many': the redirect limit was reached.
   */
  readonly reason: 'cross-origin' | 'too-many';
  constructor(message: string, details: ErrorContext & { reason?: 'cross-origin' | 'too-many' } = {}) {
    super('PLEXDIAG_REDIRECT', message, details);
    this.reason = details.reason ?? 'too-many';
  }
}

/** Bad options passed by the caller (an unparsable base URL, a negative timeout, ...). */
export class UsageError extends PlexDiagnoseError {
  override name = 'UsageError';
  constructor(message: string, details: ErrorContext = {}) {
    super('PLEXDIAG_USAGE', message, details);
  }
}

/** A snapshot file that is not JSON, not a snapshot, from a newer schema, or with values of the wrong shape. */
export class SnapshotError extends PlexDiagnoseError {
  override name = 'SnapshotError';
  readonly issues: ValidationIssue[];
  constructor(message: string, details: ErrorContext & { issues?: ValidationIssue[] } = {}) {
    super('PLEXDIAG_SNAPSHOT', message, details);
    this.issues = details.issues ?? [];
  }
}

// Guards check `name`/`code` as well as instanceof: two copies of the package (ESM + CJS) do not share classes.
function hasCode(error: unknown, code: ErrorCode): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

export const isPlexDiagnoseError = (error: unknown): error is PlexDiagnoseError =>
  error instanceof PlexDiagnoseError ||
  (typeof error === 'object' && error !== null && String((error as { code?: unknown }).code).startsWith('PLEXDIAG_'));
export const isHttpError = (error: unknown): error is HttpError =>
  error instanceof HttpError || hasCode(error, 'PLEXDIAG_HTTP') || hasCode(error, 'PLEXDIAG_AUTH');
export const isAuthError = (error: unknown): error is AuthError =>
  error instanceof AuthError || hasCode(error, 'PLEXDIAG_AUTH');
export const isNetworkError = (error: unknown): error is NetworkError =>
  error instanceof NetworkError || hasCode(error, 'PLEXDIAG_NETWORK');
export const isTimeoutError = (error: unknown): error is TimeoutError =>
  error instanceof TimeoutError || hasCode(error, 'PLEXDIAG_TIMEOUT');
export const isDecodeError = (error: unknown): error is DecodeError =>
  error instanceof DecodeError || hasCode(error, 'PLEXDIAG_DECODE');
export const isResponseValidationError = (error: unknown): error is ResponseValidationError =>
  error instanceof ResponseValidationError || hasCode(error, 'PLEXDIAG_VALIDATION');
