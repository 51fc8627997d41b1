/**
 * Runs exactly the collectors asked for (and what they need), each as soon as its needs have settled, concurrently,
 * each under its own deadline. A collector never takes the run down: a throw is `failed`, a hang is `failed` at its
 * deadline, a missing need is `skipped`. The wall time is the critical path of the needs graph, not the sum.
 */
import { setMaxListeners } from 'node:events';
import { UsageError } from '../core/errors.js';
import {
  createReader,
  type AnyCollector,
  type CollectorContext,
  type ObservationMap,
  type PrefetchContext,
} from './define-collector.js';
import { SkipCollection, toObservationError, type Observation } from '../core/observation.js';
import { withDeadline } from '../core/util/deadline.js';

export type CollectProgress =
  | { type: 'start'; id: string; title: string }
  | { type: 'finish'; id: string; title: string; observation: Observation };

export interface ScheduleOptions<Services> {
  services: Services;
  /** @default 10000 */
  collectorTimeoutMs?: number;
  /** How many collectors may run at once. @default Infinity */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (event: CollectProgress) => void;
}

/** The collectors needed to produce `wanted`, in dependency order; unknown ids and cycles are usage errors. */
export function planCollectors(registry: readonly AnyCollector[], wanted: Iterable<string>): AnyCollector[] {
  const byId = new Map<string, AnyCollector>();
  for (const collector of registry) {
    if (byId.has(collector.id)) throw new UsageError(`two collectors have the id "${collector.id}"`);
    byId.set(collector.id, collector);
  }
  const ordered: AnyCollector[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, from?: string): void => {
    const collector = byId.get(id);
    if (!collector) throw new UsageError(`unknown collector "${id}"${from ? ` (needed by "${from}")` : ''}`);
    const seen = state.get(id);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new UsageError(`collectors depend on each other in a cycle through "${id}"`);
    state.set(id, 'visiting');
    for (const need of [...(collector.needs ?? []), ...(collector.after ?? [])]) visit(need, id);
    state.set(id, 'done');
    ordered.push(collector);
  };
  for (const id of wanted) visit(id);
  return ordered;
}

/**
 * A signal that follows the caller's, for the collectors to share: the caller's signal gets one listener however
 * many collectors run at once (Node warns about a leak past 10 listeners on one signal, on the user's stderr).
 */
function followSignal(signal: AbortSignal | undefined): { signal: AbortSignal | undefined; release(): void } {
  if (!signal) return { signal: undefined, release: () => undefined };
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const forward = (): void => controller.abort(signal.reason);
  if (signal.aborted) forward();
  else signal.addEventListener('abort', forward, { once: true });
  return { signal: controller.signal, release: () => signal.removeEventListener('abort', forward) };
}

export async function runCollectors<Services>(
  registry: readonly AnyCollector[],
  wanted: Iterable<string>,
  options: ScheduleOptions<Services>,
): Promise<ObservationMap> {
  const plan = planCollectors(registry, wanted);
  const linked = followSignal(options.signal);
  try {
    return await runPlan(plan, { ...options, signal: linked.signal });
  } finally {
    linked.release();
  }
}

async function runPlan<Services>(plan: AnyCollector[], options: ScheduleOptions<Services>): Promise<ObservationMap> {
  const observations: ObservationMap = {};
  const reader = createReader(observations);
  const settled = new Map<string, Promise<void>>();
  const limit = options.concurrency ?? Number.POSITIVE_INFINITY;
  let running = 0;
  const queue: (() => void)[] = [];
  const acquire = (): Promise<void> =>
    running < limit
      ? (running++, Promise.resolve())
      : new Promise((resolve) => queue.push(() => (running++, resolve())));
  const release = (): void => {
    running--;
    queue.shift()?.();
  };

  const runOne = async (collector: AnyCollector): Promise<void> => {
    // A concurrency limit asks for fewer requests at once: a prefetch would add one, so it waits for its turn then.
    const early =
      collector.prefetch && limit === Number.POSITIVE_INFINITY ? startPrefetch(collector, options) : undefined;
    try {
      await runWhenReady(collector, early?.result);
    } finally {
      early?.stop();
    }
  };

  const runWhenReady = async (collector: AnyCollector, prefetched: Promise<unknown> | undefined): Promise<void> => {
    await Promise.all(
      [...(collector.needs ?? []), ...(collector.after ?? [])].map((id) => settled.get(id) ?? Promise.resolve()),
    );
    const missing = (collector.needs ?? []).find((id) => observations[id]?.status !== 'ok');
    if (missing) {
      const need = observations[missing];
      const why =
        need?.status === 'failed'
          ? `failed: ${need.error.message}`
          : need?.status === 'skipped'
            ? `was skipped: ${need.reason}`
            : 'did not run';
      observations[collector.id] = { status: 'skipped', reason: `needs ${missing}, which ${why}`, durationMs: 0 };
      options.onProgress?.({
        type: 'finish',
        id: collector.id,
        title: collector.title,
        observation: observations[collector.id]!,
      });
      return;
    }
    await acquire();
    try {
      options.onProgress?.({ type: 'start', id: collector.id, title: collector.title });
      observations[collector.id] = await runWithDeadline(collector, reader, options, prefetched);
      options.onProgress?.({
        type: 'finish',
        id: collector.id,
        title: collector.title,
        observation: observations[collector.id]!,
      });
    } finally {
      release();
    }
  };

  for (const collector of plan) settled.set(collector.id, runOne(collector));
  await Promise.all(settled.values());
  return observations;
}

/**
 * Starts a collector's `prefetch` (if any) at once, under a signal that follows the collection's and is aborted by
 * `stop()` once the collector has settled. The result never rejects unhandled: `collect` sees it via ctx.prefetched().
 */
function startPrefetch<Services>(
  collector: AnyCollector,
  options: ScheduleOptions<Services>,
): { result: Promise<unknown>; stop(): void } {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const forward = (): void => controller.abort(new Error('aborted'));
  if (options.signal?.aborted) forward();
  else options.signal?.addEventListener('abort', forward, { once: true });
  const context: PrefetchContext<Services> = {
    signal: controller.signal,
    timeoutMs: collector.timeoutMs ?? options.collectorTimeoutMs ?? 10_000,
    services: options.services,
    skip(reason: string): never {
      throw new SkipCollection(reason);
    },
  };
  const result = Promise.resolve().then(() => collector.prefetch!(context));
  result.catch(() => undefined);
  return {
    result,
    stop: () => {
      options.signal?.removeEventListener('abort', forward);
      controller.abort(new Error('settled'));
    },
  };
}

async function runWithDeadline<Services>(
  collector: AnyCollector,
  reader: ReturnType<typeof createReader>,
  options: ScheduleOptions<Services>,
  prefetched: Promise<unknown> | undefined,
): Promise<Observation> {
  const timeoutMs = collector.timeoutMs ?? options.collectorTimeoutMs ?? 10_000;
  const started = performance.now();
  const duration = (): number => Math.round(performance.now() - started);
  const skippedByAbort = (): Observation => ({
    status: 'skipped',
    reason: 'the collection was aborted',
    durationMs: duration(),
  });
  return withDeadline<Observation>(
    { timeoutMs, signal: options.signal },
    async (signal) => {
      const context: CollectorContext<Services> = {
        ...reader,
        signal,
        timeoutMs,
        services: options.services,
        skip(reason: string): never {
          throw new SkipCollection(reason);
        },
        // Not started early (no prefetch, or a concurrency limit): run it now, as part of this collector's turn.
        prefetched: () =>
          (prefetched ??= Promise.resolve().then(() =>
            collector.prefetch?.({ signal, timeoutMs, services: options.services, skip: context.skip }),
          )),
      };
      try {
        const value = await collector.collect(context);
        return { status: 'ok', value, durationMs: duration() };
      } catch (error) {
        if (error instanceof SkipCollection) return { status: 'skipped', reason: error.reason, durationMs: duration() };
        return { status: 'failed', error: toObservationError(error), durationMs: duration() };
      }
    },
    {
      timeout: () => ({
        status: 'failed',
        error: {
          code: 'ETIMEDOUT',
          phase: 'timeout',
          message: `${collector.title} did not finish within ${timeoutMs} ms`,
        },
        durationMs: duration(),
      }),
      aborted: skippedByAbort,
    },
  );
}
