// `explains` is typed against the built-in rule ids: strict for the catalogue, open (with completion) for user rules.
// The @ts-expect-error lines are the test: `tsc --noEmit` fails if a typo stops being a compile error.
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULE_IDS } from '../../src/rules/builtin-ids.js';
import { builtinRules } from '../../src/rules/builtin/index.js';
import { defineBuiltinRule } from '../../src/rules/builtin/define-builtin-rule.js';
import { defineRule } from '../../src/rules/define-rule.js';

const meta = {
  severity: 'info',
  category: 'test',
  title: 'Typed explains',
  requires: [],
  messages: { m: 'm' },
} as const;

describe('built-in rule ids', () => {
  it('lists the catalogue, in its order', () => {
    expect(builtinRules.map((rule) => rule.id)).toEqual([...BUILTIN_RULE_IDS]);
  });

  it('holds a built-in rule to built-in ids, and lets a user rule name any rule', () => {
    const strict = defineBuiltinRule({
      id: 'relay-only',
      // @ts-expect-error a misspelt built-in id
      meta: { ...meta, explains: ['maping-failed'] },
      evaluate: () => undefined,
    });
    // @ts-expect-error not a built-in id
    const unknownId = defineBuiltinRule({ id: 'acme/rule', meta, evaluate: () => undefined });
    const user = defineRule({
      id: 'acme/rule',
      meta: { ...meta, explains: ['mapping-failed', 'acme/other'] },
      evaluate: () => undefined,
    });
    expect([strict.id, unknownId.id, user.meta.explains]).toEqual([
      'relay-only',
      'acme/rule',
      ['mapping-failed', 'acme/other'],
    ]);
  });
});
