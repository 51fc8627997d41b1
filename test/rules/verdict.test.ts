/** Issue 12: three outcomes per check, the verdict, the differential and declared evidence, through the real engine. */
import { describe, expect, it } from 'vitest';
import { evaluateRules } from '../../src/rules/engine.js';
import { defineRule } from '../../src/rules/define-rule.js';
import { exitCodeFor } from '../../src/report/exit-code.js';
import { makeSnapshot, ok, skipped } from '../helpers/snapshot.js';

/** Decides 'server-answers': passes with evidence when the server answered, else not checked with why. */
const answers = defineRule({
  id: 'answers',
  meta: {
    severity: 'error',
    category: 'server',
    title: 'Server answers',
    requires: [],
    uses: ['identity'],
    decides: 'server-answers',
    messages: { down: 'down' },
  },
  evaluate(ctx) {
    const id = ctx.get('identity') as { machineIdentifier: string } | undefined;
    if (id) ctx.pass({ evidence: [{ source: 'identity', observed: `machineIdentifier=${id.machineIdentifier}` }] });
    else ctx.notChecked({ reason: 'identity not read', howToCheck: 'point it at the server' });
  },
});
/** Never decides anything: returns silently. */
const silent = defineRule({
  id: 'silent',
  meta: { severity: 'error', category: 'network', title: 'Silent', requires: [], messages: { m: 'm' } },
  evaluate: () => undefined,
});
/** A cause that suspects itself when the symptom is present, reports when the evidence is complete. */
const cause = (id: string, likelihood: 'medium' | 'low', against = false) =>
  defineRule({
    id,
    meta: {
      severity: 'error',
      category: 'network',
      title: id,
      requires: [],
      uses: ['account', 'router', 'said'],
      messages: { maybe: `maybe ${id}`, found: `found ${id}` },
    },
    evaluate(ctx) {
      const account = ctx.get('account') as { state: string } | undefined;
      if (ctx.get('router')) {
        ctx.report({ messageId: 'found', evidence: [{ source: 'router', observed: 'x' }], confidence: 'high' });
        return;
      }
      const said = ctx.get('said') as { fails: boolean } | undefined;
      const evidence = said?.fails
        ? [{ source: 'said', observed: 'remote access fails', declared: true }]
        : account?.state === 'failed'
          ? [{ source: 'account', observed: 'mappingState=failed' }]
          : [];
      if (evidence.length === 0) return;
      ctx.suspect({
        messageId: 'maybe',
        for: evidence,
        against: against ? [{ source: 'router', observed: 'something points away' }] : [],
        nextStep: { kind: 'router-page', text: `open the page for ${id}` },
        likelihood,
      });
    },
  });
/** A finding resting only on what the user said. */
const saidOnly = defineRule({
  id: 'said-only',
  meta: { severity: 'warning', category: 'network', title: 'Said', requires: ['said'], messages: { m: 'm' } },
  evaluate: (ctx) =>
    ctx.report({
      messageId: 'm',
      evidence: [{ source: 'said', observed: 'x', declared: true }],
      confidence: 'high',
    }),
});

describe('check outcomes', () => {
  it('a rule that neither reports nor passes ends not-checked, never passed', () => {
    const report = evaluateRules(makeSnapshot({}), { rules: [silent] });
    expect(report.checks[0]).toMatchObject({ status: 'not-checked', reason: expect.stringMatching(/no evidence/) });
    expect(report.summary.checks).toMatchObject({ passed: 0, 'not-checked': 1 });
  });
  it('passed carries its evidence; not-checked carries why and how to check', () => {
    const good = evaluateRules(makeSnapshot({ identity: ok({ machineIdentifier: 'abc' }) }), { rules: [answers] });
    expect(good.checks[0]).toMatchObject({
      status: 'passed',
      decides: 'server-answers',
      evidence: [{ source: 'identity', observed: 'machineIdentifier=abc' }],
    });
    const open = evaluateRules(makeSnapshot({ identity: skipped('no') }), { rules: [answers] });
    expect(open.checks[0]).toMatchObject({
      status: 'not-checked',
      reason: 'identity not read',
      howToCheck: 'point it at the server',
    });
  });
  it('a pass without evidence is a crash of the rule', () => {
    const liar = defineRule({
      id: 'liar',
      meta: { severity: 'error', category: 'x', title: 'x', requires: [], messages: { m: 'm' } },
      evaluate: (ctx) => ctx.pass({ evidence: [] }),
    });
    expect(evaluateRules(makeSnapshot({}), { rules: [liar] }).checks[0]!.status).toBe('crashed');
  });
  it('a finding outranks a pass of the same rule', () => {
    const both = defineRule({
      id: 'both',
      meta: { severity: 'error', category: 'x', title: 'x', requires: [], messages: { m: 'm' } },
      evaluate(ctx) {
        ctx.pass({ evidence: [{ source: 'a', observed: 'b' }] });
        ctx.report({ messageId: 'm', evidence: [{ source: 'a', observed: 'c' }], confidence: 'high' });
      },
    });
    expect(evaluateRules(makeSnapshot({}), { rules: [both] }).checks[0]!.status).toBe('failed');
  });
  it('a requirement gap says how to make it checkable', () => {
    const needsUpnp = defineRule({
      id: 'needs-upnp',
      meta: { severity: 'error', category: 'x', title: 'x', requires: ['probe.upnp'], messages: { m: 'm' } },
      evaluate: () => undefined,
    });
    const report = evaluateRules(makeSnapshot({ 'probe.upnp': skipped('no IGD') }), { rules: [needsUpnp] });
    expect(report.checks[0]!.howToCheck).toMatch(/no UPnP answer: the router's forwards can't be read/);
  });
});

describe('verdict', () => {
  it('ok only when every deciding question has a passing check, and nothing is found', () => {
    const report = evaluateRules(makeSnapshot({ identity: ok({ machineIdentifier: 'abc' }) }), {
      rules: [answers, silent],
    });
    expect(report.verdict).toEqual({ status: 'ok', missing: [] });
    expect(report.summary.verdict).toBe('ok');
    expect(exitCodeFor(report)).toBe(0);
  });
  it('inconclusive (exit 4) when a deciding check could not run, with what is missing', () => {
    const report = evaluateRules(makeSnapshot({}), { rules: [answers] });
    expect(report.verdict.status).toBe('inconclusive');
    expect(report.verdict.missing).toEqual([
      {
        decides: 'server-answers',
        ruleIds: ['answers'],
        reason: 'identity not read',
        howToCheck: 'point it at the server',
      },
    ]);
    expect(exitCodeFor(report)).toBe(4);
    expect(exitCodeFor(report, 'none')).toBe(0);
  });
  it('inconclusive when no enabled rule decides anything', () => {
    const report = evaluateRules(makeSnapshot({}), { rules: [silent] });
    expect(report.verdict.status).toBe('inconclusive');
    expect(report.verdict.missing[0]!.reason).toMatch(/no check that decides/);
  });
  it('problems (exit 1) beats inconclusive; --fail-on warning counts warnings', () => {
    const report = evaluateRules(makeSnapshot({ said: ok({ fails: true }) }), { rules: [answers, saidOnly] });
    expect(report.verdict.status).toBe('problems');
    expect(exitCodeFor(report)).toBe(4); // the only finding is a warning, below the default --fail-on error
    expect(exitCodeFor(report, 'warning')).toBe(1);
  });
});

describe('differential', () => {
  const rules = [answers, cause('cause-a', 'low', true), cause('cause-b', 'medium'), cause('cause-c', 'low')];
  it('ranks the suspected causes when the evidence singles out none', () => {
    const report = evaluateRules(makeSnapshot({ account: ok({ state: 'failed' }) }), { rules });
    expect(report.verdict.status).toBe('inconclusive');
    const candidates = report.differential!.candidates;
    expect(candidates.map((c) => c.ruleId)).toEqual(['cause-b', 'cause-c', 'cause-a']);
    expect(candidates[0]).toMatchObject({
      message: 'maybe cause-b',
      likelihood: 'medium',
      for: [{ source: 'account', observed: 'mappingState=failed' }],
      against: [],
      nextStep: { kind: 'router-page', text: 'open the page for cause-b' },
    });
    expect(candidates[2]!.against).toHaveLength(1);
  });
  it('is absent when a cause is found with high confidence (the suspects of that rule are dropped)', () => {
    const report = evaluateRules(makeSnapshot({ account: ok({ state: 'failed' }), router: ok({}) }), { rules });
    expect(report.verdict.status).toBe('problems');
    expect(report.differential).toBeUndefined();
  });
  it('is absent when the verdict is ok', () => {
    const report = evaluateRules(makeSnapshot({ identity: ok({ machineIdentifier: 'a' }) }), { rules });
    expect(report.verdict.status).toBe('ok');
    expect(report.differential).toBeUndefined();
  });
});

describe('declared evidence', () => {
  it('a finding resting only on what the user said is capped at medium confidence', () => {
    const report = evaluateRules(makeSnapshot({ said: ok({ fails: true }) }), { rules: [saidOnly] });
    expect(report.diagnoses[0]!.confidence).toBe('medium');
  });
  it('a candidate resting only on what the user said is at most medium likely', () => {
    const high = defineRule({
      ...cause('c', 'medium'),
      evaluate: (ctx) =>
        ctx.suspect({
          messageId: 'maybe',
          for: [{ source: 'said', observed: 'x', declared: true }],
          nextStep: { kind: 'question', text: 'q' },
          likelihood: 'high',
        }),
    });
    const report = evaluateRules(makeSnapshot({}), { rules: [high] });
    expect(report.differential!.candidates[0]!.likelihood).toBe('medium');
  });
});
