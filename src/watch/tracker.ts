/**
 * Debounced alerting: one alert per persistent change, none for flapping. A state must be seen `debounce`
 * consecutive runs before it becomes the confirmed state; confirming a different state emits one Alert.
 *
 * The tracker keeps only the confirmed state, one pending candidate and the last target seen, never a history, so a
 * watch that runs for months uses constant memory. It reads no clock: the caller passes each run's time.
 */
import { UsageError } from '../core/errors.js';
import type { Report } from '../core/report.js';
import type { Severity } from '../rules/types.js';
import {
  alertCause,
  causesOf,
  runErrorOf,
  sameState,
  stateOf,
  targetOf,
  type Alert,
  type AlertKind,
  type AlertTarget,
  type WatchState,
} from './alert.js';

export interface AlertTrackerOptions {
  /** Consecutive runs a new state must be seen before it is confirmed (1 = alert on the first sighting). @default 2 */
  debounce?: number;
  /**
   * Findings below this severity do not make a problem state. Root causes are never 'info', so the default counts
   * every root cause; pass the CLI's `--fail-on` to align alerts with the exit code.
   * @default 'warning'
   */
  minSeverity?: Severity;
}

/** One run's result: a report, or the error that stopped the diagnosis. */
export type RunOutcome = { report: Report; error?: undefined } | { error: unknown; report?: undefined };

export interface PendingState {
  state: WatchState;
  /** Consecutive runs it has been seen so far (less than `debounce`). */
  runs: number;
}

export interface AlertTracker {
  /** Feeds one run; returns the Alert when this run confirmed a change worth reporting. */
  observe(outcome: RunOutcome, at: Date | string): Alert | undefined;
  /** The state that was last confirmed (undefined until the first confirmation). */
  readonly confirmed: WatchState | undefined;
  /** A state seen fewer than `debounce` times in a row, waiting for confirmation. */
  readonly pending: PendingState | undefined;
  readonly debounce: number;
}

/** The state a single outcome stands for (what `observe` compares). */
export function outcomeState(outcome: RunOutcome, minSeverity: Severity = 'warning'): WatchState {
  if (outcome.report === undefined) return { status: 'diagnosis-failed', causes: [] };
  return stateOf(causesOf(outcome.report, minSeverity));
}

function kindOf(state: WatchState, previous: WatchState | undefined): AlertKind | undefined {
  if (state.status === 'healthy') return previous === undefined ? undefined : 'recovered';
  if (state.status === 'diagnosis-failed') return 'unavailable';
  return previous?.status === 'problem' ? 'changed' : 'problem';
}

function headline(
  kind: AlertKind,
  alert: Pick<Alert, 'causes' | 'error' | 'previous'>,
  runs: number,
  target?: AlertTarget,
): string {
  const where = target?.name ? ` (${target.name})` : '';
  const first = alert.causes[0]?.message ?? '';
  const more = alert.causes.length > 1 ? ` (+${alert.causes.length - 1} more)` : '';
  switch (kind) {
    case 'problem':
      return `Plex remote access problem${where}: ${first}${more}`;
    case 'changed':
      return `Plex remote access problem changed${where}: ${first}${more}`;
    case 'recovered':
      return alert.previous?.status === 'diagnosis-failed'
        ? `Plex diagnosis works again${where}: no problems found`
        : `Plex remote access recovered${where}: no problems found`;
    case 'unavailable':
      return `Plex diagnosis failed ${runs} run${runs === 1 ? '' : 's'} in a row${where}: ${alert.error?.message ?? 'unknown error'}`;
    default:
      // The forward-* and outside-unavailable kinds come from the forward tracker, never from this one.
      return `${kind}${where}: ${first}`;
  }
}

export function createAlertTracker(options: AlertTrackerOptions = {}): AlertTracker {
  const debounce = options.debounce ?? 2;
  const minSeverity = options.minSeverity ?? 'warning';
  if (!Number.isInteger(debounce) || debounce < 1)
    throw new UsageError(`debounce must be a whole number of runs, at least 1 (got ${debounce})`);
  let confirmed: WatchState | undefined;
  let pending: PendingState | undefined;
  let lastTarget: AlertTarget | undefined;

  function observe(outcome: RunOutcome, at: Date | string): Alert | undefined {
    const state = outcomeState(outcome, minSeverity);
    if (outcome.report) lastTarget = targetOf(outcome.report) ?? lastTarget;
    if (confirmed && sameState(state, confirmed)) {
      pending = undefined; // the blip is over: back to what we already reported
      return undefined;
    }
    pending =
      pending && sameState(pending.state, state)
        ? { state: pending.state, runs: pending.runs + 1 }
        : { state, runs: 1 };
    if (pending.runs < debounce) return undefined;
    const previous = confirmed;
    confirmed = pending.state;
    pending = undefined;
    const kind = kindOf(state, previous);
    if (kind === undefined) return undefined;
    const causes = outcome.report ? causesOf(outcome.report, minSeverity).map(alertCause) : [];
    const error = outcome.report ? undefined : runErrorOf(outcome.error);
    const base = { causes, previous: previous ?? null, ...(error ? { error } : {}) };
    return {
      kind,
      at: typeof at === 'string' ? at : at.toISOString(),
      state,
      ...base,
      summary: headline(kind, base, debounce, lastTarget),
      ...(lastTarget ? { target: lastTarget } : {}),
    };
  }

  return {
    observe,
    get confirmed() {
      return confirmed;
    },
    get pending() {
      return pending;
    },
    debounce,
  };
}
