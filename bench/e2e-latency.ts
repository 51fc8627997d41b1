/**
 * End-to-end `diagnose` with latency L on every request (fake PMS and fake plex.tv answer after L; router probes
 * answer after L) and N advertised connections: wall time divided by the critical path (the heaviest chain of
 * dependent round trips × L, derived from the collectors: see lib/critical-path.ts). Target ≤ 1.15. The same runs
 * forced sequential (`concurrency: 1`) for comparison. The fakes run in a child process (lib/fake-host.ts).
 *
 * Run alone: `npx tsx bench/e2e-latency.ts [--latency 100] [--reps 5]`
 */
import { loadavg } from 'node:os';
import { collect } from '../src/diagnose/collect.js';
import type { ConnectionsValue } from '../src/collect/values/connections.js';
import { diagnose } from '../src/diagnose/diagnose.js';
import { criticalPath } from './lib/critical-path.js';
import { median, numberArg, report, section, timed } from './lib/figures.js';
import { startLatencySetup } from './lib/latency-setup.js';

const LATENCY_MS = numberArg('latency', 100);
const REPS = numberArg('reps', 5);
const CONNECTION_COUNTS = [1, 8, 32];
const TARGET_RATIO = 1.15;

// These skip at once here, costing no round trip: plex.direct DNS (the advertised connections are IP URIs), the
// outside check (no reflector given) and Kubernetes (the bench does not run in a pod).
const SKIP_AT_ONCE = new Set(['probe.plexDirectDns', 'probe.outside', 'host.kubernetes']);
const path = criticalPath((id) => (SKIP_AT_ONCE.has(id) ? 0 : 1));
const criticalMs = path.roundTrips * LATENCY_MS;

section(`diagnose end to end, L = ${LATENCY_MS} ms on every request`);
console.log(`    critical path: ${path.chain.join(' → ')} = ${path.roundTrips} round trips = ${criticalMs} ms`);
console.log(
  `    collectors run: ${path.collectors.length} (${path.sequentialRoundTrips} round trips if run one after another)`,
);

for (const connections of CONNECTION_COUNTS) {
  const setup = await startLatencySetup({ latencyMs: LATENCY_MS, connections });
  try {
    // One checked run first (also warms the JIT and undici's pools): every collector must succeed.
    const snapshot = await collect(setup.options);
    const broken = Object.entries(snapshot.observations).filter(
      // Declared facts are skipped unless the user states them: not a broken setup.
      ([id, o]) =>
        o.status === 'failed' || (o.status === 'skipped' && !SKIP_AT_ONCE.has(id) && !id.startsWith('declared.')),
    );
    if (broken.length)
      throw new Error(`the bench setup is broken: ${broken.map(([id, o]) => `${id} ${o.status}`).join(', ')}`);
    const probed = (snapshot.observations['probe.connections'] as { value: ConnectionsValue }).value.connections.length;
    // A few whole diagnoses more, so the rules and the report are compiled too: the first N measured otherwise pays
    // the JIT's warm-up (measured: N = 1 cost 1.7× the CPU of N = 8 with one warm-up collection).
    for (let i = 0; i < 3; i++) await diagnose(setup.options);

    const concurrent: number[] = [];
    const cpuBefore = process.cpuUsage();
    for (let i = 0; i < REPS; i++) concurrent.push((await timed(() => diagnose(setup.options))).ms);
    // CPU of this process only (the fakes run in a child): what a diagnosis costs, and far less noisy than wall time
    // on a shared machine.
    const cpu = process.cpuUsage(cpuBefore);
    report({
      name: `diagnose L=${LATENCY_MS} ms N=${connections}: wall / critical path`,
      value: median(concurrent) / criticalMs,
      unit: '×',
      target: TARGET_RATIO,
      note: `median wall ${median(concurrent).toFixed(0)} ms of ${REPS} (min ${Math.min(...concurrent).toFixed(0)}, max ${Math.max(...concurrent).toFixed(0)}); critical path ${criticalMs} ms; ${probed} connections probed (TCP + /identity each)`,
    });

    report({
      name: `diagnose L=${LATENCY_MS} ms N=${connections}: CPU per diagnosis`,
      value: (cpu.user + cpu.system) / 1000 / REPS,
      unit: 'ms',
      note: `user + system CPU of the diagnosing process, mean of ${REPS}; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    });

    const sequential: number[] = [];
    for (let i = 0; i < Math.max(1, Math.ceil(REPS / 2)); i++)
      sequential.push((await timed(() => diagnose({ ...setup.options, concurrency: 1 }))).ms);
    report({
      name: `diagnose L=${LATENCY_MS} ms N=${connections} sequential (concurrency 1): wall / critical path`,
      value: median(sequential) / criticalMs,
      unit: '×',
      note: `median wall ${median(sequential).toFixed(0)} ms; ${path.sequentialRoundTrips} round trips in a row = ${path.sequentialRoundTrips * LATENCY_MS} ms; the concurrent run is ${(median(sequential) / median(concurrent)).toFixed(1)}× faster`,
    });
  } finally {
    await setup.close();
  }
}
