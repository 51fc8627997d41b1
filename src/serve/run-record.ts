/**
 * What the status page keeps of one watch run: its band on the timeline (reachable / broken / inconclusive), the
 * verdict, the top finding and the durations. Derived from the report alone (no clock, no I/O).
 */
import type { Report } from '../core/report.js';
import { causesOf, stateOf } from '../watch/alert.js';

export type RunBand = 'reachable' | 'broken' | 'inconclusive';

export interface RunRecord {
  /** When the run finished (ISO 8601). */
  at: string;
  band: RunBand;
  /** The report's summary status ('ok', 'error', 'warning', 'info'), or 'diagnosis-failed'. */
  verdict: string;
  /** The top root cause (rule id), when there is one. */
  topRule?: string;
  /** Its message (already free of token shapes: reports never carry the token). */
  topMessage?: string;
  /** How long collecting the evidence took. */
  collectMs?: number;
  /** The whole run, collect and analysis. */
  runMs?: number;
}

/**
 * reachable: no problem at warning level and the verdict is ok (unknown is never passed: a report whose deciding
 * checks could not run is inconclusive, not reachable). broken: a root cause at warning level or
 * above. inconclusive: everything else, and a diagnosis that failed.
 */
export function bandOf(report: Report | undefined): RunBand {
  if (!report) return 'inconclusive';
  if (stateOf(causesOf(report, 'warning')).status === 'problem') return 'broken';
  // The engine's verdict is ok only when the checks that decide remote access ran and passed.
  return report.verdict.status === 'ok' ? 'reachable' : 'inconclusive';
}

/** A run as the history keeps it. */
export function recordOf(at: string, report: Report | undefined, runMs?: number): RunRecord {
  const record: RunRecord = { at, band: bandOf(report), verdict: report ? report.summary.status : 'diagnosis-failed' };
  const top = report?.diagnoses.find((d) => d.rank === 'root-cause') ?? report?.diagnoses[0];
  if (top) {
    record.topRule = top.ruleId;
    record.topMessage = top.message.slice(0, 500);
  }
  if (report) record.collectMs = Math.round(report.timing.collectMs);
  if (runMs !== undefined) record.runMs = Math.round(runMs);
  return record;
}

/**
 * What makes a report "changed" for the history: the band, the root causes and the path marks. Timestamps and
 * durations differ on every run and do not count, so a steady state stores its report once.
 */
export function reportFingerprint(report: Report | undefined): string {
  if (!report) return 'diagnosis-failed';
  return JSON.stringify([
    bandOf(report),
    report.summary.status,
    report.diagnoses.map((d) => [d.ruleId, d.messageId, d.rank]),
    report.path?.hops.map((h) => [h.kind, h.status]) ?? null,
  ]);
}
