/**
 * evaluateRules(snapshot, rules) → Report. Pure and synchronous: no I/O, no clock. Every check ends passed (with the
 * evidence that passed it), failed, or not checked (with why and how to make it checkable); a rule that throws is
 * reported as crashed; none affects the other rules. The verdict and the differential are derived from the checks.
 */
import type { Snapshot } from '../core/snapshot.js';
import { REPORT_SCHEMA_VERSION, type CheckStatus, type Report, type RuleCheck } from '../core/report.js';
import { requirementGap } from './checkability.js';
import { resolveRules, type ResolvedRule } from './config.js';
import { buildDiagnosis, buildCandidate, rankCandidates, type CandidateInput } from './outcome.js';
import { rankDiagnoses, type RankInput } from './rank.js';
import type {
  AnyRule,
  NotCheckedDescriptor,
  PassDescriptor,
  ReportDescriptor,
  RuleConfig,
  SuspectDescriptor,
} from './types.js';
import { decideVerdict, needsDifferential } from './verdict.js';
import { restrictedReader } from './restricted-reader.js';

export interface EvaluateRulesOptions {
  /** The rules to run (built-ins plus the user's). */
  rules: readonly AnyRule[];
  /** Per-rule overrides: 'off', a severity, or `{ severity, options }`. */
  ruleConfig?: RuleConfig;
  /** Keep only rules of these categories. */
  only?: readonly string[];
  /** Attach the snapshot to the report. @default false */
  includeSnapshot?: boolean;
}

/** The reason a check gets when its rule neither reported, passed nor said why: unknown is never passed. */
export const SILENT_RULE_REASON = 'the rule found no evidence that decides it';

interface RuleOutcome {
  check: RuleCheck;
  found: RankInput[];
  suspects: CandidateInput[];
}

function evaluateRule(resolved: ResolvedRule, snapshot: Snapshot): RuleOutcome {
  const { rule } = resolved;
  const severity = resolved.severity === 'off' ? rule.meta.severity : resolved.severity;
  const check: RuleCheck = {
    ruleId: rule.id,
    title: rule.meta.title,
    category: rule.meta.category,
    severity,
    status: 'not-checked',
    ...(rule.meta.decides ? { decides: rule.meta.decides } : {}),
    findings: 0,
  };
  if (resolved.severity === 'off') return { check: { ...check, status: 'off' }, found: [], suspects: [] };
  const gap = requirementGap(rule.meta.requires, snapshot.observations);
  if (gap) return { check: { ...check, ...gap }, found: [], suspects: [] };
  const found: RankInput[] = [];
  const suspects: SuspectDescriptor[] = [];
  const passes: PassDescriptor[] = [];
  let notChecked: NotCheckedDescriptor | undefined;
  // The rule sees only what its meta declares: an undeclared read throws (and counts even if the rule catches it).
  const reader = restrictedReader(rule, snapshot.observations);
  try {
    const about = { target: snapshot.target, context: snapshot.context, createdAt: snapshot.createdAt };
    rule.evaluate({
      get: reader.get,
      observation: reader.observation,
      id: rule.id,
      options: resolved.options,
      snapshot: about,
      report: (descriptor) =>
        found.push(buildDiagnosis(rule, severity, descriptor as ReportDescriptor, resolved.order)),
      pass: (descriptor) => {
        if (descriptor.evidence.length === 0) throw new Error(`rule "${rule.id}" passed without evidence`);
        passes.push(descriptor);
      },
      notChecked: (descriptor) => void (notChecked ??= descriptor),
      suspect: (descriptor) => {
        if (descriptor.for.length === 0) throw new Error(`rule "${rule.id}" suspects a cause with nothing for it`);
        suspects.push(descriptor as SuspectDescriptor);
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      check: { ...check, status: 'crashed', reason: reader.violation()?.message ?? message },
      found: [],
      suspects: [],
    };
  }
  const violation = reader.violation();
  if (violation) return { check: { ...check, status: 'crashed', reason: violation.message }, found: [], suspects: [] };
  const counted = { ...check, findings: found.length };
  // A finding decides; then a pass with evidence; otherwise the check was not decided, whatever the rule said.
  if (found.some((f) => f.diagnosis.severity !== 'info'))
    return { check: { ...counted, status: 'failed' }, found, suspects: [] };
  if (passes.length > 0) {
    const evidence = passes.flatMap((p) => p.evidence.map((e) => ({ ...e })));
    return { check: { ...counted, status: 'passed', evidence }, found, suspects: [] };
  }
  const why = notChecked ?? { reason: SILENT_RULE_REASON };
  return {
    check: { ...counted, reason: why.reason, ...(why.howToCheck ? { howToCheck: why.howToCheck } : {}) },
    found,
    suspects: suspects.map((descriptor) => buildCandidate(rule, descriptor, resolved.order)),
  };
}

export function evaluateRules(snapshot: Snapshot, options: EvaluateRulesOptions): Report {
  const resolved = resolveRules(options.rules, options.ruleConfig, options.only);
  const checks: RuleCheck[] = [];
  const inputs: RankInput[] = [];
  const candidates: CandidateInput[] = [];
  for (const rule of resolved) {
    const { check, found, suspects } = evaluateRule(rule, snapshot);
    checks.push(check);
    inputs.push(...found);
    candidates.push(...suspects);
  }
  const diagnoses = rankDiagnoses(inputs);
  const verdict = decideVerdict(checks, diagnoses);
  const symptoms = new Set(resolved.filter((r) => r.rule.meta.symptom).map((r) => r.rule.id));
  const differential = needsDifferential(verdict, diagnoses, symptoms) ? rankCandidates(candidates) : [];
  const count = (status: CheckStatus): number => checks.filter((c) => c.status === status).length;
  const errors = diagnoses.filter((d) => d.severity === 'error').length;
  const warnings = diagnoses.filter((d) => d.severity === 'warning').length;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: snapshot.tool,
    createdAt: snapshot.createdAt,
    target: snapshot.target,
    context: snapshot.context,
    summary: {
      verdict: verdict.status,
      status: errors > 0 ? 'error' : warnings > 0 ? 'warning' : diagnoses.length > 0 ? 'info' : 'ok',
      errors,
      warnings,
      infos: diagnoses.length - errors - warnings,
      rootCauses: diagnoses.filter((d) => d.rank === 'root-cause').length,
      checks: {
        passed: count('passed'),
        failed: count('failed'),
        'not-checked': count('not-checked'),
        crashed: count('crashed'),
        off: count('off'),
      },
    },
    verdict,
    diagnoses,
    ...(differential.length > 0 ? { differential: { candidates: differential } } : {}),
    checks,
    observations: Object.entries(snapshot.observations).map(([id, observation]) => ({
      id,
      status: observation.status,
      durationMs: observation.durationMs,
      ...(observation.status === 'failed' ? { error: observation.error } : {}),
      ...(observation.status === 'skipped' ? { reason: observation.reason } : {}),
    })),
    timing: { collectMs: snapshot.durationMs },
    ...(options.includeSnapshot ? { snapshot } : {}),
  };
}
