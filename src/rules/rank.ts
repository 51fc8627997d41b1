/**
 * Ranking: a root cause outranks what it explains. If CGNAT and "unreachable from the internet" both fire, CGNAT
 * heads the report and "unreachable" is listed as contributing, explained by it.
 */
import type { Diagnosis } from '../core/report.js';
import type { Confidence, Severity } from './types.js';

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const CONFIDENCE_ORDER: Record<Confidence, number> = { high: 0, medium: 1, low: 2 };
const RANK_ORDER = { 'root-cause': 0, contributing: 1, info: 2 } as const;

export interface RankInput {
  diagnosis: Diagnosis;
  explains: readonly string[];
  /** Position of the rule in the rule list (catalogue order breaks ties). */
  order: number;
}

function outranks(a: RankInput, b: RankInput): boolean {
  const bySeverity = SEVERITY_ORDER[a.diagnosis.severity] - SEVERITY_ORDER[b.diagnosis.severity];
  if (bySeverity !== 0) return bySeverity < 0;
  const byConfidence = CONFIDENCE_ORDER[a.diagnosis.confidence] - CONFIDENCE_ORDER[b.diagnosis.confidence];
  if (byConfidence !== 0) return byConfidence < 0;
  return a.order < b.order;
}

export function rankDiagnoses(inputs: RankInput[]): Diagnosis[] {
  for (const input of inputs) input.diagnosis.rank = input.diagnosis.severity === 'info' ? 'info' : 'root-cause';
  for (const cause of inputs) {
    if (cause.diagnosis.severity === 'info') continue;
    for (const effect of inputs) {
      if (effect === cause || effect.diagnosis.severity === 'info') continue;
      if (!cause.explains.includes(effect.diagnosis.ruleId)) continue;
      // Two findings that claim to explain each other: the stronger one stays the root cause.
      if (effect.explains.includes(cause.diagnosis.ruleId) && outranks(effect, cause)) continue;
      effect.diagnosis.rank = 'contributing';
      if (!effect.diagnosis.explainedBy.includes(cause.diagnosis.ruleId))
        effect.diagnosis.explainedBy.push(cause.diagnosis.ruleId);
    }
  }
  return [...inputs]
    .sort((a, b) => {
      const byRank = RANK_ORDER[a.diagnosis.rank] - RANK_ORDER[b.diagnosis.rank];
      if (byRank !== 0) return byRank;
      return outranks(a, b) ? -1 : outranks(b, a) ? 1 : 0;
    })
    .map((input) => input.diagnosis);
}
