/** Groups rule checks by category and derives each group's doctor-style status. */
import type { Diagnosis, Report, RuleCheck } from '../../core/report.js';

/** 'not-checked': no finding, but at least one check of the group could not be decided (never shown as passed). */
export type GroupStatus = 'passed' | 'error' | 'warning' | 'info' | 'crashed' | 'not-checked' | 'off';

export interface CheckGroup {
  category: string;
  status: GroupStatus;
  checks: RuleCheck[];
  diagnoses: Diagnosis[];
}

export function groupChecks(report: Report): CheckGroup[] {
  const groups = new Map<string, CheckGroup>();
  for (const check of report.checks) {
    const group = groups.get(check.category) ?? {
      category: check.category,
      status: 'passed',
      checks: [],
      diagnoses: [],
    };
    group.checks.push(check);
    groups.set(check.category, group);
  }
  for (const diagnosis of report.diagnoses) groups.get(diagnosis.category)?.diagnoses.push(diagnosis);
  for (const group of groups.values()) group.status = statusOf(group);
  return [...groups.values()];
}

function statusOf(group: CheckGroup): GroupStatus {
  if (group.diagnoses.some((d) => d.severity === 'error')) return 'error';
  if (group.checks.some((c) => c.status === 'crashed')) return 'crashed';
  if (group.diagnoses.some((d) => d.severity === 'warning')) return 'warning';
  if (group.checks.every((c) => c.status === 'off')) return 'off';
  if (group.checks.some((c) => c.status === 'not-checked')) return 'not-checked';
  if (group.diagnoses.length > 0) return 'info';
  return 'passed';
}

/** The one-line status beside a group's title (flutter's `statusInfo`). */
export function groupStatusInfo(group: CheckGroup): string {
  const top = group.diagnoses.find((d) => d.severity !== 'info') ?? group.diagnoses[0];
  if (top) return top.message;
  const passed = group.checks.filter((c) => c.status === 'passed').length;
  const open = group.checks.filter((c) => c.status === 'not-checked');
  if (passed === 0 && open.length > 0) return `not checked: ${open[0]!.reason ?? 'no evidence'}`;
  if (passed === 0) return 'turned off';
  const passedText = `${passed} check${passed === 1 ? '' : 's'} passed`;
  return open.length ? `${passedText}, ${open.length} not checked: ${open[0]!.reason ?? 'no evidence'}` : passedText;
}
