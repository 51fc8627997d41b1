/**
 * Watch mode must run for months: 10,000 cycles of runWatch (alternating problems, failures and recoveries, every
 * alert delivered) must not grow the heap by more than 5 MB. Run: `node --expose-gc --import tsx bench/watch-memory.ts`
 */
import { runWatch } from '../src/watch/run-watch.js';
import { createAlertTracker } from '../src/watch/tracker.js';
import { REPORT_SCHEMA_VERSION, type Report } from '../src/core/report.js';
import { report as reportFigure, section } from './lib/figures.js';

const CYCLES = Number(process.argv[2] ?? 10_000);
const LIMIT_BYTES = 5 * 1024 * 1024;

function report(ruleIds: string[]): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'plex-diagnose', version: 'bench' },
    createdAt: new Date().toISOString(),
    target: { url: 'http://192.168.1.10:32400', name: 'bench' },
    context: { tokenProvided: true, plexTv: true, experiments: [] },
    summary: {
      verdict: ruleIds.length ? 'problems' : 'ok',
      status: ruleIds.length ? 'error' : 'ok',
      errors: ruleIds.length,
      warnings: 0,
      infos: 0,
      rootCauses: ruleIds.length,
      checks: { passed: 1, failed: 0, 'not-checked': 0, crashed: 0, off: 0 },
    },
    verdict: { status: ruleIds.length ? 'problems' : 'ok', missing: [] },
    diagnoses: ruleIds.map((ruleId) => ({
      ruleId,
      severity: 'error',
      category: 'remote-access',
      title: ruleId,
      messageId: 'm',
      message: `${ruleId} ${'x'.repeat(200)}`,
      data: {},
      evidence: [{ source: 's', observed: 'o'.repeat(500) }],
      confidence: 'high',
      rank: 'root-cause',
      explainedBy: [],
    })),
    checks: [],
    observations: [],
    timing: { collectMs: 1 },
  };
}

// Each state holds three runs, so every change is confirmed (debounce 2) and alerts keep flowing.
const script = ['H', 'H', 'H', 'A', 'A', 'A', 'B', 'B', 'B', 'E', 'E', 'E'];
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

async function cycles(count: number): Promise<{ alerts: number }> {
  let i = 0;
  const result = await runWatch({
    intervalMs: 0,
    maxRuns: count,
    signal: new AbortController().signal,
    tracker: createAlertTracker(),
    runOnce: async () => {
      const step = script[i++ % script.length];
      if (step === 'E') throw new Error('connect ECONNREFUSED');
      return report(step === 'H' ? [] : step === 'A' ? ['isp-blocks-port'] : ['cgnat', 'double-nat']);
    },
    onAlert: async (alert) => JSON.stringify(alert),
    onRun: () => undefined,
    sleep: async () => undefined,
  });
  return { alerts: result.alerts };
}

await cycles(500); // warm up the JIT and the allocator
gc();
const before = process.memoryUsage().heapUsed;
const { alerts } = await cycles(CYCLES);
gc();
const growth = process.memoryUsage().heapUsed - before;
section('watch loop alone (stubbed diagnosis, every alert delivered)');
reportFigure({
  name: `runWatch heap growth over ${CYCLES} stubbed cycles`,
  value: growth / 1024 / 1024,
  unit: 'MB',
  target: LIMIT_BYTES / 1024 / 1024,
  note: `${alerts} alerts`,
});
if (growth > LIMIT_BYTES) process.exitCode = 1;
