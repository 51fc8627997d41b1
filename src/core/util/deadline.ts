/**
 * Races a piece of work against a deadline and the caller's AbortSignal. The work gets a signal that fires on either
 * (and once the race is over), so its I/O stops; the result arrives at the deadline even if the work ignores it.
 * Probes and collectors both stand on this: nothing a peer does can hang them.
 */
import { setMaxListeners } from 'node:events';

export interface DeadlineOutcomes<T> {
  /** The result when the deadline passes first. */
  timeout: () => T;
  /** The result when the caller's signal fires first (also when it had already fired). */
  aborted: () => T;
}

// The work's signal says why it ended. Built once: an Error captures a stack trace when constructed, and this runs
// ~70 times per diagnosis (a third of withDeadline's CPU in the profile); nobody reads the stack of these reasons.
const DEADLINE = new Error('deadline');
const ABORTED = new Error('aborted');
const SETTLED = new Error('settled');

export async function withDeadline<T>(
  options: { timeoutMs: number; signal?: AbortSignal },
  work: (signal: AbortSignal) => Promise<T>,
  outcomes: DeadlineOutcomes<T>,
): Promise<T> {
  if (options.signal?.aborted) return outcomes.aborted();
  const controller = new AbortController();
  // The work fans this signal out to every call it makes (a collector probing 24 connections adds 48 listeners):
  // that is by design, not a leak, and Node's warning past 10 listeners would land on the user's stderr.
  setMaxListeners(0, controller.signal);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(DEADLINE);
      resolve(outcomes.timeout());
    }, options.timeoutMs);
  });
  const aborted = new Promise<T>((resolve) => {
    onAbort = (): void => {
      controller.abort(ABORTED);
      resolve(outcomes.aborted());
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), deadline, aborted]);
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    controller.abort(SETTLED);
  }
}
