import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { evaluateRules } from '../../src/rules/engine.js';
import { defineRule } from '../../src/rules/define-rule.js';
import { collectorsFor, resolveRules } from '../../src/rules/config.js';
import { exitCodeFor } from '../../src/report/exit-code.js';
import { UsageError } from '../../src/core/errors.js';
import { failed, makeSnapshot, ok, skipped } from '../helpers/snapshot.js';

const cgnat = defineRule({
  id: 'test-cgnat',
  meta: {
    severity: 'error',
    category: 'network',
    title: 'WAN is not CGNAT',
    requires: ['router'],
    explains: ['test-unreachable'],
    messages: { cgnat: 'Router WAN {{wan}} is in 100.64.0.0/10.' },
    fixes: { askIsp: 'Ask your ISP for a public IPv4 address for {{wan}}.' },
  },
  evaluate(ctx) {
    const router = ctx.get('router') as { wan: string } | undefined;
    if (router?.wan.startsWith('100.')) {
      ctx.report({
        messageId: 'cgnat',
        data: { wan: router.wan },
        evidence: [{ source: 'router', observed: `WAN ${router.wan}`, expected: 'a public address' }],
        confidence: 'high',
        fix: { fixId: 'askIsp', data: { wan: router.wan } },
      });
    }
  },
});

const unreachable = defineRule({
  id: 'test-unreachable',
  meta: {
    severity: 'error',
    category: 'remote-access',
    title: 'Reachable from the internet',
    requires: ['account'],
    messages: { unreachable: 'plex.tv could not reach port {{port}}.' },
    fixes: { manual: 'Set the manual port to {{port}}.' },
  },
  evaluate(ctx) {
    const account = ctx.get('account') as { error?: string; port: number };
    if (account.error === 'unreachable') {
      ctx.report({
        messageId: 'unreachable',
        data: { port: account.port },
        evidence: [{ source: 'account', observed: 'mappingError=unreachable' }],
        confidence: 'medium',
        fix: {
          fixId: 'manual',
          data: { port: account.port },
          actions: [{ type: 'set-pref', pref: 'ManualPortMappingPort', value: account.port }],
        },
      });
    }
  },
});

const note = defineRule({
  id: 'test-note',
  meta: { severity: 'info', category: 'server', title: 'Note', requires: [], messages: { note: 'fyi' } },
  evaluate: (ctx) => ctx.report({ messageId: 'note', evidence: [], confidence: 'low' }),
});

const crashing = defineRule({
  id: 'test-crash',
  meta: { severity: 'error', category: 'server', title: 'Crashes', requires: [], messages: { x: 'x' } },
  evaluate: () => {
    throw new TypeError("Cannot read properties of undefined (reading 'port')");
  },
});

const rules = [note, unreachable, cgnat, crashing];
const broken = makeSnapshot({ router: ok({ wan: '100.64.0.2' }), account: ok({ error: 'unreachable', port: 32400 }) });

describe('evaluateRules', () => {
  it('renders messages and fixes, keeps evidence, data and actions', () => {
    const report = evaluateRules(broken, { rules });
    const cause = report.diagnoses.find((d) => d.ruleId === 'test-cgnat')!;
    expect(cause.message).toBe('Router WAN 100.64.0.2 is in 100.64.0.0/10.');
    expect(cause.fix?.message).toBe('Ask your ISP for a public IPv4 address for 100.64.0.2.');
    expect(cause.evidence).toEqual([{ source: 'router', observed: 'WAN 100.64.0.2', expected: 'a public address' }]);
    const effect = report.diagnoses.find((d) => d.ruleId === 'test-unreachable')!;
    expect(effect.fix?.actions).toEqual([{ type: 'set-pref', pref: 'ManualPortMappingPort', value: 32400 }]);
  });

  it('ranks a root cause above what it explains, then info last', () => {
    const report = evaluateRules(broken, { rules });
    expect(report.diagnoses.map((d) => [d.ruleId, d.rank])).toEqual([
      ['test-cgnat', 'root-cause'],
      ['test-unreachable', 'contributing'],
      ['test-note', 'info'],
    ]);
    expect(report.diagnoses[1]!.explainedBy).toEqual(['test-cgnat']);
    expect(report.summary).toMatchObject({ status: 'error', errors: 2, infos: 1, rootCauses: 1 });
  });

  it('keeps an explained finding a root cause when its explainer did not fire', () => {
    const report = evaluateRules(
      makeSnapshot({ router: ok({ wan: '84.1.1.2' }), account: ok({ error: 'unreachable', port: 32400 }) }),
      { rules },
    );
    expect(report.diagnoses[0]).toMatchObject({ ruleId: 'test-unreachable', rank: 'root-cause', explainedBy: [] });
  });

  it('reports a crashing rule as crashed and keeps the rest of the report', () => {
    const report = evaluateRules(broken, { rules });
    expect(report.checks.find((c) => c.ruleId === 'test-crash')).toMatchObject({
      status: 'crashed',
      reason: expect.stringContaining('reading'),
    });
    expect(report.diagnoses).toHaveLength(3);
    expect(report.summary.checks.crashed).toBe(1);
  });

  it('skips a rule whose requirement failed, was skipped or was not collected, with the reason', () => {
    const report = evaluateRules(
      makeSnapshot({ router: failed('ENOIGD', 'no UPnP IGD answered'), account: skipped('no token') }),
      { rules: [cgnat, unreachable] },
    );
    expect(report.checks).toEqual([
      expect.objectContaining({
        ruleId: 'test-cgnat',
        status: 'not-checked',
        reason: 'needs router, which failed: no UPnP IGD answered',
      }),
      expect.objectContaining({
        ruleId: 'test-unreachable',
        status: 'not-checked',
        reason: 'needs account, which was skipped: no token',
      }),
    ]);
    const none = evaluateRules(makeSnapshot({}), { rules: [cgnat] });
    expect(none.checks[0]).toMatchObject({ status: 'not-checked', reason: 'router was not collected' });
  });

  it('treats an unknown messageId as a crash of that rule', () => {
    const bad = defineRule({
      id: 'bad',
      meta: { severity: 'error', category: 'server', title: 'Bad', requires: [], messages: { a: 'a' } },
      evaluate: (ctx) => ctx.report({ messageId: 'b' as 'a', evidence: [], confidence: 'low' }),
    });
    expect(evaluateRules(makeSnapshot({}), { rules: [bad] }).checks[0]).toMatchObject({
      status: 'crashed',
      reason: 'rule "bad" reported unknown messageId "b"',
    });
  });

  it('applies ESLint-style config: off, severity change, options', () => {
    const seen: unknown[] = [];
    const withOptions = defineRule({
      id: 'opts',
      meta: {
        severity: 'info',
        category: 'server',
        title: 'Opts',
        requires: [],
        options: z.object({ limit: z.number() }),
        messages: { m: 'm' },
      },
      evaluate: (ctx) => void seen.push(ctx.options),
    });
    const report = evaluateRules(broken, {
      rules: [...rules, withOptions],
      ruleConfig: { 'test-cgnat': 'off', 'test-unreachable': 'warning', opts: { options: { limit: 3 } } },
    });
    expect(report.checks.find((c) => c.ruleId === 'test-cgnat')?.status).toBe('off');
    expect(report.diagnoses.find((d) => d.ruleId === 'test-unreachable')).toMatchObject({
      severity: 'warning',
      rank: 'root-cause',
    });
    expect(seen).toEqual([{ limit: 3 }]);
    // Below --fail-on, and no rule here decides remote access: inconclusive rather than ok.
    expect(exitCodeFor(report)).toBe(4);
    expect(exitCodeFor(report, 'warning')).toBe(1);
  });

  it('rejects config for unknown rules, bad severities and unknown categories', () => {
    expect(() => evaluateRules(broken, { rules, ruleConfig: { 'no-such-rule': 'off' } })).toThrow(UsageError);
    expect(() => evaluateRules(broken, { rules, ruleConfig: { 'test-cgnat': 'fatal' as 'error' } })).toThrow(
      /severity must be/,
    );
    expect(() => evaluateRules(broken, { rules, only: ['nat'] })).toThrow(/unknown category "nat"/);
  });

  it('keeps only the categories asked for, and collects only what enabled rules need', () => {
    const report = evaluateRules(broken, { rules, only: ['network'] });
    expect(report.checks.map((c) => c.ruleId)).toEqual(['test-cgnat']);
    expect(collectorsFor(resolveRules(rules, {}, ['network']))).toEqual(['router']);
    expect(collectorsFor(resolveRules(rules, { 'test-cgnat': 'off' }))).toEqual(['account']);
  });

  it('is pure: the same snapshot gives the same report, and the snapshot is attached only on request', () => {
    expect(evaluateRules(broken, { rules })).toEqual(evaluateRules(structuredClone(broken), { rules }));
    expect(evaluateRules(broken, { rules }).snapshot).toBeUndefined();
    expect(evaluateRules(broken, { rules, includeSnapshot: true }).snapshot).toBe(broken);
  });

  it('exits 0 on a healthy report and with failOn none', () => {
    const healthy = evaluateRules(makeSnapshot({ router: ok({ wan: '84.1.1.2' }), account: ok({ port: 32400 }) }), {
      rules: [cgnat, unreachable],
    });
    expect(healthy.summary.status).toBe('ok');
    // Nothing found, but these test rules neither pass with evidence nor decide remote access: inconclusive, exit 4.
    expect(healthy.verdict.status).toBe('inconclusive');
    expect(exitCodeFor(healthy)).toBe(4);
    expect(exitCodeFor(evaluateRules(broken, { rules }), 'none')).toBe(0);
  });
});
