/**
 * `npm run bench`: every benchmark, one after another, each in a process of its own, then a summary with each figure,
 * its target and the ratio (ratios first). Not part of the test run. Figures vary with the machine's load: each bench
 * reports medians of several repetitions; run it on an otherwise idle machine for numbers to quote.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { round, type Figure } from './lib/figures.js';

const BENCHES: [file: string, args: string[], nodeFlags?: string[]][] = [
  ['e2e-latency.ts', ['--latency', '100']],
  ['e2e-latency.ts', ['--latency', '20']],
  ['black-hole.ts', []],
  ['cli-cold-start.ts', []],
  ['library-import.ts', []],
  ['watch-memory.ts', [], ['--expose-gc']],
  ['watch-rss.ts', []],
  ['diagnose-many.ts', []],
  ['status-history.ts', []],
  // Needs root (network namespaces) and `npm run build`; says so in one line and exits 0 otherwise.
  ['lab-side-by-side.ts', []],
  ['lab-scenarios.ts', []],
];

const figuresFile = join(tmpdir(), `plex-diagnose-bench-${process.pid}.jsonl`);
const cpuModel = cpus()[0]?.model ?? 'unknown';
console.log(`plex-diagnose benchmarks, ${new Date().toISOString()}`);
console.log(
  `machine: ${cpus().length} CPUs (${cpuModel}), Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

let failed = 0;
for (const [file, args, nodeFlags = []] of BENCHES) {
  const result = spawnSync(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', fileURLToPath(new URL(file, import.meta.url)), ...args],
    {
      stdio: 'inherit',
      env: { ...process.env, BENCH_FIGURES: figuresFile },
    },
  );
  if (result.status !== 0) {
    failed++;
    console.log(`!! ${file} ${args.join(' ')} failed (exit ${String(result.status ?? result.signal)})`);
  }
}

const figures = readFileSync(figuresFile, 'utf8')
  .trim()
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Figure);
rmSync(figuresFile, { force: true });
console.log(
  `\n== summary (load average now ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')})`,
);
const withTarget = figures.filter((f) => f.target !== undefined);
for (const f of withTarget) {
  const ratio = f.value / f.target!;
  console.log(
    `${f.value <= f.target! ? 'met   ' : 'MISSED'} ${(f.value <= 0 ? '—' : ratio.toFixed(2)).padStart(5)} of target  ${f.name}: ${round(f.value)} ${f.unit} (target ≤ ${round(f.target!)} ${f.unit})`,
  );
}
for (const f of figures.filter((x) => x.target === undefined)) {
  console.log(
    `info   ${f.name}: ${round(f.value)} ${f.unit}${f.baseline ? ` (${(f.value / f.baseline.value).toFixed(2)} × ${f.baseline.label})` : ''}`,
  );
}
const met = withTarget.filter((f) => f.value <= f.target!).length;
console.log(
  `\n${met} of ${withTarget.length} targets met, ${withTarget.length - met} missed${failed ? `; ${failed} bench(es) failed` : ''} (load average ${loadavg()[0]!.toFixed(2)})`,
);
if (failed) process.exitCode = 1;
