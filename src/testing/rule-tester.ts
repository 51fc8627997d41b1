/**
 * Table-driven rule tests in ESLint's RuleTester shape: `valid` cases must report nothing (and pass with evidence, or not be checked, when `outcome` says so), `invalid` cases must
 * report exactly the expected message ids (in order), `notChecked` cases must end not checked with the reason (and suspect the candidate causes given). Each
 * case runs the rule through the real engine, so the rule contract holds here as in a diagnosis: a read of an
 * observation the rule's meta does not declare crashes the rule, and fails the case with the engine's message.
 *
 * Framework-agnostic like ESLint's: it registers its tests with the host's global `describe`/`it` (vitest with
 * globals, mocha, jest, node:test's globals), or with whatever is assigned to `RuleTester.describe`/`RuleTester.it`/
 * `RuleTester.itOnly`. Without either, a case runs at once and throws on failure. Assertions are node:assert's.
 */
import assert from 'node:assert/strict';
import type { Observation } from '../core/observation.js';
import type { Snapshot } from '../core/snapshot.js';
import type { Diagnosis } from '../core/report.js';
import type { AnyRule, Confidence, FixAction, RuleSetting, Severity } from '../rules/types.js';
import { buildSnapshot, healthyObservations } from './observations.js';
import { runRule } from './run-rule.js';

type Observations = Record<string, Observation>;

/** How a test framework groups and declares tests: `describe(name, fn)` / `it(name, fn)`. */
export type TestGroup = (name: string, body: () => void) => unknown;
export type TestCase = (name: string, body: () => void) => unknown;

export interface RuleTesterCase {
  /** Shown in the test's name. */
  name: string;
  /** Changes to the base observations (mutate the record), or a complete replacement record. */
  observations?: ((observations: Observations) => void) | Observations;
  /** Snapshot fields to override (target URL, context, createdAt). */
  snapshot?: Partial<Snapshot>;
  /** This case's rule setting: a severity, or `{ severity, options }` (options are validated like in a diagnosis). */
  setting?: RuleSetting;
  /** Run only this case (through `RuleTester.itOnly`). */
  only?: boolean;
}

/** One finding an invalid case expects. Only `messageId` is required; every other field given is checked. */
export interface RuleTesterExpectedFinding {
  messageId: string;
  confidence?: Confidence;
  severity?: Severity;
  /** A subset of the finding's `data`: each key given must be equal. */
  data?: Record<string, unknown>;
  fixId?: string;
  /** The fix's machine-applicable actions, exactly. */
  actions?: FixAction[];
  /** Substrings the rendered message or fix must contain. */
  mentions?: string[];
}

export interface InvalidCase extends RuleTesterCase {
  /** Exactly these findings, in the order the engine ranks them. */
  expect: RuleTesterExpectedFinding[];
}

export interface ValidCase extends RuleTesterCase {
  /**
   * How the check must end: 'passed' (with evidence) or 'not-checked' (silent for lack of evidence). A valid case
   * reports nothing either way. @default 'passed' when `evidence` is given, else either (not asserted)
   */
  outcome?: 'passed' | 'not-checked';
  /** What the evidence that passed the check must match ("source: observed" lines); implies outcome 'passed'. */
  evidence?: RegExp;
}

/** A case the rule cannot decide: it ends not-checked, with why, how to make it checkable, and its suspects. */
export interface NotCheckedCase extends RuleTesterCase {
  /** What the reason must match ("needs server.prefs, which was skipped: ...", "no UPnP answer ..."). */
  reason: RegExp;
  /** What the how-to-check hint must match. */
  howToCheck?: RegExp;
  /** Message ids of the candidate causes it must suspect, in rank order (each with a next step). */
  suspects?: string[];
}
/** @deprecated the old name of a not-checked case (a missing requirement). */
export type SkippedCase = NotCheckedCase;

export interface RuleTesterCases {
  /** Cases that must PASS with evidence and report nothing. */
  valid: ValidCase[];
  invalid: InvalidCase[];
  notChecked?: NotCheckedCase[];
  /** @deprecated use `notChecked`. */
  skipped?: NotCheckedCase[];
}

export interface RuleTesterOptions {
  /**
   * The observations every case starts from; a case's `observations` function changes a fresh copy.
   * @default healthyObservations() (a healthy home network: every built-in observation ok)
   */
  observations?: () => Observations;
}

interface Hooks {
  describe?: TestGroup;
  it?: TestCase;
  itOnly?: TestCase;
}
const hooks: Hooks = {};

type Globals = { describe?: TestGroup; it?: TestCase & { only?: TestCase } };
const host = (): Globals => globalThis as Globals;

/** Without a framework: run the group's body at once. */
const runGroup: TestGroup = (_name, body) => body();
/** Without a framework: run the case at once; its failure throws, naming the case. */
const runCase: TestCase = (name, body) => {
  try {
    body();
  } catch (error) {
    if (error instanceof Error) error.message = `${name}: ${error.message}`;
    throw error;
  }
};

export class RuleTester {
  /** The `describe` cases are grouped with. @default globalThis.describe, else runs the group at once */
  static get describe(): TestGroup {
    return hooks.describe ?? host().describe ?? runGroup;
  }
  static set describe(value: TestGroup | undefined) {
    hooks.describe = value;
  }

  /** The `it` each case is declared with. @default globalThis.it, else runs the case at once */
  static get it(): TestCase {
    return hooks.it ?? host().it ?? runCase;
  }
  static set it(value: TestCase | undefined) {
    hooks.it = value;
  }

  /** The `it.only` a case with `only: true` is declared with. @default globalThis.it.only */
  static get itOnly(): TestCase {
    if (hooks.itOnly) return hooks.itOnly;
    const only = host().it?.only;
    if (typeof only === 'function') return only.bind(host().it);
    throw new TypeError(
      'a case has only: true, but no it.only was found: set RuleTester.itOnly (or RuleTester.it) to your framework',
    );
  }
  static set itOnly(value: TestCase | undefined) {
    hooks.itOnly = value;
  }

  readonly #base: () => Observations;

  constructor(options: RuleTesterOptions = {}) {
    this.#base = options.observations ?? healthyObservations;
  }

  /** Declares one test per case, grouped under `name` (ESLint's `ruleTester.run(name, rule, { valid, invalid })`). */
  run(name: string, rule: AnyRule, cases: RuleTesterCases): void {
    RuleTester.describe(name, () => {
      for (const c of cases.valid) this.#declare(c, `reports nothing: ${c.name}`, () => this.#valid(rule, c));
      for (const c of cases.invalid) this.#declare(c, `reports: ${c.name}`, () => this.#invalid(rule, c));
      for (const c of [...(cases.notChecked ?? []), ...(cases.skipped ?? [])])
        this.#declare(c, `is not checked: ${c.name}`, () => this.#notChecked(rule, c));
    });
  }

  /** The snapshot a case runs against: the base observations with the case's changes. */
  snapshotFor(c: RuleTesterCase): Snapshot {
    let observations = this.#base();
    if (typeof c.observations === 'function') c.observations(observations);
    else if (c.observations) observations = c.observations;
    return buildSnapshot(observations, c.snapshot);
  }

  #declare(c: RuleTesterCase, title: string, body: () => void): void {
    (c.only ? RuleTester.itOnly : RuleTester.it)(title, body);
  }

  #valid(rule: AnyRule, c: ValidCase): void {
    const { diagnoses, check } = runRule(rule, this.snapshotFor(c), c.setting);
    assert.ok(check.status !== 'crashed', `the rule crashed: ${check.reason}`);
    assert.deepEqual(
      diagnoses.map((d) => d.messageId),
      [],
      'expected no findings',
    );
    const outcome = c.outcome ?? (c.evidence ? 'passed' : undefined);
    if (outcome) assert.equal(check.status, outcome, `expected ${outcome}, it ${check.status}: ${check.reason ?? ''}`);
    else assert.ok(check.status === 'passed' || check.status === 'not-checked', `the check ${check.status}`);
    // Never passed without evidence: the engine guarantees it, the tester holds it to that.
    if (check.status === 'passed') assert.ok((check.evidence?.length ?? 0) > 0, 'passed without evidence');
    const evidence = (check.evidence ?? []).map((e) => `${e.source}: ${e.observed}`).join('\n');
    if (c.evidence) assert.match(evidence, c.evidence, 'the evidence that passed it');
  }

  #invalid(rule: AnyRule, c: InvalidCase): void {
    assert.ok(c.expect.length > 0, 'an invalid case must expect at least one finding (use valid for none)');
    const { diagnoses, check } = runRule(rule, this.snapshotFor(c), c.setting);
    assert.ok(check.status !== 'crashed', `the rule crashed: ${check.reason}`);
    assert.deepEqual(
      diagnoses.map((d) => d.messageId),
      c.expect.map((e) => e.messageId),
      'the findings reported, by message id and in order',
    );
    c.expect.forEach((wanted, i) => checkFinding(diagnoses[i]!, wanted));
  }

  #notChecked(rule: AnyRule, c: NotCheckedCase): void {
    const { check, diagnoses, candidates } = runRule(rule, this.snapshotFor(c), c.setting);
    const why = `${check.reason ?? ''}${diagnoses.length ? ` (reported ${diagnoses.map((d) => d.messageId).join(', ')})` : ''}`;
    assert.equal(check.status, 'not-checked', `expected the check not to be decided, it ${check.status}: ${why}`);
    assert.match(check.reason ?? '', c.reason, 'the reason it was not checked');
    if (c.howToCheck) assert.match(check.howToCheck ?? '', c.howToCheck, 'how to make it checkable');
    if (c.suspects) {
      assert.deepEqual(
        candidates.map((s) => s.messageId),
        c.suspects,
        'the candidate causes suspected',
      );
      for (const s of candidates) assert.ok(s.nextStep.text.length > 0, `suspect ${s.messageId} has no next step`);
    }
  }
}

function checkFinding(got: Diagnosis, wanted: RuleTesterExpectedFinding): void {
  const label = `finding ${got.messageId}`;
  assert.doesNotMatch(got.message, /\{\{/, `${label}: a placeholder left unfilled in the message`);
  assert.doesNotMatch(got.fix?.message ?? '', /\{\{/, `${label}: a placeholder left unfilled in the fix`);
  assert.ok(got.evidence.length > 0, `${label}: a finding without evidence`);
  if (wanted.confidence) assert.equal(got.confidence, wanted.confidence, `${label}: confidence`);
  if (wanted.severity) assert.equal(got.severity, wanted.severity, `${label}: severity`);
  for (const [key, value] of Object.entries(wanted.data ?? {}))
    assert.deepEqual(got.data[key], value, `${label}: data.${key}`);
  if (wanted.fixId) assert.equal(got.fix?.fixId, wanted.fixId, `${label}: fixId`);
  if (wanted.actions) assert.deepEqual(got.fix?.actions, wanted.actions, `${label}: fix actions`);
  const text = `${got.message}\n${got.fix?.message ?? ''}`;
  for (const part of wanted.mentions ?? []) assert.ok(text.includes(part), `${label}: mentions "${part}" in:\n${text}`);
}

/** Several changes to the observations, applied in order: `all(advertises(...), laptopOnLan)`. */
export const all =
  (...steps: ((observations: Observations) => void)[]) =>
  (observations: Observations): void => {
    for (const step of steps) step(observations);
  };
