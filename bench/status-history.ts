/**
 * The status page's history at its design load: 30 days of 1-minute checks (43,200 runs) with a flapping home's share
 * of changed reports (a change of state on 1 % of runs, about 14 a day, each storing a full report; 0.5 % failed
 * runs). Figures: the SQLite file's size (target ≤ 50 MB) and the time to render the status page from it (the
 * timeline query, the bands and the HTML; target ≤ 100 ms), for the 7-day default window and the 30-day one.
 *
 * The file lives in /dev/shm when there is one: the store fsyncs each run (synchronous=FULL), which costs nothing at
 * one run a minute but would make 43,200 inserts take minutes on disk. Size and query time do not depend on it.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openHistoryStore } from '../src/serve/history/store.js';
import { createLiveState } from '../src/serve/live-state.js';
import { createStatusMetrics } from '../src/serve/metrics.js';
import { route } from '../src/serve/routes.js';
import { makeReport, type Shape } from '../test/serve/helpers/report.js';
import { median, report, section } from './lib/figures.js';

const RUNS = 30 * 24 * 60;
const MINUTE = 60_000;
const REPEATS = 15;

const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const dir = mkdtempSync(join(base, 'pd-bench-history-'));
const file = join(dir, 'history.sqlite');
const end = Date.parse('2026-03-31T00:00:00Z');
const start = end - RUNS * MINUTE;

// A fixed pseudo-random sequence, so every run of the bench writes the same history.
let seed = 42;
const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

section('status page history: 30 days of 1-minute checks');
const store = await openHistoryStore({ path: file, now: () => end, maxAgeDays: 35 });
const state = createLiveState({ history: store, intervalMs: MINUTE, startedAt: new Date(start).toISOString() });
const shapes: Shape[] = ['reachable', 'broken', 'inconclusive'];
let shape: Shape = 'reachable';
let rule = 0;
let changes = 0;
const writeStarted = performance.now();
for (let i = 0; i < RUNS; i += 1) {
  const at = new Date(start + i * MINUTE).toISOString();
  if (random() < 0.01) {
    shape = shapes[Math.floor(random() * shapes.length)]!;
    rule = Math.floor(random() * 4);
    changes += 1;
  }
  const failed = random() < 0.005;
  const runReport = failed ? undefined : makeReport({ shape, at, rootRule: `rule-${rule}` });
  state.addRun(at, runReport, failed ? 'connect ETIMEDOUT' : undefined, 1500 + Math.floor(random() * 500));
}
const writeMs = performance.now() - writeStarted;
store.prune();
const bytes = (name: string): number => (existsSync(name) ? statSync(name).size : 0);
const size = bytes(file) + bytes(`${file}-wal`);
const reportBody = JSON.stringify(makeReport({ shape: 'broken' })).length;
report({
  name: `history file for ${RUNS.toLocaleString('en')} runs`,
  value: size / 1024 / 1024,
  unit: 'MB',
  target: 50,
  note: `${changes} changes of state; each stored report is ${Math.round(reportBody / 1024)} kB of JSON before compression; ${Math.round(writeMs / 1000)} s to write in ${base}`,
});

const context = { state, metrics: createStatusMetrics(state), now: () => end };
for (const days of [7, 30]) {
  const times: number[] = [];
  let length = 0;
  for (let i = 0; i < REPEATS; i += 1) {
    const t0 = performance.now();
    const answer = await route(new URL(`http://x/?days=${days}`), context);
    times.push(performance.now() - t0);
    length = answer.body.length;
  }
  report({
    name: `status page render, ${days}-day timeline`,
    value: median(times),
    unit: 'ms',
    target: 100,
    note: `median of ${REPEATS}; ${Math.round(length / 1024)} kB of HTML`,
  });
}
const apiTimes: number[] = [];
for (let i = 0; i < 5; i += 1) {
  const t0 = performance.now();
  await route(new URL(`http://x/api/history?since=${new Date(start).toISOString()}&limit=43200`), context);
  apiTimes.push(performance.now() - t0);
}
report({ name: '/api/history for all 30 days (43,200 rows)', value: median(apiTimes), unit: 'ms' });
store.close();
rmSync(dir, { recursive: true, force: true });
