/**
 * The watch history: one row per run, and the full report only when it changed (steady states cost one small row a
 * run). Retention by age and by size. A store that fails (corrupt, locked, disk full) says so once through
 * `onProblem` and turns itself off: a monitor must not stop because its history did.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Report } from '../../core/report.js';
import { reportFingerprint, type RunBand, type RunRecord } from '../run-record.js';
import { historyErrorOf, openDatabase, type Database, type HistoryError, type NativeLoader } from './open-database.js';

const DAY_MS = 86_400_000;
/** Keep five weeks: the page shows the last days, Home Assistant graphs a month. */
export const DEFAULT_MAX_AGE_DAYS = 35;
/** 30 days of 1-minute runs take about 5 MB (bench/history-store.ts); 100 MB leaves room for a flapping year. */
export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;
/** A stored report is a few tens of kB; this bounds what one damaged row can make us allocate. */
const MAX_REPORT_BYTES = 16 * 1024 * 1024;
const PRUNE_EVERY = 60;

export interface HistoryRow extends RunRecord {
  id: number;
  /** The report (or run outcome) differs from the previous run's. */
  changed: boolean;
  /** The stored report in effect for this run, when there is one. */
  reportId: number | null;
}

export interface Timeline {
  /** The last run before `since`: the state the window starts in. */
  before: HistoryRow | undefined;
  /** Every run in the window whose outcome changed, oldest first. */
  changes: HistoryRow[];
  /** The latest run. */
  last: HistoryRow | undefined;
}

export interface HistoryStoreOptions {
  path: string;
  /** @default DEFAULT_MAX_AGE_DAYS */
  maxAgeDays?: number;
  /** @default DEFAULT_MAX_BYTES */
  maxBytes?: number;
  /** Told once, when the store turns itself off. @default none */
  onProblem?: (error: HistoryError) => void;
  /** @default Date.now */
  now?: () => number;
  /** @default better-sqlite3 through a dynamic import */
  load?: NativeLoader;
}

export interface HistoryStore {
  readonly path: string;
  /** False once a failure turned the store off. */
  readonly available: boolean;
  record(run: RunRecord, report: Report | undefined): HistoryRow | undefined;
  /** Runs at or after `sinceMs`, oldest first, at most `limit`. */
  runs(sinceMs: number, limit: number): HistoryRow[];
  timeline(sinceMs: number): Timeline;
  run(id: number): HistoryRow | undefined;
  report(reportId: number): Report | undefined;
  prune(): void;
  sizeBytes(): number;
  close(): void;
}

interface RunColumns {
  id: number;
  at_ms: number;
  band: RunBand;
  verdict: string;
  top_rule: string | null;
  top_message: string | null;
  collect_ms: number | null;
  run_ms: number | null;
  changed: number;
  report_id: number | null;
}

function rowOf(c: RunColumns): HistoryRow {
  const row: HistoryRow = {
    id: c.id,
    at: new Date(c.at_ms).toISOString(),
    band: c.band,
    verdict: c.verdict,
    changed: c.changed === 1,
    reportId: c.report_id,
  };
  if (c.top_rule !== null) row.topRule = c.top_rule;
  if (c.top_message !== null) row.topMessage = c.top_message;
  if (c.collect_ms !== null) row.collectMs = c.collect_ms;
  if (c.run_ms !== null) row.runMs = c.run_ms;
  return row;
}

export async function openHistoryStore(options: HistoryStoreOptions): Promise<HistoryStore> {
  const db = await openDatabase({ path: options.path, ...(options.load ? { load: options.load } : {}) });
  return createStore(db, options);
}

function createStore(db: Database, options: HistoryStoreOptions): HistoryStore {
  const now = options.now ?? Date.now;
  const maxAgeMs = (options.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS) * DAY_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let available = true;
  let sinceLastPrune = 0;

  const sql = {
    insertReport: db.prepare('INSERT INTO reports (fingerprint, body) VALUES (?, ?)'),
    insertRun: db.prepare(`INSERT INTO runs (at_ms, band, verdict, top_rule, top_message, collect_ms, run_ms, changed,
      report_id) VALUES (@at_ms, @band, @verdict, @top_rule, @top_message, @collect_ms, @run_ms, @changed, @report_id)`),
    lastRun: db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT 1'),
    reportFingerprint: db.prepare('SELECT fingerprint FROM reports WHERE id = ?'),
    runsSince: db.prepare('SELECT * FROM runs WHERE at_ms >= ? ORDER BY at_ms, id LIMIT ?'),
    before: db.prepare('SELECT * FROM runs WHERE at_ms < ? ORDER BY at_ms DESC, id DESC LIMIT 1'),
    changes: db.prepare('SELECT * FROM runs WHERE changed = 1 AND at_ms >= ? ORDER BY at_ms, id'),
    run: db.prepare('SELECT * FROM runs WHERE id = ?'),
    report: db.prepare('SELECT body FROM reports WHERE id = ?'),
    deleteOld: db.prepare('DELETE FROM runs WHERE at_ms < ?'),
    deleteOldest: db.prepare('DELETE FROM runs WHERE id IN (SELECT id FROM runs ORDER BY id LIMIT ?)'),
    count: db.prepare('SELECT count(*) AS n FROM runs'),
    orphans: db.prepare('DELETE FROM reports WHERE id NOT IN (SELECT report_id FROM runs WHERE report_id IS NOT NULL)'),
  };

  // What the previous run looked like, so a restart does not count its first run as a change.
  const previous = sql.lastRun.get() as RunColumns | undefined;
  let lastFingerprint: string | undefined =
    previous === undefined
      ? undefined
      : previous.report_id === null
        ? 'diagnosis-failed'
        : (sql.reportFingerprint.get(previous.report_id) as { fingerprint: string } | undefined)?.fingerprint;
  let lastReportId: number | null = previous?.report_id ?? null;

  function guard<T>(fallback: T, work: () => T): T {
    if (!available) return fallback;
    try {
      return work();
    } catch (error) {
      available = false;
      options.onProblem?.(historyErrorOf(options.path, error));
      try {
        db.close();
      } catch {
        // The store is off either way.
      }
      return fallback;
    }
  }

  const insert = db.transaction((run: RunRecord, report: Report | undefined, fingerprint: string) => {
    const changed = fingerprint !== lastFingerprint;
    let reportId = report ? lastReportId : null;
    if (report && (changed || reportId === null)) {
      const body = deflateRawSync(Buffer.from(JSON.stringify(report)));
      reportId = Number(sql.insertReport.run(fingerprint, body).lastInsertRowid);
    }
    const info = sql.insertRun.run({
      at_ms: Date.parse(run.at),
      band: run.band,
      verdict: run.verdict,
      top_rule: run.topRule ?? null,
      top_message: run.topMessage ?? null,
      collect_ms: run.collectMs ?? null,
      run_ms: run.runMs ?? null,
      changed: changed ? 1 : 0,
      report_id: reportId,
    });
    return { id: Number(info.lastInsertRowid), changed, reportId };
  });

  function prune(): void {
    guard(undefined, () => {
      sql.deleteOld.run(now() - maxAgeMs);
      sql.orphans.run();
      // Over the size cap: drop the oldest tenth of the runs until under it (bounded, in case the cap is tiny).
      for (let round = 0; round < 10 && liveBytes() > maxBytes; round += 1) {
        const { n } = sql.count.get() as { n: number };
        if (n === 0) break;
        sql.deleteOldest.run(Math.max(1, Math.ceil(n / 10)));
        sql.orphans.run();
      }
      db.pragma('incremental_vacuum');
      db.pragma('wal_checkpoint(PASSIVE)');
    });
  }

  function liveBytes(): number {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = db.pragma('page_count', { simple: true }) as number;
    const free = db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  prune();

  return {
    path: options.path,
    get available() {
      return available;
    },
    record(run, report) {
      return guard(undefined, () => {
        const fingerprint = reportFingerprint(report);
        const saved = insert(run, report, fingerprint);
        lastFingerprint = fingerprint;
        if (saved.reportId !== null) lastReportId = saved.reportId;
        sinceLastPrune += 1;
        if (sinceLastPrune >= PRUNE_EVERY) {
          sinceLastPrune = 0;
          prune();
        }
        return { ...run, id: saved.id, changed: saved.changed, reportId: saved.reportId };
      });
    },
    runs: (sinceMs, limit) => guard([], () => (sql.runsSince.all(sinceMs, limit) as RunColumns[]).map(rowOf)),
    timeline: (sinceMs) =>
      guard({ before: undefined, changes: [], last: undefined }, () => {
        const before = sql.before.get(sinceMs) as RunColumns | undefined;
        const last = sql.lastRun.get() as RunColumns | undefined;
        return {
          before: before && rowOf(before),
          changes: (sql.changes.all(sinceMs) as RunColumns[]).map(rowOf),
          last: last && rowOf(last),
        };
      }),
    run: (id) =>
      guard(undefined, () => {
        const row = sql.run.get(id) as RunColumns | undefined;
        return row && rowOf(row);
      }),
    report: (reportId) =>
      guard(undefined, () => {
        const row = sql.report.get(reportId) as { body: Buffer } | undefined;
        if (!row) return undefined;
        return JSON.parse(inflateRawSync(row.body, { maxOutputLength: MAX_REPORT_BYTES }).toString('utf8')) as Report;
      }),
    prune,
    sizeBytes: () => guard(0, liveBytes),
    close: () =>
      guard(undefined, () => {
        available = false;
        db.close();
      }),
  };
}
