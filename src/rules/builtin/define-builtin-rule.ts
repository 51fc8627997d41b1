import type { BuiltinRuleId } from '../builtin-ids.js';
import { defineRule } from '../define-rule.js';
import type { Rule, RuleMeta } from '../types.js';

/** A built-in rule: its id is a BuiltinRuleId and it may only explain built-in rules (a typo is a compile error). */
export type BuiltinRule<
  Id extends BuiltinRuleId = BuiltinRuleId,
  MessageIds extends string = string,
  FixIds extends string = string,
  Options = unknown,
> = Rule<MessageIds, FixIds, Options> & {
  readonly id: Id;
  readonly meta: RuleMeta<MessageIds, FixIds, Options> & { explains?: readonly BuiltinRuleId[] };
};

/** defineRule for the catalogue: the same checks, with the id and `explains` held to the built-in ids. */
export function defineBuiltinRule<
  const Id extends BuiltinRuleId,
  const MessageIds extends string,
  const FixIds extends string = never,
  Options = unknown,
>(rule: BuiltinRule<Id, MessageIds, FixIds, Options>): BuiltinRule<Id, MessageIds, FixIds, Options> {
  defineRule(rule);
  return rule;
}
