/**
 * The watcher of bench/watch-rss.ts, alone in its process and on the built package (no TypeScript loader in the
 * process to inflate RSS): real runWatch cycles of a real diagnosis (one rule, remote-access-disabled: /identity, /,
 * /:/prefs and /myplex/account over HTTP each cycle), switching between the given servers every three cycles so the
 * tracker confirms a change and an alert is delivered (as JSON) often. Prints one JSON line: RSS and heap (after gc)
 * at the requested cycles.
 *
 * argv[2]: JSON { dist, urls, token, cycles, samples }
 */
const { dist, urls, token, cycles, samples } = JSON.parse(process.argv[2]);
const { diagnose, builtinRules, createAlertTracker, runWatch } = await import(`${dist}/index.js`);
if (!globalThis.gc) throw new Error('run with --expose-gc');
const rules = builtinRules.filter((rule) => rule.id === 'remote-access-disabled');
const measured = [];
let started = 0;
let deliveredBytes = 0;

const result = await runWatch({
  intervalMs: 0,
  maxRuns: cycles,
  signal: new AbortController().signal,
  tracker: createAlertTracker({ debounce: 2 }),
  runOnce: (signal) => {
    const url = urls[Math.floor(started++ / 3) % urls.length];
    return diagnose({ url, token, plexTv: false, rules, signal, collectorTimeoutMs: 5000 });
  },
  onAlert: (alert) => {
    deliveredBytes += JSON.stringify(alert).length;
  },
  onRun: async (info) => {
    if (!samples.includes(info.run)) return;
    // A full collection, then a moment idle so V8 can hand freed pages back, as a real watch would between runs.
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 250));
    globalThis.gc();
    const usage = process.memoryUsage();
    measured.push({ cycle: info.run, rssMb: usage.rss / 1024 / 1024, heapMb: usage.heapUsed / 1024 / 1024 });
  },
});

process.stdout.write(`${JSON.stringify({ samples: measured, runs: result.runs, alerts: result.alerts, failedRuns: result.failedRuns, deliveredBytes })}\n`);
