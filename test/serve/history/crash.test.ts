/**
 * kill -9 in the middle of writing: a real child process appends runs (printing each committed id) and is killed with
 * SIGKILL while it writes; the reopened file passes SQLite's integrity check and holds every id the child printed.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHistoryStore } from '../../../src/serve/history/store.js';

const CHILD = join(import.meta.dirname, 'writer-child.ts');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pd-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the writer until it has printed `commits` ids, then SIGKILLs it; returns the ids it printed. */
async function writeAndKill(file: string, commits: number): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.split('\n').length > commits) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`writer exited early: ${err}`)));
  });
  expect(await exit).toBe('SIGKILL');
  // Only complete lines: a line cut by the kill was not known to be committed.
  return out.split('\n').slice(0, -1).map(Number);
}

describe('history after kill -9', () => {
  it('keeps every committed run, twice in a row, and the file stays sound', async () => {
    const file = join(dir, 'history.sqlite');
    const first = await writeAndKill(file, 40);
    const second = await writeAndKill(file, 40);
    expect(first.length).toBeGreaterThanOrEqual(40);
    expect(second[0]).toBeGreaterThan(first[first.length - 1]!);

    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(raw.pragma('foreign_key_check')).toEqual([]);
    } finally {
      raw.close();
    }
    const store = await openHistoryStore({ path: file });
    try {
      const ids = new Set(store.runs(0, 10_000).map((r) => r.id));
      for (const id of [...first, ...second]) expect(ids.has(id), `committed run ${id} is missing`).toBe(true);
      // Every run's report is readable (none points at a half-written one).
      for (const row of store.runs(0, 10_000))
        if (row.reportId !== null) expect(store.report(row.reportId)?.schemaVersion).toBe(1);
    } finally {
      store.close();
    }
  }, 60_000);
});
