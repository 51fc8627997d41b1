/**
 * The verdict: "No problems found" only when the checks that decide remote access ran and passed. A run whose deciding
 * checks could not run is inconclusive, never ok, whatever else passed: a doctor that could not examine says so.
 */
import type { Diagnosis, RuleCheck, Verdict } from '../core/report.js';

export function decideVerdict(checks: readonly RuleCheck[], diagnoses: readonly Diagnosis[]): Verdict {
  const byQuestion = new Map<string, RuleCheck[]>();
  for (const check of checks) {
    if (!check.decides || check.status === 'off') continue;
    byQuestion.set(check.decides, [...(byQuestion.get(check.decides) ?? []), check]);
  }
  const missing: Verdict['missing'] = [];
  if (byQuestion.size === 0)
    missing.push({
      decides: 'remote-access',
      ruleIds: [],
      reason: 'no check that decides remote access was enabled',
      howToCheck: 'run the built-in rules (drop --only, or turn the deciding rules back on)',
    });
  for (const [decides, group] of byQuestion) {
    // Passed, or answered by a finding (an error, or one turned down to info): either way the question was decided.
    if (group.some((c) => c.status === 'passed' || c.status === 'failed' || c.findings > 0)) continue;
    const first = group[0]!;
    missing.push({
      decides,
      ruleIds: group.map((c) => c.ruleId),
      reason: first.reason ?? `${first.ruleId} ${first.status}`,
      ...(first.howToCheck ? { howToCheck: first.howToCheck } : {}),
    });
  }
  if (diagnoses.some((d) => d.severity !== 'info')) return { status: 'problems', missing };
  return { status: missing.length > 0 ? 'inconclusive' : 'ok', missing };
}

/**
 * The differential is shown when remote access is failing or unknown and no finding singles out one cause: none of
 * the root causes is a high-confidence finding of a cause (a symptom rule, like Plex's own check, names none).
 */
export function needsDifferential(
  verdict: Verdict,
  diagnoses: readonly Diagnosis[],
  symptoms: ReadonlySet<string>,
): boolean {
  if (verdict.status === 'ok') return false;
  return !diagnoses.some(
    (d) => d.rank === 'root-cause' && d.severity !== 'info' && d.confidence === 'high' && !symptoms.has(d.ruleId),
  );
}
