/**
 * Table-driven rule tests, ESLint RuleTester style: `valid` cases must PASS with evidence and report nothing, `invalid`
 * cases must report exactly the expected message ids (in order), with every placeholder filled; `notChecked` cases
 * must end not-checked with the reason (and the candidate causes they suspect, when given).
 */
import { describe, expect, it } from 'vitest';
import type { Observation } from '../../src/core/observation.js';
import type { Snapshot } from '../../src/core/snapshot.js';
import type { AnyRule, Confidence, FixAction, RuleSetting } from '../../src/rules/types.js';
import { buildSnapshot, healthyObservations } from '../../src/testing/observations.js';
import { runRule } from '../../src/testing/run-rule.js';

export interface RuleCase {
  name: string;
  /** Changes to the healthy observations (mutate the record), or a full replacement. */
  observations?: ((o: Record<string, Observation>) => void) | Record<string, Observation>;
  snapshot?: Partial<Snapshot>;
  /** A rule setting for this case (severity override or rule options). */
  setting?: RuleSetting;
}

export interface Expected {
  messageId: string;
  confidence?: Confidence;
  data?: Record<string, unknown>;
  fixId?: string;
  actions?: FixAction[];
  /** Substrings the rendered message (or fix) must contain. */
  mentions?: string[];
}

export function buildCase(c: RuleCase): Snapshot {
  let observations = healthyObservations();
  if (typeof c.observations === 'function') c.observations(observations);
  else if (c.observations) observations = c.observations;
  return buildSnapshot(observations, c.snapshot);
}

export interface ValidCase extends RuleCase {
  /** Text the passing evidence must contain (the evidence that decided it). */
  evidence?: RegExp;
}

export interface NotCheckedCase extends RuleCase {
  reason: RegExp;
  /** What would make it checkable. */
  howToCheck?: RegExp;
  /** Message ids of the candidate causes the rule must suspect, in rank order. @default not asserted */
  suspects?: string[];
}

export function ruleTester(
  rule: AnyRule,
  cases: {
    valid: ValidCase[];
    invalid: (RuleCase & { expect: Expected[] })[];
    notChecked?: NotCheckedCase[];
  },
): void {
  describe(rule.id, () => {
    for (const c of cases.valid) {
      it(`stays silent: ${c.name}`, () => {
        const { diagnoses, check } = runRule(rule, buildCase(c), c.setting);
        expect(check.status, check.reason).toBe('passed');
        expect(check.evidence?.length, 'passed without evidence').toBeGreaterThan(0);
        if (c.evidence) expect(check.evidence!.map((e) => `${e.source}: ${e.observed}`).join('\n')).toMatch(c.evidence);
        expect(diagnoses.map((d) => d.messageId)).toEqual([]);
      });
    }
    for (const c of cases.invalid) {
      it(`reports: ${c.name}`, () => {
        const { diagnoses, check } = runRule(rule, buildCase(c), c.setting);
        expect(check.status, check.reason).not.toBe('crashed');
        expect(diagnoses.map((d) => d.messageId)).toEqual(c.expect.map((e) => e.messageId));
        c.expect.forEach((wanted, i) => {
          const got = diagnoses[i]!;
          expect(got.message).not.toMatch(/\{\{/);
          expect(got.fix?.message ?? '').not.toMatch(/\{\{/);
          expect(got.evidence.length, 'a finding without evidence').toBeGreaterThan(0);
          if (wanted.confidence) expect(got.confidence).toBe(wanted.confidence);
          if (wanted.data) expect(got.data).toMatchObject(wanted.data);
          if (wanted.fixId) expect(got.fix?.fixId).toBe(wanted.fixId);
          if (wanted.actions) expect(got.fix?.actions).toEqual(wanted.actions);
          for (const text of wanted.mentions ?? []) expect(`${got.message}\n${got.fix?.message ?? ''}`).toContain(text);
        });
      });
    }
    for (const c of cases.notChecked ?? []) {
      it(`is not checked: ${c.name}`, () => {
        const { diagnoses, check, candidates } = runRule(rule, buildCase(c), c.setting);
        expect(check.status, check.reason).toBe('not-checked');
        expect(check.reason).toMatch(c.reason);
        if (c.howToCheck) expect(check.howToCheck).toMatch(c.howToCheck);
        expect(diagnoses.filter((d) => d.severity !== 'info').map((d) => d.messageId)).toEqual([]);
        if (c.suspects) {
          expect(candidates.map((s) => s.messageId)).toEqual(c.suspects);
          for (const s of candidates)
            expect(s.nextStep.text.length, 'a candidate without a next step').toBeGreaterThan(0);
        }
      });
    }
  });
}

/** Several changes to the observations, applied in order: `all(advertises(...), laptopOnLan)`. */
export const all =
  (...steps: ((o: Record<string, Observation>) => void)[]) =>
  (o: Record<string, Observation>): void => {
    for (const step of steps) step(o);
  };
