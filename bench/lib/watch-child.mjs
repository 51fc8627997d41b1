/**
 * The watcher of bench/watch-rss.ts, alone in its process and on the built package (no TypeScript loader in the
 * process to inflate RSS): real runWatch cycles of a real diagnosis (one rule, remote-access-disabled: /identity, /,
 * /:/prefs and /myplex/account over HTTP each cycle), switching between the given servers every three cycles so the
 * tracker confirms a change and an alert is delivered (as JSON) often. Prints one JSON line: at the requested cycles,
 * RSS after gc and where it lives (V8's committed heap by space, V8's code, anonymous memory outside V8's heap, which
 * is malloc's, file-backed pages).
 *
 * argv[2]: JSON { dist, urls, token, cycles, samples }
 */
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';

const { dist, urls, token, cycles, samples } = JSON.parse(process.argv[2]);
const { diagnose, builtinRules } = await import(`${dist}/index.js`);
const { createAlertTracker, runWatch } = await import(`${dist}/watch.js`);
if (!globalThis.gc) throw new Error('run with --expose-gc');
const rules = builtinRules.filter((rule) => rule.id === 'remote-access-disabled');
const MB = 1024 * 1024;
const measured = [];
let started = 0;
let deliveredBytes = 0;

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** kB fields of /proc/self/smaps_rollup (Linux), in MB; {} elsewhere. */
function rollup() {
  try {
    const text = readFileSync('/proc/self/smaps_rollup', 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) / 1024;
    return { anonMb: field('Anonymous'), fileMb: field('Rss') - field('Anonymous') };
  } catch {
    return {};
  }
}

async function sample(cycle) {
  // A full collection, then a moment idle, twice: V8 hands freed pages back from a background task after a GC, so
  // RSS read at once still counts pages it is about to release (up to 3.5 MB here, which made single samples jump).
  for (let i = 0; i < 2; i += 1) {
    globalThis.gc();
    await pause(250);
  }
  const usage = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size]));
  const code = v8.getHeapCodeStatistics();
  const v8CommittedMb = v8.getHeapStatistics().total_physical_size / MB;
  const { anonMb, fileMb } = rollup();
  measured.push({
    cycle,
    rssMb: usage.rss / MB,
    heapMb: usage.heapUsed / MB,
    externalMb: usage.external / MB,
    v8CommittedMb,
    newSpaceMb: spaces.new_space / MB,
    oldSpaceMb: (spaces.old_space + spaces.large_object_space) / MB,
    codeSpaceMb: spaces.code_space / MB,
    codeMb: (code.code_and_metadata_size + code.bytecode_and_metadata_size) / MB,
    anonMb,
    fileMb,
    // Anonymous memory V8's heap does not account for: malloc (V8's compiler zones and GC worklists, Node, OpenSSL).
    outsideV8Mb: anonMb - v8CommittedMb,
  });
}

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
    if (samples.includes(info.run)) await sample(info.run);
  },
});

process.stdout.write(
  `${JSON.stringify({ samples: measured, runs: result.runs, alerts: result.alerts, failedRuns: result.failedRuns, deliveredBytes })}\n`,
);
