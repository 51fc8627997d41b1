/**
 * Opening the history database: the native module is loaded lazily (a machine where better-sqlite3 cannot load still
 * runs watch and the page, with live state only), and every way opening can fail becomes one typed HistoryError
 * with a message a user can act on (corrupt file, locked by another process, unreadable directory, no native module).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

export type Database = BetterSqlite3.Database;
type DatabaseConstructor = typeof BetterSqlite3;

export type HistoryProblem = 'native-module' | 'corrupt' | 'locked' | 'unwritable' | 'failed';

/** The history cannot be used; the watch goes on without it. `message` is meant for the user, as is. */
export class HistoryError extends Error {
  override name = 'HistoryError';
  readonly code = 'PLEXDIAG_HISTORY';
  readonly problem: HistoryProblem;

  constructor(problem: HistoryProblem, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.problem = problem;
  }
}

/** Loads better-sqlite3; a test passes its own loader to imitate a machine where the native build is missing. */
export type NativeLoader = () => Promise<DatabaseConstructor>;

export const loadBetterSqlite3: NativeLoader = async () => {
  const loaded = (await import('better-sqlite3')) as unknown as { default?: DatabaseConstructor };
  return loaded.default ?? (loaded as unknown as DatabaseConstructor);
};

/** Classifies a SQLite or file-system error by its code. */
export function historyErrorOf(path: string, error: unknown): HistoryError {
  if (error instanceof HistoryError) return error;
  const raw = (error as { code?: unknown } | null)?.code;
  const code = typeof raw === 'string' ? raw : '';
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB')
    return new HistoryError(
      'corrupt',
      `history ${path} is damaged (${detail}); move it away to start a new one`,
      error,
    );
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return new HistoryError('locked', `history ${path} is locked by another process`, error);
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EROFS')
    return new HistoryError('unwritable', `history ${path} cannot be written (${detail})`, error);
  return new HistoryError('failed', `history ${path} failed: ${detail}`, error);
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS reports (
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  band TEXT NOT NULL,
  verdict TEXT NOT NULL,
  top_rule TEXT,
  top_message TEXT,
  collect_ms INTEGER,
  run_ms INTEGER,
  changed INTEGER NOT NULL,
  report_id INTEGER REFERENCES reports(id)
);
CREATE INDEX IF NOT EXISTS runs_at ON runs(at_ms);
CREATE INDEX IF NOT EXISTS runs_changes ON runs(changed, at_ms);
CREATE INDEX IF NOT EXISTS runs_report ON runs(report_id);
`;

export interface OpenOptions {
  path: string;
  /** How long a write waits for another process's lock before giving up. @default 1000 */
  busyTimeoutMs?: number;
  load?: NativeLoader;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const { path } = options;
  let Sqlite: DatabaseConstructor;
  try {
    Sqlite = await (options.load ?? loadBetterSqlite3)();
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new HistoryError('native-module', `history off: the SQLite module cannot load here (${detail})`, error);
  }
  let db: Database | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    db = new Sqlite(path, { timeout: options.busyTimeoutMs ?? 1000 });
    // auto_vacuum must be chosen before the first table exists; on an existing file it is a no-op.
    db.pragma('auto_vacuum = INCREMENTAL');
    // WAL: a crash (kill -9) mid-write loses at most the uncommitted transaction, never a committed one.
    db.pragma('journal_mode = WAL');
    // FULL: a committed row also survives a power cut (one fsync a run is nothing at one run a minute).
    db.pragma('synchronous = FULL');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw Object.assign(new Error(String(check)), { code: 'SQLITE_CORRUPT' });
    db.exec(SCHEMA);
    return db;
  } catch (error) {
    try {
      db?.close();
    } catch {
      // Already unusable; the error below says why.
    }
    throw historyErrorOf(path, error);
  }
}
