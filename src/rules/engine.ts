/**
 * evaluateRules(snapshot, rules) → Report. Pure and synchronous: no I/O, no clock. A rule whose requirements are missing
 * is skipped with the reason; a rule that throws is reported as crashed; neither affects the other rules.
 */
import type { Snapshot } from '../core/snapshot.js';
import {
  REPORT_SCHEMA_VERSION,
  type CheckStatus,
  type Diagnosis,
  type Report,
  type RuleCheck,
} from '../core/report.js';
import { resolveRules, type ResolvedRule } from './config.js';
import { interpolate } from './interpolate.js';
import { rankDiagnoses, type RankInput } from './rank.js';
import { restrictedReader } from './restricted-reader.js';
import type { AnyRule, ReportDescriptor, RuleConfig } from './types.js';

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

function requirementGap(rule: AnyRule, snapshot: Snapshot): string | undefined {
  for (const id of rule.meta.requires) {
    const observation = snapshot.observations[id];
    if (!observation) return `${id} was not collected`;
    if (observation.status === 'failed') return `needs ${id}, which failed: ${observation.error.message}`;
    if (observation.status === 'skipped') return `needs ${id}, which was skipped: ${observation.reason}`;
  }
  return undefined;
}

function evaluateRule(resolved: ResolvedRule, snapshot: Snapshot): { check: RuleCheck; found: RankInput[] } {
  const { rule } = resolved;
  const severity = resolved.severity === 'off' ? rule.meta.severity : resolved.severity;
  const check: RuleCheck = {
    ruleId: rule.id,
    title: rule.meta.title,
    category: rule.meta.category,
    severity,
    status: 'passed',
    findings: 0,
  };
  if (resolved.severity === 'off') return { check: { ...check, status: 'off' }, found: [] };
  const gap = requirementGap(rule, snapshot);
  if (gap) return { check: { ...check, status: 'skipped', reason: gap }, found: [] };
  const found: RankInput[] = [];
  const report = (descriptor: ReportDescriptor): void => {
    const template = rule.meta.messages[descriptor.messageId];
    if (template === undefined)
      throw new Error(`rule "${rule.id}" reported unknown messageId "${descriptor.messageId}"`);
    const data = { ...descriptor.data };
    let fix: Diagnosis['fix'];
    if (descriptor.fix) {
      const fixTemplate = rule.meta.fixes?.[descriptor.fix.fixId];
      if (fixTemplate === undefined)
        throw new Error(`rule "${rule.id}" reported unknown fixId "${descriptor.fix.fixId}"`);
      const fixData = { ...descriptor.fix.data };
      fix = {
        fixId: descriptor.fix.fixId,
        message: interpolate(fixTemplate, fixData),
        data: fixData,
        actions: [...(descriptor.fix.actions ?? [])],
      };
    }
    const diagnosis: Diagnosis = {
      ruleId: rule.id,
      severity,
      category: rule.meta.category,
      title: rule.meta.title,
      messageId: descriptor.messageId,
      message: interpolate(template, data),
      data,
      evidence: descriptor.evidence.map((e) => ({ ...e })),
      confidence: descriptor.confidence,
      ...(fix ? { fix } : {}),
      rank: 'root-cause',
      explainedBy: [],
      ...(rule.meta.docsUrl ? { docsUrl: rule.meta.docsUrl } : {}),
    };
    found.push({ diagnosis, explains: descriptor.explains ?? rule.meta.explains ?? [], order: resolved.order });
  };
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
      report,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { check: { ...check, status: 'crashed', reason: reader.violation()?.message ?? message }, found: [] };
  }
  const violation = reader.violation();
  if (violation) return { check: { ...check, status: 'crashed', reason: violation.message }, found: [] };
  const status: CheckStatus = found.some((f) => f.diagnosis.severity !== 'info') ? 'failed' : 'passed';
  return { check: { ...check, status, findings: found.length }, found };
}

export function evaluateRules(snapshot: Snapshot, options: EvaluateRulesOptions): Report {
  const resolved = resolveRules(options.rules, options.ruleConfig, options.only);
  const checks: RuleCheck[] = [];
  const inputs: RankInput[] = [];
  for (const rule of resolved) {
    const { check, found } = evaluateRule(rule, snapshot);
    checks.push(check);
    inputs.push(...found);
  }
  const diagnoses = rankDiagnoses(inputs);
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
      status: errors > 0 ? 'error' : warnings > 0 ? 'warning' : diagnoses.length > 0 ? 'info' : 'ok',
      errors,
      warnings,
      infos: diagnoses.length - errors - warnings,
      rootCauses: diagnoses.filter((d) => d.rank === 'root-cause').length,
      checks: {
        passed: count('passed'),
        failed: count('failed'),
        skipped: count('skipped'),
        crashed: count('crashed'),
        off: count('off'),
      },
    },
    diagnoses,
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
