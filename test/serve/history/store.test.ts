/**
 * The history store against real SQLite files in a temp dir: one row per run and one report per change, restarts,
 * retention by age and by size, and the failures a long-running watch meets (a damaged file, a lock held by another
 * process, no native module), each of which turns the store off with one message instead of ending the watch.
 */
import Database from 'better-sqlite3';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryError } from '../../../src/serve/history/open-database.js';
import { openHistoryStore, type HistoryStore } from '../../../src/serve/history/store.js';
import { recordOf } from '../../../src/serve/run-record.js';
import { makeReport, type Shape } from '../helpers/report.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const MINUTE = 60_000;
let dir: string;
let file: string;
const open: HistoryStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pd-history-'));
  file = join(dir, 'history.sqlite');
});
afterEach(async () => {
  for (const store of open.splice(0)) store.close();
  await rm(dir, { recursive: true, force: true });
});

async function openStore(options: Partial<Parameters<typeof openHistoryStore>[0]> = {}): Promise<HistoryStore> {
  const store = await openHistoryStore({ path: file, now: () => T0 + 10 * 24 * 60 * MINUTE, ...options });
  open.push(store);
  return store;
}

function add(store: HistoryStore, minute: number, shape: Shape | 'failed') {
  const at = new Date(T0 + minute * MINUTE).toISOString();
  const report = shape === 'failed' ? undefined : makeReport({ shape, at });
  return store.record(recordOf(at, report, 1500), report);
}

function countReports(): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('history store', () => {
  it('keeps one row a run and the full report only when the outcome changes', async () => {
    const store = await openStore();
    const shapes: (Shape | 'failed')[] = [
      'broken',
      'broken',
      'broken',
      'reachable',
      'reachable',
      'failed',
      'reachable',
    ];
    const rows = shapes.map((shape, i) => add(store, i, shape)!);
    expect(rows.map((r) => r.changed)).toEqual([true, false, false, true, false, true, true]);
    expect(rows.map((r) => r.band)).toEqual([
      'broken',
      'broken',
      'broken',
      'reachable',
      'reachable',
      'inconclusive',
      'reachable',
    ]);
    expect(rows[5]!.reportId).toBeNull();
    // broken, reachable, reachable again after the failed run: three reports for seven runs.
    expect(countReports()).toBe(3);
    expect(rows[1]!.reportId).toBe(rows[0]!.reportId);
    const report = store.report(rows[0]!.reportId!);
    expect(report?.diagnoses[0]?.ruleId).toBe('isp-blocks-port');
    expect(store.runs(T0, 100)).toHaveLength(7);
    expect(store.runs(T0 + 3 * MINUTE, 2).map((r) => r.id)).toEqual([rows[3]!.id, rows[4]!.id]);
  });

  it('gives the timeline the state before the window and the changes inside it', async () => {
    const store = await openStore();
    for (let minute = 0; minute < 30; minute += 1)
      add(store, minute, minute < 10 || minute >= 20 ? 'reachable' : 'broken');
    const timeline = store.timeline(T0 + 5 * MINUTE);
    expect(timeline.before?.band).toBe('reachable');
    expect(timeline.changes.map((c) => [c.band, Date.parse(c.at)])).toEqual([
      ['broken', T0 + 10 * MINUTE],
      ['reachable', T0 + 20 * MINUTE],
    ]);
    expect(timeline.last?.at).toBe(new Date(T0 + 29 * MINUTE).toISOString());
  });

  it('survives a restart: rows are there, and the same state after it is not a change', async () => {
    const first = await openStore();
    add(first, 0, 'broken');
    add(first, 1, 'broken');
    first.close();
    const second = await openStore();
    expect(second.runs(T0, 10)).toHaveLength(2);
    expect(add(second, 2, 'broken')!.changed).toBe(false);
    expect(add(second, 3, 'reachable')!.changed).toBe(true);
    expect(countReports()).toBe(2);
  });

  it('drops runs older than the age limit, and the reports only they used', async () => {
    const store = await openStore({ maxAgeDays: 2 });
    add(store, 0, 'broken'); // ten days before "now"
    add(store, 1, 'reachable');
    const recent = 9 * 24 * 60;
    add(store, recent, 'broken');
    store.prune();
    expect(store.runs(0, 100).map((r) => Date.parse(r.at))).toEqual([T0 + recent * MINUTE]);
    expect(countReports()).toBe(1);
  });

  it('drops the oldest runs when the file outgrows the size limit, keeping the newest', async () => {
    const store = await openStore({ maxBytes: 200 * 1024, maxAgeDays: 365 });
    // Alternating states: every run stores a report (about 5 kB compressed), far over 200 kB in total.
    for (let minute = 0; minute < 200; minute += 1) add(store, minute, minute % 2 ? 'broken' : 'reachable');
    store.prune();
    const rows = store.runs(0, 1000);
    expect(store.sizeBytes()).toBeLessThanOrEqual(200 * 1024);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(200);
    expect(Date.parse(rows[rows.length - 1]!.at)).toBe(T0 + 199 * MINUTE);
  });

  it('refuses a damaged file with one clear message, naming it', async () => {
    await writeFile(file, Buffer.alloc(8192, 0x41));
    const error = await openHistoryStore({ path: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryError);
    expect((error as HistoryError).problem).toBe('corrupt');
    expect((error as HistoryError).message).toContain(file);
    expect((error as HistoryError).message).toMatch(/damaged/);
  });

  it('refuses a real database whose pages were overwritten', async () => {
    const store = await openStore();
    for (let minute = 0; minute < 300; minute += 1) add(store, minute, minute % 3 ? 'broken' : 'reachable');
    store.close();
    const bytes = await readFile(file);
    // Keep the header (page 1) valid, scribble over the tables' pages.
    bytes.fill(0x5a, 4096 * 2, Math.min(bytes.length, 4096 * 6));
    await writeFile(file, bytes);
    const error = await openHistoryStore({ path: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryError);
    expect((error as HistoryError).problem).toBe('corrupt');
  });

  it('turns itself off once, with one message, when another process holds the lock', async () => {
    const problems: HistoryError[] = [];
    const store = await openStore({ onProblem: (e) => problems.push(e) });
    add(store, 0, 'broken');
    const other = new Database(file, { timeout: 0 });
    other.exec('BEGIN EXCLUSIVE');
    try {
      expect(add(store, 1, 'broken')).toBeUndefined();
      expect(add(store, 2, 'reachable')).toBeUndefined();
      expect(store.runs(0, 10)).toEqual([]);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]!.problem).toBe('locked');
    expect(problems[0]!.message).toContain('locked by another process');
    expect(store.available).toBe(false);
  });

  it('says the native module cannot load, as a HistoryError the watch can live with', async () => {
    const load = async (): Promise<never> => {
      throw new Error('Could not locate the bindings file. Tried:\n → /somewhere/better_sqlite3.node');
    };
    const error = await openHistoryStore({ path: file, load }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryError);
    expect((error as HistoryError).problem).toBe('native-module');
    expect((error as HistoryError).message).toBe(
      'history off: the SQLite module cannot load here (Could not locate the bindings file. Tried:)',
    );
  });
});
