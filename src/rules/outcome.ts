/**
 * Turning what a rule said into report data: a finding (`ctx.report`) into a Diagnosis, a suspicion (`ctx.suspect`)
 * into a Candidate of the differential. Templates are interpolated here; unknown ids are the rule's bug (it crashes).
 */
import type { Confidence, Evidence } from '../core/finding.js';
import type { Candidate, Diagnosis } from '../core/report.js';
import { interpolate } from './interpolate.js';
import type { RankInput } from './rank.js';
import type { AnyRule, ReportDescriptor, Severity, SuspectDescriptor } from './types.js';

/** A finding that rests only on what the user said carries less weight than a measurement: at most medium. */
export function weighConfidence(confidence: Confidence, evidence: readonly Evidence[]): Confidence {
  const onlyDeclared = evidence.length > 0 && evidence.every((e) => e.declared === true);
  return onlyDeclared && confidence === 'high' ? 'medium' : confidence;
}

function template(rule: AnyRule, messageId: string): string {
  const text = rule.meta.messages[messageId];
  if (text === undefined) throw new Error(`rule "${rule.id}" reported unknown messageId "${messageId}"`);
  return text;
}

export function buildDiagnosis(
  rule: AnyRule,
  severity: Severity,
  descriptor: ReportDescriptor,
  order: number,
): RankInput {
  const message = template(rule, descriptor.messageId);
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
  const evidence = descriptor.evidence.map((e) => ({ ...e }));
  const diagnosis: Diagnosis = {
    ruleId: rule.id,
    severity,
    category: rule.meta.category,
    title: rule.meta.title,
    messageId: descriptor.messageId,
    message: interpolate(message, data),
    data,
    evidence,
    confidence: weighConfidence(descriptor.confidence, evidence),
    ...(fix ? { fix } : {}),
    rank: 'root-cause',
    explainedBy: [],
    ...(rule.meta.docsUrl ? { docsUrl: rule.meta.docsUrl } : {}),
  };
  return { diagnosis, explains: descriptor.explains ?? rule.meta.explains ?? [], order };
}

export interface CandidateInput {
  candidate: Candidate;
  order: number;
}

export function buildCandidate(rule: AnyRule, descriptor: SuspectDescriptor, order: number): CandidateInput {
  const data = { ...descriptor.data };
  const against = (descriptor.against ?? []).map((e) => ({ ...e }));
  const pointsFor = descriptor.for.map((e) => ({ ...e }));
  const likelihood = weighConfidence(descriptor.likelihood ?? (against.length > 0 ? 'low' : 'medium'), pointsFor);
  return {
    candidate: {
      ruleId: rule.id,
      messageId: descriptor.messageId,
      message: interpolate(template(rule, descriptor.messageId), data),
      data,
      likelihood,
      for: pointsFor,
      against,
      nextStep: { ...descriptor.nextStep },
    },
    order,
  };
}

const LIKELIHOOD: Record<Confidence, number> = { high: 0, medium: 1, low: 2 };

/** Most likely first: likelihood, then less against, then more for, then catalogue order. */
export function rankCandidates(inputs: readonly CandidateInput[]): Candidate[] {
  return [...inputs]
    .sort(
      (a, b) =>
        LIKELIHOOD[a.candidate.likelihood] - LIKELIHOOD[b.candidate.likelihood] ||
        a.candidate.against.length - b.candidate.against.length ||
        b.candidate.for.length - a.candidate.for.length ||
        a.order - b.order,
    )
    .map((input) => input.candidate);
}
