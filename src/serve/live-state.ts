/**
 * What the status server knows right now: the latest report (or why the latest run failed), the counters the metrics
 * expose, and the history store when there is one. The watch command feeds it after every run and alert; the server
 * only reads it.
 */
import type { Report } from '../core/report.js';
import type { Alert } from '../watch/alert.js';
import type { ForwardRow } from '../watch/forward-tracker.js';
import type { HistoryRow, HistoryStore } from './history/store.js';
import { recordOf, type RunRecord } from './run-record.js';

export interface LiveRun {
  record: RunRecord;
  report: Report | undefined;
  /** Why the diagnosis failed, already redacted (one line). */
  error: string | undefined;
  /** The history row, when it was saved. */
  row: HistoryRow | undefined;
}

export interface LiveState {
  readonly latest: LiveRun | undefined;
  readonly runs: number;
  readonly failedRuns: number;
  /** Alerts sent, by kind. */
  readonly alerts: ReadonlyMap<string, number>;
  readonly history: HistoryStore | undefined;
  /** Why there is no history (shown on the page), when there is none. */
  readonly historyNote: string | undefined;
  readonly startedAt: string;
  /** Seconds between runs, for the page's "next check" line. */
  readonly intervalMs: number;
  /** The monitored forwards' confirmed states (`watch` with --reflector and forwards), latest run. */
  readonly forwards: readonly ForwardRow[] | undefined;
  addRun(at: string, report: Report | undefined, error: string | undefined, runMs?: number): LiveRun;
  setForwards(rows: readonly ForwardRow[]): void;
  addAlert(alert: Alert): void;
  setHistoryNote(note: string): void;
}

export interface LiveStateOptions {
  history?: HistoryStore;
  historyNote?: string;
  intervalMs: number;
  /** @default new Date().toISOString() */
  startedAt?: string;
}

export function createLiveState(options: LiveStateOptions): LiveState {
  let latest: LiveRun | undefined;
  let runs = 0;
  let failedRuns = 0;
  let historyNote = options.historyNote;
  let forwards: readonly ForwardRow[] | undefined;
  const alerts = new Map<string, number>();
  return {
    get latest() {
      return latest;
    },
    get runs() {
      return runs;
    },
    get failedRuns() {
      return failedRuns;
    },
    alerts,
    get history() {
      return options.history?.available ? options.history : undefined;
    },
    get historyNote() {
      return historyNote;
    },
    get forwards() {
      return forwards;
    },
    setForwards(rows) {
      forwards = rows;
    },
    startedAt: options.startedAt ?? new Date().toISOString(),
    intervalMs: options.intervalMs,
    addRun(at, report, error, runMs) {
      runs += 1;
      if (!report) failedRuns += 1;
      const record = recordOf(at, report, runMs);
      const row = options.history?.available ? options.history.record(record, report) : undefined;
      latest = { record, report, error, row };
      return latest;
    },
    addAlert(alert) {
      alerts.set(alert.kind, (alerts.get(alert.kind) ?? 0) + 1);
    },
    setHistoryNote(note) {
      historyNote = note;
    },
  };
}
