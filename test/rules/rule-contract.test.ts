// The rule contract, enforced by the engine: a rule reads only what its meta declares (requires + uses). A broken rule
// that reads an undeclared observation is reported as crashed with a message naming the rule and the observation,
// even when it swallows the error, and the other rules are not affected.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UsageError } from '../../src/core/errors.js';
import { resolveRules } from '../../src/rules/config.js';
import { evaluateRules } from '../../src/rules/engine.js';
import type { RuleConfig } from '../../src/rules/types.js';
import { defineRule } from '../../src/rules/define-rule.js';
import { makeSnapshot, ok } from '../helpers/snapshot.js';

const snapshot = makeSnapshot({ 'acme.relay': ok({ enabled: true }), 'server.prefs': ok({ network: {} }) });
const MESSAGE = 'rule "acme/peeks" read "server.prefs" without declaring it in meta.requires or meta.uses';

function peeking(read: (ctx: { get(id: string): unknown; observation(id: string): unknown }) => void) {
  return defineRule({
    id: 'acme/peeks',
    meta: {
      severity: 'warning',
      category: 'acme',
      title: 'Reads only what it declares',
      requires: ['acme.relay'],
      messages: { on: 'The Relay is on.' },
    },
    evaluate(ctx) {
      read(ctx);
      ctx.report({ messageId: 'on', evidence: [{ source: 'acme.relay', observed: 'on' }], confidence: 'high' });
    },
  });
}

const honest = defineRule({
  id: 'acme/honest',
  meta: {
    severity: 'warning',
    category: 'acme',
    title: 'Declares what it reads',
    requires: ['acme.relay'],
    uses: ['server.prefs'],
    messages: { on: 'The Relay is on.' },
  },
  evaluate(ctx) {
    if (ctx.get('server.prefs') && ctx.observation('acme.relay'))
      ctx.report({ messageId: 'on', evidence: [{ source: 'acme.relay', observed: 'on' }], confidence: 'high' });
  },
});

describe('the rule contract', () => {
  it('crashes a rule that reads an undeclared observation with get(), naming the rule and the id', () => {
    const report = evaluateRules(snapshot, { rules: [peeking((ctx) => ctx.get('server.prefs')), honest] });
    expect(report.checks.map((c) => [c.ruleId, c.status, c.reason])).toEqual([
      ['acme/peeks', 'crashed', MESSAGE],
      ['acme/honest', 'failed', undefined],
    ]);
    expect(report.diagnoses.map((d) => d.ruleId)).toEqual(['acme/honest']);
  });

  it('guards observation() the same way', () => {
    const report = evaluateRules(snapshot, { rules: [peeking((ctx) => ctx.observation('server.prefs'))] });
    expect(report.checks[0]).toMatchObject({ status: 'crashed', reason: MESSAGE });
  });

  it('crashes the rule even when it catches the error and carries on (its findings are dropped)', () => {
    const swallowing = peeking((ctx) => {
      try {
        ctx.get('server.prefs');
      } catch {
        // a rule that hides the violation must not get away with it
      }
    });
    const report = evaluateRules(snapshot, { rules: [swallowing] });
    expect(report.checks[0]).toMatchObject({ status: 'crashed', reason: MESSAGE });
    expect(report.diagnoses).toEqual([]);
  });

  it('lets a rule read what it declares in requires or uses, collected or not', () => {
    const reader = defineRule({
      ...honest,
      id: 'acme/reads-missing',
      meta: { ...honest.meta, uses: ['server.prefs', 'acme.never-collected'] },
      evaluate(ctx) {
        expect(ctx.get('acme.never-collected')).toBeUndefined();
        expect(ctx.observation('acme.never-collected')).toBeUndefined();
        expect(ctx.get('acme.relay')).toEqual({ enabled: true });
      },
    });
    expect(evaluateRules(snapshot, { rules: [reader] }).checks[0]).toMatchObject({ status: 'not-checked' }); // read fine; silent, so not checked;
  });
});

describe('rule options: meta.options', () => {
  const withOptions = defineRule({
    id: 'acme/threshold',
    meta: {
      severity: 'warning',
      category: 'acme',
      title: 'Under the threshold',
      requires: ['acme.relay'],
      options: z.strictObject({ limit: z.number().int().positive().default(3), label: z.string().optional() }),
      messages: { seen: 'limit {{limit}}' },
    },
    evaluate(ctx) {
      // Typed from the schema: a number, never undefined.
      const limit: number = ctx.options.limit;
      ctx.report({
        messageId: 'seen',
        data: { limit },
        evidence: [{ source: 'acme.relay', observed: 'on' }],
        confidence: 'high',
      });
    },
  });
  const limitOf = (ruleConfig?: RuleConfig) =>
    evaluateRules(snapshot, { rules: [withOptions], ...(ruleConfig ? { ruleConfig } : {}) }).diagnoses[0]?.data.limit;
  const usageError = (run: () => unknown): UsageError => {
    try {
      run();
    } catch (error) {
      if (error instanceof UsageError) return error;
      throw error;
    }
    throw new Error('expected a UsageError');
  };

  it('applies the schema defaults when no options are configured, and the configured value when one is', () => {
    expect(limitOf()).toBe(3);
    expect(limitOf({ 'acme/threshold': 'error' })).toBe(3);
    expect(limitOf({ 'acme/threshold': { options: { limit: 7 } } })).toBe(7);
    expect(resolveRules([withOptions], { 'acme/threshold': { options: { limit: 5 } } })[0]!.options).toEqual({
      limit: 5,
    });
  });

  it('refuses a bad option with a usage error naming the rule and the option path', () => {
    const error = usageError(() => limitOf({ 'acme/threshold': { options: { limit: -1, label: 4 } } }));
    expect(error.code).toBe('PLEXDIAG_USAGE');
    expect(error.message).toMatch(/^rule "acme\/threshold" has a bad option: options\.limit: .*; options\.label: /);
    expect(error.cause).toBeDefined();
    expect(usageError(() => limitOf({ 'acme/threshold': { options: { limt: 2 } } })).message).toMatch(/limt/);
    // Off or not, a wrong config is wrong: checked before anything is collected.
    expect(() => resolveRules([withOptions], { 'acme/threshold': { severity: 'off', options: 'x' } })).toThrow(
      /rule "acme\/threshold" has a bad option: options: /,
    );
  });

  it('refuses options for a rule that takes none', () => {
    expect(usageError(() => resolveRules([honest], { 'acme/honest': { options: { strict: true } } })).message).toBe(
      'rule "acme/honest" takes no options: remove "options" from its config',
    );
    expect(resolveRules([honest], { 'acme/honest': { severity: 'info' } })[0]!.options).toBeUndefined();
  });
});
