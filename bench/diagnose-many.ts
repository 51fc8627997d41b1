/**
 * diagnoseMany across 1,000 fake servers at concurrency 64: wall time and peak RSS. The 1,000 servers are 1,000 real
 * fake Plex Media Servers (each its own machine, port and machineIdentifier) in one child process, with one fake
 * plex.tv; the diagnosing process is another child (peak RSS is per process) running the built package.
 *
 * Run alone: `npx tsx bench/diagnose-many.ts [--servers 1000] [--concurrency 64]`
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildCli } from './lib/build-cli.js';
import { startFakeHost } from './lib/fake-host.js';
import { numberArg, report, section } from './lib/figures.js';

const SERVERS = numberArg('servers', 1000);
const CONCURRENCY = numberArg('concurrency', 64);

interface ManyRun {
  ms: number;
  rssBefore: number;
  maxRssBefore: number;
  peakRss: number;
  retainedHeap: number;
  resultsJsonBytes: number;
  counts: Record<string, number>;
  failedChecks: number;
  inOrder: boolean;
}

const built = await buildCli({ 'diagnose-many': 'src/diagnose/diagnose-many.ts' });
const fakes = await startFakeHost({ latencyMs: 0, servers: SERVERS, mode: 'fleet' });
section(`diagnoseMany: ${SERVERS} fake servers, concurrency ${CONCURRENCY}`);
try {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      fileURLToPath(new URL('./lib/many-child.mjs', import.meta.url)),
      JSON.stringify({
        dist: built.dir,
        urls: fakes.urls,
        token: fakes.token,
        plexTvUrl: fakes.plexTvUrl,
        concurrency: CONCURRENCY,
      }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the diagnosing process exited ${String(code)}: ${out}`);
  const run = JSON.parse(out.trim().split('\n').pop()!) as ManyRun;
  if (run.counts.ok !== SERVERS || !run.inOrder)
    throw new Error(`not every target was diagnosed, in order: ${JSON.stringify(run)}`);
  const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
  report({
    name: `diagnoseMany ${SERVERS} servers @ ${CONCURRENCY}: wall time`,
    value: run.ms / 1000,
    unit: 's',
    note: `${(run.ms / SERVERS).toFixed(1)} ms per server, ${((SERVERS / run.ms) * 1000).toFixed(0)} servers/s; every result ok and in input order; ${run.failedChecks} failed checks in all`,
  });
  report({
    name: `diagnoseMany ${SERVERS} servers @ ${CONCURRENCY}: peak RSS`,
    value: run.peakRss / 1024 / 1024,
    unit: 'MB',
    note: `RSS ${mb(run.rssBefore)} MB before the batch (modules loaded), +${mb(run.peakRss - run.rssBefore)} MB at the peak; the ${SERVERS} results hold ${mb(run.retainedHeap)} MB of heap after gc (${mb(run.resultsJsonBytes)} MB as JSON)`,
  });
} finally {
  await fakes.close();
  await built.remove();
}
