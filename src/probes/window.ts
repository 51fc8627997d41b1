/**
 * Datagram probes listen for a window and then *conclude* something ("no IGD answered", "these 2 servers replied",
 * "no NAT-PMP answer after 5 tries"). If `runProbe`'s deadline fired at the same instant it would replace that
 * conclusion with a bare "no answer within N ms", so the body gets the deadline as `deadlineAt` and ends itself, while
 * runProbe keeps a slightly later deadline as the backstop that guarantees nothing hangs.
 */
import { runProbe, type ProbeOptions, type ProbeResult } from './types.js';

/** How long after its own deadline a body may take to wrap up before the backstop answers for it. */
export const BACKSTOP_GRACE_MS = 250;

export function runWindowedProbe<T>(
  options: ProbeOptions,
  defaultTimeoutMs: number,
  body: (signal: AbortSignal, deadlineAt: number, timeoutMs: number) => Promise<T>,
): Promise<ProbeResult<T>> {
  const timeoutMs = options.timeoutMs !== undefined && options.timeoutMs > 0 ? options.timeoutMs : defaultTimeoutMs;
  const deadlineAt = performance.now() + timeoutMs;
  return runProbe(
    {
      ...(options.signal ? { signal: options.signal } : {}),
      timeoutMs: timeoutMs + BACKSTOP_GRACE_MS,
      defaultTimeoutMs,
    },
    (signal) => body(signal, deadlineAt, timeoutMs),
  );
}

/** Milliseconds left until `deadlineAt`, never below 1. */
export function remainingMs(deadlineAt: number): number {
  return Math.max(1, Math.round(deadlineAt - performance.now()));
}

/** Resolves after `ms` or when `signal` fires, whichever is first. */
export { abortableSleep as delay } from '../core/util/sleep.js';
