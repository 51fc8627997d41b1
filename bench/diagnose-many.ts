/**
 * diagnoseMany over a fleet of fake servers at concurrency 64: the ordered array form over 1,000 servers (every result
 * held: today's API) against `diagnoseMany.each` over the same 1,000 (throughput, target within 10% per server) and
 * over 10,000 (peak RSS, target ≤ 150 MB: memory must not grow with the fleet). The servers are real fake Plex Media
 * Servers (each its own port and machineIdentifier) in one child process, with one fake plex.tv; each diagnosing run
 * is another child (peak RSS is per process) running the built package.
 *
 * Run alone: `npx tsx bench/diagnose-many.ts [--servers 10000] [--array-servers 1000] [--concurrency 64]`
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from './lib/build-cli.js';
import { startFakeHost } from './lib/fake-host.js';
import { numberArg, report, section } from './lib/figures.js';

const SERVERS = numberArg('servers', 10_000);
const ARRAY_SERVERS = Math.min(SERVERS, numberArg('array-servers', 1000));
const CONCURRENCY = numberArg('concurrency', 64);
const PEAK_RSS_TARGET_MB = 150;
const THROUGHPUT_TARGET_RATIO = 1.1;

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
  /** process.memoryUsage() (+ V8's new space) at the sample with the highest RSS. */
  atPeak: {
    rss: number;
    heapUsed: number;
    heapTotal: number;
    external: number;
    arrayBuffers: number;
    newSpace: number;
  };
}

const built = await buildCli({ 'diagnose-many': 'src/diagnose/diagnose-many.ts' });
const fakes = await startFakeHost({ latencyMs: 0, servers: SERVERS, mode: 'fleet' });
const scratch = await mkdtemp(join(tmpdir(), 'pd-bench-many-'));
const urlsFile = join(scratch, 'urls.json');
// 10,000 URLs do not fit in one command-line argument (128 kB on Linux).
await writeFile(urlsFile, JSON.stringify(fakes.urls));

async function run(mode: 'array' | 'each', count: number): Promise<ManyRun> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      fileURLToPath(new URL('./lib/many-child.mjs', import.meta.url)),
      JSON.stringify({
        dist: built.dir,
        urlsFile,
        count,
        token: fakes.token,
        plexTvUrl: fakes.plexTvUrl,
        concurrency: CONCURRENCY,
        mode,
        // What a fleet user chooses: connections closed as each target's diagnosis ends (the default, 'shared', keeps
        // the global dispatcher's idle pools, so that a user's setGlobalDispatcher applies to every request).
        connections: 'per-target',
      }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the diagnosing process exited ${String(code)}: ${out}`);
  const result = JSON.parse(out.trim().split('\n').pop()!) as ManyRun;
  if (result.counts.ok !== count || !result.inOrder)
    throw new Error(`not every target was diagnosed, each once and as its own: ${JSON.stringify(result)}`);
  return result;
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
/** Where the peak went: the V8 heap (used of total), what lives outside it, and the rest of RSS (code, stacks, malloc). */
const split = ({ atPeak: p }: ManyRun): string =>
  `at the sampled peak (RSS ${mb(p.rss)} MB): V8 heap ${mb(p.heapUsed)} MB used of ${mb(p.heapTotal)} MB (new space ${mb(p.newSpace)} MB), external ${mb(p.external)} MB (array buffers ${mb(p.arrayBuffers)} MB), the rest ${mb(p.rss - p.heapTotal - p.external)} MB (code, stacks, malloc)`;
section(`diagnoseMany: ${ARRAY_SERVERS} and ${SERVERS} fake servers, concurrency ${CONCURRENCY}`);
try {
  const array = await run('array', ARRAY_SERVERS);
  const each = await run('each', ARRAY_SERVERS);
  const large = await run('each', SERVERS);
  const perServer = (r: ManyRun, n: number): number => r.ms / n;
  report({
    name: `diagnoseMany.each, ${SERVERS} servers @ ${CONCURRENCY}: peak RSS`,
    value: large.peakRss / 1024 / 1024,
    unit: 'MB',
    target: PEAK_RSS_TARGET_MB,
    note: `RSS ${mb(large.rssBefore)} MB before the batch (modules loaded), +${mb(large.peakRss - large.rssBefore)} MB at the peak; ${(large.ms / 1000).toFixed(1)} s, ${perServer(large, SERVERS).toFixed(2)} ms per server; every result ok, each index once and its own server; ${large.failedChecks} failed checks in all; ${split(large)}`,
  });
  report({
    name: `diagnoseMany.each / array form, ${ARRAY_SERVERS} servers: time per server`,
    value: perServer(each, ARRAY_SERVERS) / perServer(array, ARRAY_SERVERS),
    unit: '×',
    target: THROUGHPUT_TARGET_RATIO,
    note: `each ${perServer(each, ARRAY_SERVERS).toFixed(2)} ms per server (peak RSS ${mb(each.peakRss)} MB), array ${perServer(array, ARRAY_SERVERS).toFixed(2)} ms per server (peak RSS ${mb(array.peakRss)} MB; its ${ARRAY_SERVERS} results hold ${mb(array.retainedHeap)} MB of heap after gc, ${mb(array.resultsJsonBytes)} MB as JSON); one run each, array first`,
  });
  report({
    name: `diagnoseMany (array form) ${ARRAY_SERVERS} servers @ ${CONCURRENCY}: peak RSS`,
    value: array.peakRss / 1024 / 1024,
    unit: 'MB',
    note: 'the array form holds every report by design; use diagnoseMany.each for fleets',
  });
} finally {
  await fakes.close();
  await built.remove();
  await rm(scratch, { recursive: true, force: true });
}
