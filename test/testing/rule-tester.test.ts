// The exported RuleTester, run inside a test with a fake describe/it that records what passed and what failed: it
// must fail a case whose rule reads an observation it did not declare (with the engine's message), fail wrong
// expectations, and pass a correct rule, so a table of cases cannot pass vacuously.
import { afterEach, describe, expect, it } from 'vitest';
import { defineRule } from '../../src/rules/define-rule.js';
import { RuleTester, ok, type RuleTesterCases } from '../../src/testing/index.js';

interface Outcome {
  name: string;
  error?: string;
}

/** Runs the tester with recording hooks: every case runs at once, and its failure is kept instead of thrown. */
function record(run: (tester: RuleTester) => void): { groups: string[]; outcomes: Outcome[] } {
  const groups: string[] = [];
  const outcomes: Outcome[] = [];
  RuleTester.describe = (name, body) => {
    groups.push(name);
    body();
  };
  RuleTester.it = (name, body) => {
    try {
      body();
      outcomes.push({ name });
    } catch (error) {
      outcomes.push({ name, error: (error as Error).message });
    }
  };
  RuleTester.itOnly = (name, body) => RuleTester.it(`only: ${name}`, body);
  run(new RuleTester({ observations: () => ({ 'acme.relay': ok({ enabled: false }), 'server.prefs': ok({}) }) }));
  return { groups, outcomes };
}

afterEach(() => {
  RuleTester.describe = undefined;
  RuleTester.it = undefined;
  RuleTester.itOnly = undefined;
});

const relayOn = (o: Record<string, ReturnType<typeof ok>>) => void (o['acme.relay'] = ok({ enabled: true }));

function relayRule(declared: string[], alsoReads?: string) {
  return defineRule({
    id: 'acme/no-relay',
    meta: {
      severity: 'warning',
      category: 'acme',
      title: 'The Relay is off',
      requires: declared,
      messages: { relayOn: 'The Relay is on.' },
    },
    evaluate(ctx) {
      if (alsoReads) ctx.get(alsoReads);
      const relay = ctx.get('acme.relay') as { enabled: boolean } | undefined;
      if (relay?.enabled)
        ctx.report({ messageId: 'relayOn', evidence: [{ source: 'acme.relay', observed: 'on' }], confidence: 'high' });
    },
  });
}

const cases: RuleTesterCases = {
  valid: [{ name: 'relay off' }],
  invalid: [{ name: 'relay on', observations: relayOn, expect: [{ messageId: 'relayOn', confidence: 'high' }] }],
  skipped: [{ name: 'no relay observation', observations: {}, reason: /acme\.relay was not collected/ }],
};

describe('RuleTester', () => {
  it('passes every case of a rule that keeps its contract', () => {
    const { groups, outcomes } = record((tester) => tester.run('acme/no-relay', relayRule(['acme.relay']), cases));
    expect(groups).toEqual(['acme/no-relay']);
    expect(outcomes).toEqual([
      { name: 'reports nothing: relay off' },
      { name: 'reports: relay on' },
      { name: 'is not checked: no relay observation' },
    ]);
  });

  it("fails each case that runs a rule reading an undeclared observation, with the engine's message", () => {
    const broken = relayRule(['acme.relay'], 'server.prefs');
    const { outcomes } = record((tester) => tester.run('broken', broken, cases));
    const message = 'rule "acme/no-relay" read "server.prefs" without declaring it in meta.requires or meta.uses';
    expect(outcomes.find((o) => o.name === 'reports nothing: relay off')?.error).toContain(message);
    expect(outcomes.find((o) => o.name === 'reports: relay on')?.error).toContain(message);
    // A skipped rule never runs, so it cannot read anything: that case still passes.
    expect(outcomes.find((o) => o.name === 'is not checked: no relay observation')?.error).toBeUndefined();
  });

  it('fails wrong expectations: another message id, another confidence, a finding where none is expected', () => {
    const rule = relayRule(['acme.relay']);
    const { outcomes } = record((tester) =>
      tester.run('wrong', rule, {
        valid: [{ name: 'relay on, wrongly listed as valid', observations: relayOn }],
        invalid: [
          { name: 'wrong id', observations: relayOn, expect: [{ messageId: 'relayOff' }] },
          { name: 'wrong confidence', observations: relayOn, expect: [{ messageId: 'relayOn', confidence: 'low' }] },
          { name: 'nothing reported', expect: [{ messageId: 'relayOn' }] },
          { name: 'mentions', observations: relayOn, expect: [{ messageId: 'relayOn', mentions: ['Relay is off'] }] },
        ],
        skipped: [{ name: 'not skipped at all', reason: /anything/ }],
      }),
    );
    expect(outcomes).toHaveLength(6);
    for (const outcome of outcomes) expect(outcome.error, outcome.name).toBeTruthy();
    expect(outcomes[0]!.error).toMatch(/expected no findings/);
    expect(outcomes[2]!.error).toMatch(/confidence/);
    expect(outcomes[5]!.error).toMatch(/not checked|not to be decided/);
  });

  it('sends a case with only: true through RuleTester.itOnly', () => {
    const { outcomes } = record((tester) =>
      tester.run('only', relayRule(['acme.relay']), { valid: [{ name: 'focused', only: true }], invalid: [] }),
    );
    expect(outcomes).toEqual([{ name: 'only: reports nothing: focused' }]);
  });

  it('validates options like a diagnosis does: a bad option fails the case', () => {
    const { outcomes } = record((tester) =>
      tester.run('options', relayRule(['acme.relay']), {
        valid: [{ name: 'an option the rule does not take', setting: { options: { strict: true } } }],
        invalid: [],
      }),
    );
    expect(outcomes[0]!.error).toMatch(/rule "acme\/no-relay" takes no options/);
  });

  it('without any framework, runs each case at once and throws on failure, naming the case', () => {
    const globals = globalThis as { describe?: unknown; it?: unknown };
    const saved = { describe: globals.describe, it: globals.it };
    delete globals.describe;
    delete globals.it;
    try {
      const tester = new RuleTester({ observations: () => ({ 'acme.relay': ok({ enabled: true }) }) });
      expect(() =>
        tester.run('bare', relayRule(['acme.relay']), { valid: [{ name: 'relay on' }], invalid: [] }),
      ).toThrow(/reports nothing: relay on: expected no findings/);
      expect(() =>
        tester.run('bare', relayRule(['acme.relay']), {
          valid: [],
          invalid: [{ name: 'relay on', expect: [{ messageId: 'relayOn' }] }],
        }),
      ).not.toThrow();
    } finally {
      Object.assign(globalThis, saved);
    }
  });
});
