/** Turns the transport's typed errors into a probe failure (phase + stable code), for the UPnP HTTP calls. */
import { isDecodeError, isNetworkError, isTimeoutError, type PlexDiagnoseError } from '../../core/errors.js';
import type { ProbeError } from '../types.js';

export function probeErrorFromHttp(error: unknown, what: string): ProbeError {
  const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
  if (isTimeoutError(error)) return { phase: 'timeout', code: 'ETIMEDOUT', message };
  if (isNetworkError(error)) return { phase: error.phase, code: error.causeCode ?? 'ENETWORK', message };
  if (isDecodeError(error)) return { phase: 'response', code: 'EBADRESPONSE', message };
  switch ((error as PlexDiagnoseError | undefined)?.code) {
    case 'PLEXDIAG_ABORTED':
      return { phase: 'request', code: 'EABORTED', message };
    case 'PLEXDIAG_BODY_TOO_LARGE':
      return { phase: 'response', code: 'EBODYTOOLARGE', message };
    case 'PLEXDIAG_REDIRECT':
      return { phase: 'response', code: 'EREDIRECT', message };
    case 'PLEXDIAG_USAGE':
      return { phase: 'request', code: 'EINVALIDURL', message };
    default:
      return { phase: 'request', code: 'EUNKNOWN', message };
  }
}
