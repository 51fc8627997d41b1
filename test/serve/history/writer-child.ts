/**
 * Child process of crash.test.ts: appends runs to the history as fast as it can and prints each run's id on stdout
 * once `record` has returned (the transaction committed), until it is killed with SIGKILL.
 */
import { openHistoryStore } from '../../../src/serve/history/store.js';
import { recordOf } from '../../../src/serve/run-record.js';
import { makeReport } from '../helpers/report.js';

const file = process.argv[2]!;
const store = await openHistoryStore({ path: file, onProblem: (e) => process.stderr.write(`${e.message}\n`) });
const start = Date.now();
for (let i = 0; ; i += 1) {
  const at = new Date(start + i * 60_000).toISOString();
  // A change every third run: reports (the large rows) are being written when the kill lands too.
  const report = makeReport({ shape: i % 3 === 0 ? 'broken' : 'reachable', at });
  const row = store.record(recordOf(at, report, 1000), report);
  if (!row) process.exit(3);
  process.stdout.write(`${row.id}\n`);
}
