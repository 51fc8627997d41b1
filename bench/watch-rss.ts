/**
 * Watch mode must run for months: RSS of a process running real runWatch cycles (a real, small diagnosis over HTTP
 * against a real loopback fake server, alerts confirmed and delivered) after 10,000 cycles vs after 100. Target: less
 * than 5 MB of growth. The watcher runs alone in a child process (RSS is per process; the fakes run in another one;
 * the watcher runs the built package, without a TypeScript loader) and switches between a healthy server and one with
 * remote access off every three cycles, so alerts keep flowing.
 *
 * Cycles run back to back (interval 0): the worst case for V8's heap sizing, which grows the heap with the allocation
 * rate during the first few hundred cycles, and for V8's optimizing compiler, which compiles everything hot within
 * the first ~1,500 cycles. So the same run is also measured in steady state (medians of samples at 10-30% against
 * 80-100% of the cycles), and twice more for attribution: with `--no-concurrent-recompilation` (the optimizing
 * compiler's jobs on the main thread: its freed zone memory then goes back to the main malloc arena instead of
 * staying in per-thread arenas) and with `--optimize-for-size`. Every figure's note says where the growth lives
 * (V8's committed heap by space, compiled code, anonymous memory outside V8's heap, file-backed pages).
 *
 * Run alone: `npx tsx bench/watch-rss.ts [--cycles 10000]`
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildCli } from './lib/build-cli.js';
import { startFakeHost, type FakeHost } from './lib/fake-host.js';
import { median, numberArg, report, section } from './lib/figures.js';

const CYCLES = numberArg('cycles', 10_000);
const EARLY = 100;
const LIMIT_MB = 5;
/**
 * Steady state: five samples from 10% to 30% of the cycles against five from 80% to 100%, medians of each. RSS after
 * gc jitters by a few MB from sample to sample (malloc, not the V8 heap, which stays flat), so one sample cannot decide.
 */
const WARM = [0.1, 0.15, 0.2, 0.25, 0.3].map((f) => Math.max(EARLY + 1, Math.round(CYCLES * f)));
const LATE = [0.8, 0.85, 0.9, 0.95, 1].map((f) => Math.round(CYCLES * f));
const SAMPLES = [...new Set([EARLY, Math.min(400, CYCLES), ...WARM, ...LATE])].sort((a, b) => a - b);

interface Sample {
  cycle: number;
  rssMb: number;
  heapMb: number;
  externalMb: number;
  /** V8's committed heap (all spaces) and, of it, the young generation, old + large objects, and code space. */
  v8CommittedMb: number;
  newSpaceMb: number;
  oldSpaceMb: number;
  codeSpaceMb: number;
  /** Compiled code and bytecode with their metadata (V8's code statistics). */
  codeMb: number;
  /** /proc/self/smaps_rollup: anonymous and file-backed resident memory (NaN off Linux). */
  anonMb: number;
  fileMb: number;
  /** Anonymous memory outside V8's committed heap: malloc (V8's compiler zones and GC worklists, Node, OpenSSL). */
  outsideV8Mb: number;
}
interface WatchRun {
  samples: Sample[];
  runs: number;
  alerts: number;
  failedRuns: number;
  ms: number;
}

async function watch(dist: string, fakes: FakeHost, nodeFlags: string[]): Promise<WatchRun> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      ...nodeFlags,
      fileURLToPath(new URL('./lib/watch-child.mjs', import.meta.url)),
      JSON.stringify({ dist, urls: fakes.urls, token: fakes.token, cycles: CYCLES, samples: SAMPLES }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the watcher exited ${String(code)}: ${out}`);
  return { ...(JSON.parse(out.trim().split('\n').pop()!) as Omit<WatchRun, 'ms'>), ms: performance.now() - started };
}

const at = (run: WatchRun, cycle: number): Sample => run.samples.find((s) => s.cycle === cycle)!;
const medianOf = (run: WatchRun, cycles: number[], field: 'rssMb' | 'heapMb'): number =>
  median(cycles.map((c) => at(run, c)[field]));
const mb = (value: number): string => value.toFixed(1);
const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;

/** Where the growth from `from` to `to` lives, so the figure explains itself. */
function breakdown(run: WatchRun, from: number, to: number): string {
  const a = at(run, from);
  const b = at(run, to);
  const delta = (field: keyof Sample): string => signed(b[field] - a[field]);
  return (
    `growth by part (MB): V8 committed heap ${delta('v8CommittedMb')} (young ${delta('newSpaceMb')}, ` +
    `old ${delta('oldSpaceMb')}, code space ${delta('codeSpaceMb')}), anonymous outside V8 (malloc) ` +
    `${delta('outsideV8Mb')}, file-backed ${delta('fileMb')}; heap used ${delta('heapMb')}, external ` +
    `${delta('externalMb')}, code and bytecode ${delta('codeMb')}`
  );
}

const built = await buildCli();
const fakes = await startFakeHost({
  latencyMs: 0,
  servers: 2,
  mode: 'fleet',
  serverPrefs: [{}, { PublishServerOnPlexOnlineKey: false }],
});
section(`watch mode: ${CYCLES} real runWatch cycles, back to back, against a loopback fake server`);
try {
  const plain = await watch(built.dir, fakes, []);
  const facts = `${plain.runs} runs, ${plain.failedRuns} failed, ${plain.alerts} alerts; ${(plain.ms / plain.runs).toFixed(1)} ms per cycle`;
  const series = plain.samples.map((s) => `${s.cycle}: ${mb(s.rssMb)}`).join(', ');
  report({
    name: `watch: RSS growth, cycle ${EARLY} → ${CYCLES}`,
    value: at(plain, CYCLES).rssMb - at(plain, EARLY).rssMb,
    unit: 'MB',
    target: LIMIT_MB,
    note: `RSS by cycle (MB, after gc and a pause, twice): ${series}; ${facts}; ${breakdown(plain, EARLY, CYCLES)}`,
  });
  report({
    name: `watch: RSS growth in steady state, cycles ${WARM.join('/')} → ${LATE.join('/')} (medians)`,
    value: medianOf(plain, LATE, 'rssMb') - medianOf(plain, WARM, 'rssMb'),
    unit: 'MB',
    target: LIMIT_MB,
    note: `heap used ${mb(medianOf(plain, WARM, 'heapMb'))} → ${mb(medianOf(plain, LATE, 'heapMb'))} MB (from ${mb(at(plain, EARLY).heapMb)} MB at cycle ${EARLY})`,
  });
  // Attribution: the same run with V8's optimizing compiler on the main thread. Its compile jobs otherwise run on
  // V8's worker threads, and glibc keeps what their zones freed in per-thread malloc arenas (the 'outside V8' part).
  for (const flag of ['--no-concurrent-recompilation', '--optimize-for-size']) {
    const run = await watch(built.dir, fakes, [flag]);
    report({
      name: `watch with node ${flag}: RSS growth, cycle ${EARLY} → ${CYCLES}`,
      value: at(run, CYCLES).rssMb - at(run, EARLY).rssMb,
      unit: 'MB',
      target: LIMIT_MB,
      note: `RSS by cycle (MB): ${run.samples.map((s) => `${s.cycle}: ${mb(s.rssMb)}`).join(', ')}; ${breakdown(run, EARLY, CYCLES)}`,
    });
  }
} finally {
  await fakes.close();
  await built.remove();
}
