import type { Severity } from '../rules/types.js';
import type { Report } from '../core/report.js';

/** The lowest severity that makes the run fail; 'none' never fails on findings. */
export type FailOn = Severity | 'none';

const LEVEL: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/**
 * 0 when no finding is at or above `failOn`, else 1. (The CLI adds 2 for usage errors and 3 for internal crashes.)
 * A crashed rule does not fail the run by itself: it is reported, and the other findings stand.
 */
export function exitCodeFor(report: Report, failOn: FailOn = 'error'): 0 | 1 {
  if (failOn === 'none') return 0;
  return report.diagnoses.some((d) => LEVEL[d.severity] >= LEVEL[failOn]) ? 1 : 0;
}
