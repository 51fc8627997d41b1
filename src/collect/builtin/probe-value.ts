import type { ProbeResult } from '../../probes/types.js';
import { CollectionFailure } from '../../core/observation.js';

/** A probe's `ok` value, or a collector failure carrying the probe's phase and code. */
export function unwrapProbe<T>(result: ProbeResult<T>): T {
  if (result.status === 'ok') return result.value;
  throw new CollectionFailure({ code: result.error.code, phase: result.error.phase, message: result.error.message });
}

/** Leaves a probe a little of the collector's deadline, so its own classified timeout wins the race. */
export function probeBudget(collectorTimeoutMs: number): number {
  return Math.max(100, collectorTimeoutMs - Math.min(500, Math.round(collectorTimeoutMs * 0.1)));
}
