// The public surface. Every export is named here; anything not listed is internal and may change.
export { VERSION } from './version.js';

export {
  PlexDiagnoseError,
  HttpError,
  AuthError,
  NetworkError,
  TimeoutError,
  AbortError,
  BodyTooLargeError,
  DecodeError,
  ResponseValidationError,
  RedirectError,
  UsageError,
  isPlexDiagnoseError,
  isHttpError,
  isAuthError,
  isNetworkError,
  isTimeoutError,
  isDecodeError,
  isResponseValidationError,
} from './errors.js';
export type { ErrorCode, NetworkPhase, PlexApiErrorEntry, DecodeFailure, ValidationIssue } from './errors.js';

export { httpRequest } from './http/transport.js';
export type { HttpRequestOptions, HttpResponse, HttpMethod } from './http/transport.js';
export { redactText, redactUrl } from './http/redact.js';

export { classifyAddress, isPublicAddress, isInCidr, containerNetworkOf } from './net/address.js';
export type { AddressClass, ContainerNetwork } from './net/address.js';
export { parsePlexDirectName, plexDirectHostname, isPlexDirectHost } from './net/plex-direct.js';
export type { PlexDirectName } from './net/plex-direct.js';

export type { ProbeResult, ProbeError, ProbeOptions, ProbePhase } from './probes/types.js';
