/**
 * Table-driven rule tests in ESLint's RuleTester shape: `valid` cases must run and report nothing, `invalid` cases must
 * report exactly the expected message ids (in order), `skipped` cases must be skipped for a missing requirement. Each
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

export interface SkippedCase extends RuleTesterCase {
  /** What the skip reason must match ("needs server.prefs, which was skipped: ..."). */
  reason: RegExp;
}

export interface RuleTesterCases {
  valid: RuleTesterCase[];
  invalid: InvalidCase[];
  skipped?: SkippedCase[];
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
      for (const c of cases.valid) this.#declare(c, `stays silent: ${c.name}`, () => this.#valid(rule, c));
      for (const c of cases.invalid) this.#declare(c, `reports: ${c.name}`, () => this.#invalid(rule, c));
      for (const c of cases.skipped ?? []) this.#declare(c, `is skipped: ${c.name}`, () => this.#skipped(rule, c));
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

  #valid(rule: AnyRule, c: RuleTesterCase): void {
    const { diagnoses, check } = runRule(rule, this.snapshotFor(c), c.setting);
    assert.ok(check.status !== 'crashed' && check.status !== 'skipped', `the rule ${check.status}: ${check.reason}`);
    assert.deepEqual(
      diagnoses.map((d) => d.messageId),
      [],
      'expected no findings',
    );
    assert.equal(check.status, 'passed', `expected the check to pass, it ${check.status}: ${check.reason ?? ''}`);
  }

  #invalid(rule: AnyRule, c: InvalidCase): void {
    assert.ok(c.expect.length > 0, 'an invalid case must expect at least one finding (use valid for none)');
    const { diagnoses, check } = runRule(rule, this.snapshotFor(c), c.setting);
    assert.ok(check.status !== 'crashed' && check.status !== 'skipped', `the rule ${check.status}: ${check.reason}`);
    assert.deepEqual(
      diagnoses.map((d) => d.messageId),
      c.expect.map((e) => e.messageId),
      'the findings reported, by message id and in order',
    );
    c.expect.forEach((wanted, i) => checkFinding(diagnoses[i]!, wanted));
  }

  #skipped(rule: AnyRule, c: SkippedCase): void {
    const { check } = runRule(rule, this.snapshotFor(c), c.setting);
    assert.equal(check.status, 'skipped', `expected the rule to be skipped, it ${check.status}: ${check.reason ?? ''}`);
    assert.match(check.reason ?? '', c.reason, 'the skip reason');
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
