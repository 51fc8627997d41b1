/**
 * How every bench reports: a figure, its target and the ratio to it, one line each, so `npm run bench` reads as a
 * table and docs/performance.md can quote it. Medians of several repetitions, because the machine is a noisy VM.
 * With BENCH_FIGURES set (bench/index.ts sets it), each figure is also appended there as a JSON line.
 */
import { appendFileSync } from 'node:fs';

export interface Figure {
  /** What was measured, e.g. "diagnose N=8, L=100 ms: wall / critical path". */
  name: string;
  /** The measured value, in `unit`. */
  value: number;
  unit: string;
  /** The target (the value must stay at or below it), when there is one. */
  target?: number;
  /** What the ratio is relative to, when it is not the target (e.g. "node -e 0"). */
  baseline?: { label: string; value: number };
  /** A line of context (the chain, the setup). */
  note?: string;
}

const figures: Figure[] = [];

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export const round = (value: number): string =>
  Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);

/** Prints one figure: `name: value unit | target ≤ t | ratio r | ok/MISSED` and keeps it for the summary. */
export function report(figure: Figure): void {
  figures.push(figure);
  if (process.env.BENCH_FIGURES) appendFileSync(process.env.BENCH_FIGURES, `${JSON.stringify(figure)}\n`);
  const parts = [`${figure.name}: ${round(figure.value)} ${figure.unit}`];
  if (figure.baseline)
    parts.push(
      `${figure.baseline.label} ${round(figure.baseline.value)} ${figure.unit}, ratio ${(figure.value / figure.baseline.value).toFixed(2)}`,
    );
  if (figure.target !== undefined) {
    parts.push(`target ≤ ${round(figure.target)} ${figure.unit}`);
    parts.push(
      figure.value <= figure.target
        ? `met${figure.value > 0 ? ` (${(figure.value / figure.target).toFixed(2)} of target)` : ''}`
        : `MISSED (${(figure.value / figure.target).toFixed(2)} of target)`,
    );
  }
  console.log(parts.join(' | '));
  if (figure.note) console.log(`    ${figure.note}`);
}

export function reported(): readonly Figure[] {
  return figures;
}

export function section(title: string): void {
  console.log(`\n== ${title}`);
}

/** Milliseconds a piece of async work takes. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** The number after `--name` on the command line, else the fallback (benches take sizes from the command line). */
export function numberArg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const raw = index >= 0 ? process.argv[index + 1] : undefined;
  const value = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(value) ? value : fallback;
}
