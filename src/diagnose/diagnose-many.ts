/**
 * diagnoseMany: the same diagnosis over many servers (a fleet, a help desk's list of customers), a bounded number at
 * a time. Results come back in input order, one per target. A target that fails (a bad URL, a throwing user collector,
 * anything) becomes a `failed` result and never takes the others down; one AbortSignal stops the whole batch.
 *
 * Note that an unreachable server is not a failure here: `diagnose` reports it as a finding (server-unreachable), so
 * its result is `ok` with that report. `failed` means no report could be made at all.
 */
import { setMaxListeners } from 'node:events';
import { diagnose, type DiagnoseOptions } from './diagnose.js';
import { UsageError, isPlexDiagnoseError } from '../core/errors.js';
import { redactText, redactUrl } from '../core/redact.js';
import { linkSignals } from '../core/util/link-signals.js';
import { targetDispatcher, type TargetDispatcher } from './fleet-connections.js';
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
  /**
   * 'per-target': requests to each target's own server go through connections of that target's, closed as soon as
   * its diagnosis ends (a fleet contacts each server once; kept alive, they held memory for every server of the last
   * seconds); requests to other origins (plex.tv, the router) still go through undici's global dispatcher, shared by
   * the batch, but the targets' own requests no longer do: choose it only when that dispatcher is not a proxy, a mock
   * or an Agent with options the targets need. 'shared': everything through the global dispatcher, as `diagnose`
   * does (the default, so a `setGlobalDispatcher` keeps applying to every request). A target with a `dispatcher` of
   * its own always keeps it. @default 'shared'
   */
  connections?: 'per-target' | 'shared';
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

/** A target's outcome as `diagnoseMany.each` yields it: the result, and the target's position in the input. */
type IndexedResult = DiagnoseManyResult & { index: number };

type TargetSource = Iterable<DiagnoseOptions> | AsyncIterable<DiagnoseOptions>;

function checkConcurrency(options: DiagnoseManyOptions): number {
  const concurrency = options.concurrency ?? DEFAULT_DIAGNOSE_MANY_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UsageError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  if (options.connections !== undefined && options.connections !== 'per-target' && options.connections !== 'shared')
    throw new UsageError(`connections must be 'per-target' or 'shared', got ${String(options.connections)}`);
  return concurrency;
}

/** One target, start to settled result. `stop` is the iteration's own end (an early `break`), beside the batch's. */
async function runTarget(
  target: DiagnoseOptions,
  options: DiagnoseManyOptions,
  stop: AbortSignal,
): Promise<DiagnoseManyResult> {
  const url = typeof target?.url === 'string' ? redactUrl(target.url) : '';
  if (options.signal?.aborted) return { status: 'aborted', url, durationMs: 0 };
  const started = performance.now();
  const durationMs = (): number => Math.round(performance.now() - started);
  // The target's own signal, the batch's and the iteration's, as one; not AbortSignal.any, the batch's lives long
  // (link-signals.ts).
  let linked: ReturnType<typeof linkSignals> | undefined;
  let connections: TargetDispatcher | undefined;
  try {
    linked = linkSignals(options.signal, stop, target.signal);
    connections = await targetDispatcher(target, options.connections ?? 'shared');
    const report = await diagnose({
      ...target,
      ...(linked.signal ? { signal: linked.signal } : {}),
      ...(connections.dispatcher ? { dispatcher: connections.dispatcher } : {}),
    });
    // A run cut short by the batch's signal has only skipped checks: not a report anyone should act on.
    if (options.signal?.aborted) return { status: 'aborted', url, durationMs: durationMs() };
    return { status: 'ok', url, durationMs: durationMs(), report };
  } catch (error) {
    if (options.signal?.aborted) return { status: 'aborted', url, durationMs: durationMs() };
    return { status: 'failed', url, durationMs: durationMs(), error: describeFailure(error, target?.token) };
  } finally {
    linked?.release();
    // Before the result is handed on: a yielded target holds no connection.
    await connections?.close();
  }
}

/**
 * Diagnoses every target, at most `concurrency` at a time, and yields each result as it settles (completion order)
 * with the target's input `index`. Memory does not grow with the number of targets: the targets are read lazily, one
 * per free slot (an array, any iterable, or an async iterable such as a database cursor), nothing is kept once
 * yielded, and a consumer that falls behind holds the work back (at most `concurrency` results wait, running and
 * unread together). Leaving the loop early (`break`, `return()`, a throw) launches nothing more, aborts the running
 * diagnoses and waits for them to end, and closes the target source. After the batch's signal fires, the targets not
 * started yet are still read and yielded as `aborted` (an endless source should end itself then). A source that
 * throws ends the iteration with that error, after the running diagnoses ended.
 */
async function* diagnoseEach(
  targets: TargetSource,
  options: DiagnoseManyOptions,
  concurrency: number,
): AsyncGenerator<IndexedResult> {
  const source: Iterator<DiagnoseOptions> | AsyncIterator<DiagnoseOptions> =
    Symbol.asyncIterator in targets ? targets[Symbol.asyncIterator]() : targets[Symbol.iterator]();
  const stop = new AbortController();
  // Every running diagnosis listens on it (up to `concurrency`): fanned out by design, not a leak to warn about.
  setMaxListeners(0, stop.signal);
  const settled: IndexedResult[] = [];
  let running = 0;
  let nextIndex = 0;
  let ended = false;
  let pumping = false;
  let sourceError: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const changed = (): Promise<void> => new Promise<void>((resolve) => (wake = resolve));

  const launch = async (target: DiagnoseOptions, index: number): Promise<void> => {
    running++;
    try {
      const result = { ...(await runTarget(target, options, stop.signal)), index };
      if (stop.signal.aborted) return;
      settled.push(result);
      try {
        options.onResult?.(result, index);
      } catch {
        // A progress callback must not lose a result.
      }
    } finally {
      running--;
      notify();
    }
  };
  // Reads targets while a slot is free: fewer than `concurrency` results running or waiting to be read. Runs beside
  // the generator, so a slot freed by a read is refilled while the consumer works on that result.
  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      while (!ended && !stop.signal.aborted && running + settled.length < concurrency) {
        const step = await source.next();
        if (step.done) ended = true;
        else if (!stop.signal.aborted) void launch(step.value, nextIndex++);
      }
    } catch (error) {
      ended = true;
      sourceError = { error };
    } finally {
      pumping = false;
      notify();
    }
  };

  try {
    void pump();
    for (;;) {
      const result = settled.shift();
      if (result) {
        void pump();
        yield result;
      } else if (ended && running === 0 && !pumping) break;
      else await changed();
    }
    // What already ran was yielded first; then the source's own error.
    if (sourceError) throw sourceError.error;
  } finally {
    stop.abort(new Error('diagnoseMany: the iteration ended'));
    while (running > 0) await changed();
    // Closes a source left mid-way (a generator's finally, a cursor); one that ended or threw has closed itself.
    if (!ended) await source.return?.();
  }
}

/**
 * Diagnoses every target, at most `concurrency` at a time, and resolves with one result per target in input order.
 * Never rejects for a target's sake; rejects only for a bad `concurrency` (a UsageError, before anything runs).
 * `diagnoseMany.each` is the same as an async iterable in completion order, for fleets too large to hold.
 */
export async function diagnoseMany(
  targets: readonly DiagnoseOptions[],
  options: DiagnoseManyOptions = {},
): Promise<DiagnoseManyResult[]> {
  const concurrency = checkConcurrency(options);
  const results: DiagnoseManyResult[] = new Array<DiagnoseManyResult>(targets.length);
  for await (const { index, ...result } of diagnoseEach(targets, options, concurrency)) results[index] = result;
  return results;
}

/**
 * `diagnoseMany.each(targets, options)`: see diagnoseEach above; a bad `concurrency` throws a UsageError at the call.
 * A property of `diagnoseMany` rather than an export of its own: the root entry's names are counted
 * (test/api-surface.test.ts).
 */
diagnoseMany.each = (
  targets: Iterable<DiagnoseOptions> | AsyncIterable<DiagnoseOptions>,
  options: DiagnoseManyOptions = {},
): AsyncGenerator<DiagnoseManyResult & { index: number }> => diagnoseEach(targets, options, checkConcurrency(options));
