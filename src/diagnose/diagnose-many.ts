/**
 * diagnoseMany: the same diagnosis over many servers (a fleet, a help desk's list of customers), a bounded number at
 * a time. Results come back in input order, one per target. A target that fails (a bad URL, a throwing user collector,
 * anything) becomes a `failed` result and never takes the others down; one AbortSignal stops the whole batch.
 *
 * Note that an unreachable server is not a failure here: `diagnose` reports it as a finding (server-unreachable), so
 * its result is `ok` with that report. `failed` means no report could be made at all.
 */
import { diagnose, type DiagnoseOptions } from './diagnose.js';
import { UsageError, isPlexDiagnoseError } from '../core/errors.js';
import { redactText, redactUrl } from '../core/redact.js';
import { linkSignals } from '../core/util/link-signals.js';
import type { Report } from '../core/report.js';

export interface DiagnoseManyOptions {
  /** How many diagnoses run at once. A positive integer. @default 8 */
  concurrency?: number;
  /**
   * Stops the batch: targets not started yet end as `aborted` without touching the network, running ones get the
   * signal (their collectors stop at once) and end as `aborted` too. @default undefined (never aborted)
   */
  signal?: AbortSignal;
  /** Called as each target settles, in completion order (progress bars). What it throws is ignored. @default none */
  onResult?: (result: DiagnoseManyResult, index: number) => void;
}

/** Why a target produced no report: plain JSON, never the token. */
export interface DiagnoseManyError {
  /** The PlexDiagnoseError code (e.g. PLEXDIAG_USAGE), or 'PLEXDIAG_INTERNAL' for anything else thrown. */
  code: string;
  message: string;
}

interface ResultBase {
  /** The target's server URL as given (credential query parameters redacted). */
  url: string;
  /** Wall time of this target's diagnosis; 0 when it never started. */
  durationMs: number;
}

/** One target's outcome. Plain data: JSON.stringify keeps all of it. */
export type DiagnoseManyResult =
  | (ResultBase & { status: 'ok'; report: Report })
  | (ResultBase & { status: 'failed'; error: DiagnoseManyError })
  | (ResultBase & { status: 'aborted' });

export const DEFAULT_DIAGNOSE_MANY_CONCURRENCY = 8;

function describeFailure(error: unknown, token: string | undefined): DiagnoseManyError {
  const secrets = token ? [token] : [];
  if (isPlexDiagnoseError(error)) return { code: error.code, message: redactText(error.message, secrets) };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'PLEXDIAG_INTERNAL', message: redactText(message, secrets) };
}

/**
 * Diagnoses every target, at most `concurrency` at a time, and resolves with one result per target in input order.
 * Never rejects for a target's sake; rejects only for a bad `concurrency` (a UsageError, before anything runs).
 */
export async function diagnoseMany(
  targets: readonly DiagnoseOptions[],
  options: DiagnoseManyOptions = {},
): Promise<DiagnoseManyResult[]> {
  const concurrency = options.concurrency ?? DEFAULT_DIAGNOSE_MANY_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UsageError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  const results: DiagnoseManyResult[] = new Array<DiagnoseManyResult>(targets.length);
  const settle = (index: number, result: DiagnoseManyResult): void => {
    results[index] = result;
    try {
      options.onResult?.(result, index);
    } catch {
      // A progress callback must not lose a result.
    }
  };

  const runTarget = async (index: number): Promise<void> => {
    const target = targets[index]!;
    const url = typeof target?.url === 'string' ? redactUrl(target.url) : '';
    if (options.signal?.aborted) return settle(index, { status: 'aborted', url, durationMs: 0 });
    const started = performance.now();
    const durationMs = (): number => Math.round(performance.now() - started);
    // The target's own signal and the batch's, as one; not AbortSignal.any, the batch's lives long (link-signals.ts).
    let linked: ReturnType<typeof linkSignals> | undefined;
    try {
      linked = linkSignals(options.signal, target.signal);
      const report = await diagnose({ ...target, ...(linked.signal ? { signal: linked.signal } : {}) });
      // A run cut short by the batch's signal has only skipped checks: not a report anyone should act on.
      if (options.signal?.aborted) return settle(index, { status: 'aborted', url, durationMs: durationMs() });
      settle(index, { status: 'ok', url, durationMs: durationMs(), report });
    } catch (error) {
      if (options.signal?.aborted) return settle(index, { status: 'aborted', url, durationMs: durationMs() });
      settle(index, { status: 'failed', url, durationMs: durationMs(), error: describeFailure(error, target?.token) });
    } finally {
      linked?.release();
    }
  };

  // A fixed pool of workers pulling the next index: bounded concurrency without a queue of pending promises.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) await runTarget(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  return results;
}
