/**
 * The watch loop: run a diagnosis, feed the tracker, deliver the alert (if any), sleep, repeat. It survives
 * everything a long-running monitor meets (a failing diagnosis is a `diagnosis-failed` outcome, a failing notifier is
 * reported, not fatal) and stops only when the signal aborts or `maxRuns` is reached. Library-level: no printing.
 *
 * Delay, not rate: it sleeps `intervalMs` after each run, so a slow run never causes runs to pile up.
 */
import { UsageError } from '../core/errors.js';
import type { Report } from '../core/report.js';
import type { Alert, WatchState } from './alert.js';
import { abortableSleep } from '../core/util/sleep.js';
import type { ForwardWatch } from './forward-watch.js';
import type { AlertTracker, PendingState } from './tracker.js';

export interface WatchRunInfo {
  /** 1-based run number. */
  run: number;
  /** When the run finished (ISO 8601). */
  at: string;
  report?: Report;
  /** Why the diagnosis failed, when it did. */
  error?: unknown;
  /** The confirmed and pending states after this run. */
  confirmed: WatchState | undefined;
  pending: PendingState | undefined;
  /** The alert this run confirmed, if any. */
  alert?: Alert;
  /** What `onAlert` threw, if it did (for any of this run's alerts). */
  alertError?: unknown;
  /** The per-forward alerts this run confirmed (with `forwards`). */
  forwardAlerts?: Alert[];
}

export interface RunWatchOptions {
  /** Pause between the end of one run and the start of the next (see `parseInterval`). */
  intervalMs: number;
  /** One diagnosis. A throw is an outcome ('diagnosis-failed'), not the end of the watch. */
  runOnce: (signal: AbortSignal) => Promise<Report>;
  tracker: AlertTracker;
  /**
   * Also monitor each listed forward from outside (see createForwardWatch); `runOnce` must then return reports
   * analyzed with `includeSnapshot`. Its alerts go through `onAlert` like the report's. @default none
   */
  forwards?: ForwardWatch;
  /** Delivers an alert (notify, exec). Awaited; what it throws is passed to `onRun` as `alertError`. */
  onAlert: (alert: Alert, signal: AbortSignal) => unknown;
  /** Called after every run (progress lines, logs). What it throws is ignored. @default none */
  onRun?: (info: WatchRunInfo) => unknown;
  /** Stops the loop: an in-flight run gets the signal, a sleep ends at once. */
  signal: AbortSignal;
  /** Stop after this many runs. @default unlimited */
  maxRuns?: number;
  /** @default () => new Date() */
  clock?: () => Date;
  /** Abortable sleep; resolves early (never rejects) when the signal aborts. @default a timer */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface WatchResult {
  runs: number;
  /** Runs whose diagnosis threw. */
  failedRuns: number;
  alerts: number;
  /** Alerts whose delivery threw. */
  failedAlerts: number;
  stoppedBy: 'signal' | 'max-runs';
}

export async function runWatch(options: RunWatchOptions): Promise<WatchResult> {
  const { runOnce, tracker, onAlert, onRun, signal } = options;
  const clock = options.clock ?? (() => new Date());
  const sleep = options.sleep ?? abortableSleep;
  const maxRuns = options.maxRuns ?? Number.POSITIVE_INFINITY;
  if (!(options.intervalMs >= 0))
    throw new UsageError(`intervalMs must be a non-negative number, got ${options.intervalMs}`);
  const result: WatchResult = { runs: 0, failedRuns: 0, alerts: 0, failedAlerts: 0, stoppedBy: 'signal' };
  if (!(maxRuns >= 0)) throw new UsageError(`maxRuns must be a non-negative number, got ${options.maxRuns}`);

  while (!signal.aborted && result.runs < maxRuns) {
    let report: Report | undefined;
    let error: unknown;
    try {
      report = await runOnce(signal);
    } catch (thrown) {
      // A run cut short by our own stop is not a diagnosis failure: it must not feed the tracker or alert.
      if (signal.aborted) break;
      error = thrown ?? new Error('run failed');
    }
    if (signal.aborted) break;
    if (report === undefined && error === undefined) error = new Error('runOnce resolved without a report');
    result.runs += 1;
    if (report === undefined) result.failedRuns += 1;
    const at = clock().toISOString();
    const outcome = report ? { report } : { error };
    const alert = tracker.observe(outcome, at);
    // The forward watch never throws by contract; a bug in it must still not end a monitor.
    const forwardAlerts = options.forwards
      ? await options.forwards.observe(outcome, at, signal).catch(() => [] as Alert[])
      : [];
    let alertError: unknown;
    for (const each of alert ? [alert, ...forwardAlerts] : forwardAlerts) {
      result.alerts += 1;
      try {
        await onAlert(each, signal);
      } catch (thrown) {
        alertError = thrown ?? new Error('alert delivery failed');
        result.failedAlerts += 1;
      }
    }
    if (onRun) {
      const info: WatchRunInfo = { run: result.runs, at, confirmed: tracker.confirmed, pending: tracker.pending };
      if (report) info.report = report;
      else info.error = error;
      if (alert) info.alert = alert;
      if (forwardAlerts.length) info.forwardAlerts = forwardAlerts;
      if (alertError !== undefined) info.alertError = alertError;
      try {
        await onRun(info);
      } catch {
        // A progress printer that fails (EPIPE on a closed stdout) must not end a monitor.
      }
    }
    if (result.runs >= maxRuns) break;
    await sleep(options.intervalMs, signal);
  }
  result.stoppedBy = result.runs >= maxRuns ? 'max-runs' : 'signal';
  return result;
}
