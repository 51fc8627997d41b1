import type { Severity } from '../rules/types.js';
import type { Report } from '../core/report.js';

/** The lowest severity that makes the run fail; 'none' never fails on findings. */
export type FailOn = Severity | 'none';

/** Exit code 4: nothing found at or above --fail-on, but the checks that decide remote access could not all run. */
export const EXIT_INCONCLUSIVE = 4;

const LEVEL: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/**
 * 1 when a finding is at or above `failOn`; else 4 when the verdict is inconclusive (a deciding check could not run,
 * so "no problem" is not proven); else 0. `failOn: 'none'` is always 0: the caller asked never to fail.
 * (The CLI adds 2 for usage errors and 3 for internal crashes.) A crashed rule does not fail the run by itself: it is
 * reported, and if it was a deciding check the verdict is inconclusive.
 */
export function exitCodeFor(report: Report, failOn: FailOn = 'error'): 0 | 1 | 4 {
  if (failOn === 'none') return 0;
  if (report.diagnoses.some((d) => LEVEL[d.severity] >= LEVEL[failOn])) return 1;
  // Findings below --fail-on do not make a run whose deciding checks could not run conclusive.
  return report.verdict.status === 'inconclusive' || report.verdict.missing.length > 0 ? EXIT_INCONCLUSIVE : 0;
}
