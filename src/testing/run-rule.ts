import type { Observation } from '../core/observation.js';
import type { Snapshot } from '../core/snapshot.js';
import { evaluateRules } from '../rules/engine.js';
import type { AnyRule, RuleSetting } from '../rules/types.js';
import type { Candidate, Diagnosis, RuleCheck } from '../core/report.js';
import { buildSnapshot } from './observations.js';

export interface RuleRun {
  diagnoses: Diagnosis[];
  /** The check: passed (with its evidence), failed, not-checked (with reason and howToCheck), crashed or off. */
  check: RuleCheck;
  /** The candidate causes the rule suspected (`ctx.suspect`), ranked; empty when it decided. */
  candidates: Candidate[];
}

/**
 * Runs one rule over a snapshot (or bare observations wrapped in one): what a rule test needs, with whichever test
 * framework. Pass `setting` to test severity overrides or rule options.
 */
export function runRule(rule: AnyRule, input: Snapshot | Record<string, Observation>, setting?: RuleSetting): RuleRun {
  const snapshot = 'schemaVersion' in input && 'observations' in input ? (input as Snapshot) : buildSnapshot(input);
  const report = evaluateRules(snapshot, { rules: [rule], ...(setting ? { ruleConfig: { [rule.id]: setting } } : {}) });
  return { diagnoses: report.diagnoses, check: report.checks[0]!, candidates: report.differential?.candidates ?? [] };
}
